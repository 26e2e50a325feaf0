import type { Contracts, RunDetail } from '../../ui/src/api';
import { readToken, type Session } from '../../ui/src/auth';
import { progressOf } from '../../ui/src/lifecycle';
import { promotionBlocker, samePerson } from '../../ui/src/rules';

/** The admin UI's own rules: which controls it disables and why, and how it reads a run's progress. */

const session = (subject: string): Session => ({
  token: 't',
  subject,
  tenantId: 'acme',
  roles: ['capability-reviewer'],
  expiresAt: null,
});

const run = (over: Partial<RunDetail> = {}): RunDetail => ({
  runId: 'r1',
  executionSnapshotId: 's1',
  status: 'DRAFT',
  lifecycleState: 'Draft',
  requestedBy: 'alice',
  contractValidationOutcome: 'PASSED',
  ...over,
});

const contracts = (lifecycleState: string, validationOutcome = 'PASSED') =>
  ({ lifecycleState, validationOutcome }) as unknown as Contracts;

describe('promotionBlocker', () => {
  it.each([
    ['the next step, by another reviewer', 'bob', run(), contracts('Draft'), 'NONE', 'Review', null],
    [
      'a skipped step',
      'bob',
      run(),
      contracts('Draft'),
      'NONE',
      'Approved',
      'One step at a time: promote to Review first.',
    ],
    [
      'a step already taken',
      'bob',
      run({ status: 'REVIEW' }),
      contracts('Review'),
      'NONE',
      'Review',
      'Already Review.',
    ],
    ['the requester, on any step', 'Alice ', run(), contracts('Draft'), 'NONE', 'Review', 'Four eyes'],
    [
      'a blocking duplicate',
      'bob',
      run({ status: 'BLOCKED' }),
      contracts('Draft'),
      'BLOCKING',
      'Review',
      'blocking duplicate',
    ],
    [
      'a failed gate',
      'bob',
      run({ status: 'BLOCKED' }),
      contracts('Draft', 'FAILED'),
      'NONE',
      'Review',
      'validation failed',
    ],
    [
      'a breaking revision',
      'bob',
      run({ status: 'BLOCKED' }),
      { ...contracts('Draft', 'FAILED'), compatibility: { breaking: true } } as Contracts,
      'NONE',
      'Review',
      'accept the break',
    ],
    [
      'a pending adjudication',
      'bob',
      run({ status: 'AWAITING_ADJUDICATION' }),
      contracts('Draft'),
      'POTENTIAL',
      'Review',
      'adjudicate',
    ],
    ['a denied run', 'bob', run({ status: 'DENIED', lifecycleState: null }), null, null, 'Review', 'no contract'],
    ['an Active capability', 'bob', run({ status: 'ACTIVE' }), contracts('Active'), 'NONE', 'Active', 'already Active'],
  ] as const)('%s', (_name, subject, r, c, dup, target, expected) => {
    const why = promotionBlocker(session(subject), r, c, dup, target);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toContain(expected);
  });

  it('compares subjects loosely (case, width, spacing)', () => {
    expect(samePerson('Alice', ' alice ')).toBe(true);
    expect(samePerson('ＡＬＩＣＥ', 'alice')).toBe(true);
    expect(samePerson('alice', 'bob')).toBe(false);
  });
});

describe('readToken', () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('reads subject, tenant, roles and expiry from the claims, with or without "Bearer "', () => {
    const jwt = `${b64({ alg: 'HS256' })}.${b64({ sub: 'ré', tenant: 'acme', roles: ['admin'], exp: 2_000_000_000 })}.sig`;
    expect(readToken(`Bearer ${jwt}`)).toEqual({
      token: jwt,
      subject: 'ré',
      tenantId: 'acme',
      roles: ['admin'],
      expiresAt: new Date(2_000_000_000_000),
    });
  });
  it('refuses what is not a JWT', () => {
    expect(() => readToken('not-a-token')).toThrow('not a JWT');
    expect(() => readToken('a.%%%.c')).toThrow('not readable JSON');
  });
});

describe('progressOf', () => {
  const event = (eventType: string, step: string, outcome: string) => ({
    id: eventType,
    eventType,
    step,
    outcome,
    executionSnapshotId: null,
    occurredAtUtc: null,
    fields: {},
  });
  it('counts retries and explains a denial', () => {
    const p = progressOf(
      run({
        status: 'DENIED',
        authority: {
          decision: 'DENY',
          reasonCode: 'RUNTIME_NOT_ADMITTED',
          reason: 'cobol85 is not admitted',
          subject: 'alice',
          policyVersion: 'p/1',
          governanceDecisionId: 'g',
          decidedAtUtc: null,
        },
        telemetry: [
          event('RUN_REQUESTED', 'request', 'ACCEPTED'),
          event('MODEL_ATTEMPT_FAILED', 'model', 'RETRYING'),
          event('RUN_DENIED', 'authority', 'DENY'),
        ],
      }),
    );
    expect(p.executing).toBe(false);
    expect(p.retries).toHaveLength(1);
    expect(p.currentStep).toBe('authority · RUN_DENIED');
    expect(p.why).toBe('Denied by authority (RUNTIME_NOT_ADMITTED): cobol85 is not admitted');
  });
  it('says why a run failed, was blocked, rejected or expired', () => {
    for (const status of ['FAILED', 'BLOCKED', 'REJECTED', 'EXPIRED']) {
      const p = progressOf(run({ status, failureReason: `the reason it is ${status}` }));
      expect([p.executing, p.why]).toEqual([false, `the reason it is ${status}`]);
    }
  });
  it('uses the workflow steps while the run has no rows yet', () => {
    const p = progressOf(run({ status: 'RUNNING', pending: true, steps: ['request', 'authority'] }));
    expect(p.executing).toBe(true);
    expect(p.currentStep).toBe('authority');
    expect(p.steps.map((s) => s.step)).toEqual(['request', 'authority']);
  });
});
