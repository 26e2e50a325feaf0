import { AUTHORITY_POLICY_VERSION, resolveExecutionAuthority } from '../../domain/authority-policy';
import type { Principal } from '../../domain/types';

const settings = { enabled: true, allowedRuntimes: ['node20', 'python3.12'] };
const author: Principal = { subject: 'alice', tenantId: 't1', roles: ['capability-author'] };

type Case = [
  string,
  { enabled?: boolean; principal?: Partial<Principal>; runTenantId?: string; runtime?: string },
  string,
];

describe('resolveExecutionAuthority', () => {
  it.each<Case>([
    ['denies a run when generation is disabled', { enabled: false }, 'GENERATION_DISABLED'],
    [
      'checks "disabled" before every other rule',
      { enabled: false, principal: { tenantId: 'other', roles: [] }, runtime: 'cobol' },
      'GENERATION_DISABLED',
    ],
    ['denies a run for a principal of another tenant', { principal: { tenantId: 't2' } }, 'TENANT_MISMATCH'],
    [
      'checks the tenant before the role and runtime',
      { principal: { tenantId: 't2', roles: [] }, runtime: 'cobol' },
      'TENANT_MISMATCH',
    ],
    ['denies a run when the role is missing', { principal: { roles: [] } }, 'ROLE_MISSING'],
    ['denies a reviewer, who is not an author', { principal: { roles: ['capability-reviewer'] } }, 'ROLE_MISSING'],
    ['checks the role before the runtime', { principal: { roles: ['viewer'] }, runtime: 'cobol' }, 'ROLE_MISSING'],
    ['denies a runtime that is not admitted', { runtime: 'cobol' }, 'RUNTIME_NOT_ADMITTED'],
    ['compares runtimes exactly', { runtime: 'Node20' }, 'RUNTIME_NOT_ADMITTED'],
  ])('%s', (_title, c, reasonCode) => {
    const principal = { ...author, ...c.principal };
    const result = resolveExecutionAuthority(
      { enabled: c.enabled ?? true, allowedRuntimes: settings.allowedRuntimes },
      principal,
      c.runTenantId ?? 't1',
      { targetRuntime: c.runtime ?? 'node20' },
    );
    expect(result.decision).toBe('DENY');
    expect(result.reasonCode).toBe(reasonCode);
    expect(result.reason.length).toBeGreaterThan(0);
    expect(result.policyVersion).toBe(AUTHORITY_POLICY_VERSION);
  });

  it.each([['capability-author'], ['admin']])('admits a principal with the role %s', (role) => {
    const principal = { ...author, roles: ['viewer', role] };
    const result = resolveExecutionAuthority(settings, principal, 't1', { targetRuntime: 'python3.12' });
    expect(result).toEqual({
      decision: 'ADMIT',
      reasonCode: 'ADMITTED',
      reason: 'all authority rules passed',
      subject: 'alice',
      tenantId: 't1',
      roles: ['viewer', role],
      admittedRuntimes: ['node20', 'python3.12'],
      requestedRuntime: 'python3.12',
      policyVersion: AUTHORITY_POLICY_VERSION,
    });
  });

  it('names the requested runtime and the admitted ones in the denial', () => {
    const result = resolveExecutionAuthority(settings, author, 't1', { targetRuntime: 'cobol' });
    expect(result.reason).toContain('"cobol"');
    expect(result.reason).toContain('node20,python3.12');
  });

  it('records the run tenant and copies of the roles and runtimes, not the caller’s arrays', () => {
    const principal = { ...author, roles: ['capability-author'] };
    const s = { enabled: true, allowedRuntimes: ['node20'] };
    const result = resolveExecutionAuthority(s, principal, 't1', { targetRuntime: 'node20' });
    principal.roles.push('admin');
    s.allowedRuntimes.push('python3.12');
    expect(result.roles).toEqual(['capability-author']);
    expect(result.admittedRuntimes).toEqual(['node20']);
    expect(result.tenantId).toBe('t1');
  });
});
