import { AUTHOR_ROLES, hasAnyRole } from './lifecycle';
import type { GenerationIntent, Principal } from './types';

/** Bumped whenever the rules below change; recorded with every decision. */
export const AUTHORITY_POLICY_VERSION = 'authority-policy/1';

export interface AuthoritySettings {
  enabled: boolean;
  allowedRuntimes: string[];
}

export type AuthorityReasonCode =
  'ADMITTED' | 'GENERATION_DISABLED' | 'ROLE_MISSING' | 'TENANT_MISMATCH' | 'RUNTIME_NOT_ADMITTED';

export interface ExecutionAuthority {
  decision: 'ADMIT' | 'DENY';
  reasonCode: AuthorityReasonCode;
  reason: string;
  subject: string;
  tenantId: string;
  roles: string[];
  admittedRuntimes: string[];
  requestedRuntime: string;
  policyVersion: string;
}

/**
 * Resolves what the caller may do, from the server's view of them only. The first failing rule
 * decides, in a fixed order, so the recorded reason is stable.
 */
export function resolveExecutionAuthority(
  settings: AuthoritySettings,
  principal: Principal,
  runTenantId: string,
  intent: Pick<GenerationIntent, 'targetRuntime'>,
): ExecutionAuthority {
  const base = {
    subject: principal.subject,
    tenantId: runTenantId,
    roles: [...principal.roles],
    admittedRuntimes: [...settings.allowedRuntimes],
    requestedRuntime: intent.targetRuntime,
    policyVersion: AUTHORITY_POLICY_VERSION,
  };
  const deny = (reasonCode: AuthorityReasonCode, reason: string): ExecutionAuthority => ({
    ...base,
    decision: 'DENY',
    reasonCode,
    reason,
  });
  if (!settings.enabled) return deny('GENERATION_DISABLED', 'AI generation is disabled (AiGeneration:Enabled=false)');
  if (principal.tenantId !== runTenantId) return deny('TENANT_MISMATCH', 'principal belongs to another tenant');
  if (!hasAnyRole(principal, AUTHOR_ROLES)) {
    return deny('ROLE_MISSING', `starting a generation run requires one of the roles ${AUTHOR_ROLES.join(', ')}`);
  }
  if (!settings.allowedRuntimes.includes(intent.targetRuntime)) {
    return deny(
      'RUNTIME_NOT_ADMITTED',
      `runtime "${intent.targetRuntime}" is not admitted (AiGeneration:AllowedRuntimes=${settings.allowedRuntimes.join(',')})`,
    );
  }
  return { ...base, decision: 'ADMIT', reasonCode: 'ADMITTED', reason: 'all authority rules passed' };
}
