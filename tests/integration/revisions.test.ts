import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * Capabilities that evolve, end to end through the API against real PostgreSQL and Temporal:
 * create → Active 1.0.0; a compatible revision → Active 1.1.0 (1.0.0 superseded); a breaking
 * revision → BLOCKED naming its rules; the same with an accepted break → Active 2.0.0; a racing
 * second activation refused; a definition changed after approval refused; unknown keys refused.
 * The local model takes the request's seed input schema as the contract's input schema, so each
 * test chooses the contract change it makes.
 */

let env: TestWorkflowEnvironment;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const city = { type: 'string', description: 'City name' };
const units = { type: 'string', enum: ['metric', 'imperial'], description: 'Units' };
const V1 = { type: 'object', properties: { city }, required: ['city'] };
const COMPATIBLE = { type: 'object', properties: { city, units }, required: ['city'] };
const BREAKING = { type: 'object', properties: { city, units }, required: ['city', 'units'] };

const startBody = (seedInputSchema: object, revisionOf?: string) => ({
  name: 'Weather Now',
  problemStatement: 'Return the current temperature for a city by name.',
  language: 'typescript',
  targetRuntime: 'node20',
  seedInputSchema,
  ...(revisionOf ? { revisionOf } : {}),
});

interface People {
  tenant: string;
  author: string;
  reviewer: string;
}

async function people(): Promise<People> {
  const tenant = uniqueTenant('rev');
  return {
    tenant,
    author: await stack.token(tenant, ['capability-author'], 'alice'),
    reviewer: await stack.token(tenant, ['capability-reviewer'], 'bob'),
  };
}

async function promote(p: People, runId: string, target: string) {
  return api(stack, 'POST', `/runs/${runId}/promote`, { token: p.reviewer, body: { targetState: target } });
}

async function promoteTo(p: People, runId: string, states: string[]): Promise<void> {
  for (const s of states) {
    const r = await promote(p, runId, s);
    expect([r.status, r.body]).toEqual([200, expect.objectContaining({ toState: s })]);
  }
}

async function startRun(p: People, seed: object, revisionOf?: string): Promise<string> {
  const r = await api(stack, 'POST', '/runs', { token: p.author, body: startBody(seed, revisionOf) });
  expect(r.status).toBe(202);
  return r.body.runId as string;
}

async function versions(tenant: string, key: string) {
  return stack.db
    .selectFrom('capabilities')
    .select([
      'id',
      'version',
      'lifecycle_state',
      'definition_hash',
      'supersedes_id',
      'accepted_break_decision_id',
      'promotion_id',
      'source_run_id',
    ])
    .where('tenant_id', '=', tenant)
    .where('capability_key', '=', key)
    .orderBy('created_at_utc')
    .execute();
}

/** A tenant with an Active 1.0.0 of "weather-now", made through the API. */
async function activeV1(p: People): Promise<{ runId: string; key: string }> {
  const runId = await startRun(p, V1);
  const draft = await waitForStatus(stack, p.author, runId, ['DRAFT', 'BLOCKED', 'FAILED', 'AWAITING_ADJUDICATION']);
  expect(draft.body).toMatchObject({ status: 'DRAFT', capabilityVersion: '1.0.0', revisionOf: null });
  await promoteTo(p, runId, ['Review', 'Approved', 'Active']);
  return { runId, key: draft.body.capabilityKey as string };
}

describe('capabilities that evolve', () => {
  it('creates 1.0.0, then a compatible revision becomes Active as 1.1.0 and supersedes it', async () => {
    const p = await people();
    const v1 = await activeV1(p);
    expect(v1.key).toBe('weather-now');
    const [first] = await versions(p.tenant, v1.key);
    expect(first).toMatchObject({ version: '1.0.0', lifecycle_state: 'Active', source_run_id: v1.runId });
    expect(first!.definition_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    const runId = await startRun(p, COMPATIBLE, v1.key);
    const draft = await waitForStatus(stack, p.author, runId, ['DRAFT', 'BLOCKED', 'FAILED', 'AWAITING_ADJUDICATION']);
    expect(draft.body).toMatchObject({
      status: 'DRAFT',
      capabilityKey: v1.key,
      revisionOf: v1.key,
      capabilityVersion: '1.1.0',
      duplicateOutcome: 'NONE',
      contractValidationOutcome: 'PASSED',
    });
    const contracts = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: p.author });
    expect(contracts.body.compatibility).toEqual({
      previousVersion: '1.0.0',
      previousCapabilityId: first!.id,
      version: '1.1.0',
      breaking: false,
      findings: [
        {
          rule: 'property-added',
          path: '#/properties/units',
          direction: 'input',
          breaking: false,
          old: null,
          new: units,
        },
      ],
    });
    expect(contracts.body.drafts).toEqual([
      expect.objectContaining({ revision: 1, version: '1.1.0', definitionHash: expect.stringMatching(/^sha256:/) }),
    ]);
    expect(contracts.body.drafts[0].manifest.version).toBe('1.1.0');

    await promoteTo(p, runId, ['Review', 'Approved', 'Active']);
    const all = await versions(p.tenant, v1.key);
    expect(all.map((v) => [v.version, v.lifecycle_state])).toEqual([
      ['1.0.0', 'Superseded'],
      ['1.1.0', 'Active'],
    ]);
    expect(all[1]!.supersedes_id).toBe(first!.id);

    // The activation's evidence: the validation, the hash pinned at approval, every decision relied on.
    const after = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: p.author });
    const activation = after.body.promotions.find((x: { toState: string }) => x.toState === 'Active');
    const approval = after.body.promotions.find((x: { toState: string }) => x.toState === 'Approved');
    expect(activation.definitionHash).toBe(approval.definitionHash);
    expect(activation).toMatchObject({
      capabilityVersion: '1.1.0',
      capabilityId: all[1]!.id,
      contractValidationId: after.body.validations[0].id,
      conformanceEvidence: expect.objectContaining({
        outcome: 'PASSED',
        approvedDefinitionHash: approval.definitionHash,
      }),
    });
    expect(activation.evidence.map((e: { role: string }) => e.role).sort()).toEqual([
      'ACTIVATION',
      'APPROVAL',
      'AUTHORITY',
      'REVIEW',
    ]);
    expect(all[1]!.promotion_id).toBe(activation.id);
  });

  it('blocks a breaking revision naming its rules, and an accepted break with a major bump makes it Active', async () => {
    const p = await people();
    const v1 = await activeV1(p);
    const runId = await startRun(p, BREAKING, v1.key);
    const blocked = await waitForStatus(stack, p.author, runId, ['BLOCKED', 'DRAFT', 'FAILED']);
    expect(blocked.body.status).toBe('BLOCKED');
    expect(blocked.body.failureReason).toMatch(/breaking changes against weather-now 1\.0\.0: required-added/);
    expect(blocked.body.completedAtUtc).toBeNull();
    expect(blocked.body.capabilityVersion).toBe('2.0.0');
    const contracts = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: p.author });
    expect(contracts.body.compatibility).toMatchObject({ breaking: true, previousVersion: '1.0.0' });
    expect(contracts.body.compatibility.findings).toContainEqual({
      rule: 'required-added',
      path: '#/required/units',
      direction: 'input',
      breaking: true,
      old: false,
      new: true,
    });
    expect((await promote(p, runId, 'Review')).status).toBe(409);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const accept = (token: string, body: object) => api(stack, 'POST', `/runs/${runId}/accept-break`, { token, body });
    const good = {
      ruleIds: ['required-added'],
      reason: 'units must be explicit',
      owner: 'weather-team',
      expiresAtUtc: tomorrow,
    };
    expect((await accept(p.author, good)).status).toBe(403);
    const wrongRules = await accept(p.reviewer, { ...good, ruleIds: ['type-changed'] });
    expect(wrongRules.status).toBe(409);
    expect(wrongRules.body.detail).toMatch(/not accepted for rule\(s\) required-added/);
    expect((await accept(p.reviewer, { ...good, reason: '' })).status).toBe(400);
    const past = await accept(p.reviewer, { ...good, expiresAtUtc: '2020-01-01T00:00:00Z' });
    expect([past.status, past.body.detail]).toEqual([409, expect.stringMatching(/in the future/)]);

    const accepted = await accept(p.reviewer, good);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      status: 'DRAFT',
      capabilityVersion: '2.0.0',
      acceptedRules: ['required-added'],
    });

    const after = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: p.author });
    expect(after.body.acceptedBreaks).toEqual([
      expect.objectContaining({
        ruleIds: ['required-added'],
        reason: 'units must be explicit',
        owner: 'weather-team',
        expiresAtUtc: tomorrow,
        version: '2.0.0',
        previousVersion: '1.0.0',
        acceptedBy: 'bob',
      }),
    ]);
    const breakId = after.body.acceptedBreaks[0].governanceDecisionId;
    expect(after.body.validations.map((v: { outcome: string }) => v.outcome)).toEqual(['FAILED', 'PASSED']);
    expect(after.body.validations[1].acceptedBreakDecisionId).toBe(breakId);

    await promoteTo(p, runId, ['Review', 'Approved', 'Active']);
    const all = await versions(p.tenant, v1.key);
    expect(all.map((v) => [v.version, v.lifecycle_state])).toEqual([
      ['1.0.0', 'Superseded'],
      ['2.0.0', 'Active'],
    ]);
    expect(all[1]!.accepted_break_decision_id).toBe(breakId);
    const final = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: p.author });
    const activation = final.body.promotions.find((x: { toState: string }) => x.toState === 'Active');
    expect(activation.contractValidationId).toBe(final.body.validations[1].id);
    expect(activation.evidence).toContainEqual(
      expect.objectContaining({ governanceDecisionId: breakId, role: 'ACCEPTED_BREAK', kind: 'ACCEPTED_BREAK' }),
    );

    // The catalog's version history shows the supersession and the accepted break.
    const catalog = await api(stack, 'GET', `/catalog/${v1.key}`, { token: p.author });
    expect(catalog.status).toBe(200);
    expect(catalog.body.activeVersion).toBe('2.0.0');
    const byVersion = Object.fromEntries(
      catalog.body.versions.map((v: { version: string }) => [v.version, v]),
    ) as Record<string, Record<string, unknown>>;
    expect(byVersion['2.0.0']).toMatchObject({
      lifecycleState: 'Active',
      supersedesId: all[0]!.id,
      definitionHash: activation.definitionHash,
      acceptedBreak: expect.objectContaining({
        governanceDecisionId: breakId,
        ruleIds: ['required-added'],
        owner: 'weather-team',
      }),
    });
    expect(byVersion['1.0.0']).toMatchObject({ lifecycleState: 'Superseded', acceptedBreak: null });
    expect(byVersion['1.0.0']!.supersededAtUtc).not.toBeNull();
  });

  it('refuses to promote a breaking revision once its accepted break has expired, and records the refusal', async () => {
    const p = await people();
    const v1 = await activeV1(p);
    const runId = await startRun(p, BREAKING, v1.key);
    expect((await waitForStatus(stack, p.author, runId, ['BLOCKED', 'DRAFT', 'FAILED'])).body.status).toBe('BLOCKED');
    const expiresAt = Date.now() + 4_000;
    const accepted = await api(stack, 'POST', `/runs/${runId}/accept-break`, {
      token: p.reviewer,
      body: {
        ruleIds: ['required-added'],
        reason: 'units must be explicit, for a few seconds',
        owner: 'weather-team',
        expiresAtUtc: new Date(expiresAt).toISOString(),
      },
    });
    expect(accepted.status).toBe(200);
    await promoteTo(p, runId, ['Review']);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 250));
    const refused = await promote(p, runId, 'Approved');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/accepted break \(decision [0-9a-f-]+\) expired at/);
    const run = await api(stack, 'GET', `/runs/${runId}`, { token: p.author });
    expect(run.body).toMatchObject({ status: 'REVIEW', lifecycleState: 'Review' });
    expect(run.body.governanceDecisions).toContainEqual(
      expect.objectContaining({ kind: 'PROMOTION', decision: 'DENY', reasonCode: 'ACCEPTED_BREAK_EXPIRED' }),
    );
    const all = await versions(p.tenant, v1.key);
    expect(all.map((v) => [v.version, v.lifecycle_state])).toEqual([['1.0.0', 'Active']]);
  });

  it('refuses a racing second activation of the same key, leaving the first intact', async () => {
    const p = await people();
    const v1 = await activeV1(p);
    const a = await startRun(p, COMPATIBLE, v1.key);
    const b = await startRun(p, { ...COMPATIBLE, properties: { ...COMPATIBLE.properties, lang: city } }, v1.key);
    for (const runId of [a, b]) {
      const d = await waitForStatus(stack, p.author, runId, ['DRAFT', 'BLOCKED', 'FAILED', 'AWAITING_ADJUDICATION']);
      expect(d.body).toMatchObject({ status: 'DRAFT', capabilityVersion: '1.1.0' });
      await promoteTo(p, runId, ['Review', 'Approved']);
    }
    const [ra, rb] = await Promise.all([promote(p, a, 'Active'), promote(p, b, 'Active')]);
    const results = [ra, rb].map((r) => r.status).sort();
    expect(results).toEqual([200, 409]);
    const [winner, loser] = ra.status === 200 ? [a, b] : [b, a];
    const refusal = ra.status === 200 ? rb : ra;
    expect(refusal.body.detail).toMatch(
      /no longer Active|already Active|activated by another run|already has a version/,
    );

    const all = await versions(p.tenant, v1.key);
    expect(all.filter((v) => v.lifecycle_state === 'Active')).toEqual([
      expect.objectContaining({ version: '1.1.0', source_run_id: winner }),
    ]);
    expect(all).toHaveLength(2);
    const loserRun = await api(stack, 'GET', `/runs/${loser}`, { token: p.author });
    expect(loserRun.body).toMatchObject({ status: 'APPROVED', lifecycleState: 'Approved' });
    expect(loserRun.body.governanceDecisions).toContainEqual(
      expect.objectContaining({ kind: 'PROMOTION', decision: 'DENY', reasonCode: 'ACTIVATION_CONFLICT' }),
    );
    expect(loserRun.body.telemetry.map((t: { eventType: string }) => t.eventType)).toContain('PROMOTION_REFUSED');
  });

  it('refuses to activate a definition whose hash differs from the approved one', async () => {
    const p = await people();
    const v1 = await activeV1(p);
    const runId = await startRun(p, COMPATIBLE, v1.key);
    await waitForStatus(stack, p.author, runId, ['DRAFT']);
    await promoteTo(p, runId, ['Review', 'Approved']);
    // A later revision of the draft (a changed definition) appears after the approval.
    await sql`insert into ai_generation_contract_drafts (id, tenant_id, correlation_id, run_id, execution_snapshot_id,
        governance_decision_id, capability_key, revision, lifecycle_state, manifest, input_schema, output_schema,
        runtime_constraints, conformance_metadata, scaffold, version, definition_hash, supersedes_draft_id, revision_reason)
      select gen_random_uuid(), tenant_id, correlation_id, run_id, execution_snapshot_id, governance_decision_id,
        capability_key, 2, lifecycle_state, manifest, ${JSON.stringify(BREAKING)}::jsonb, output_schema,
        runtime_constraints, conformance_metadata, scaffold, version, null, id, 'edited after approval'
      from ai_generation_contract_drafts where run_id = ${runId}::uuid and revision = 1`.execute(stack.db);
    const refused = await promote(p, runId, 'Active');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/differs from the approved one/);
    const all = await versions(p.tenant, v1.key);
    expect(all.map((v) => [v.version, v.lifecycle_state])).toEqual([['1.0.0', 'Active']]);
  });

  it('refuses a revision of an unknown or invisible key with 404, and starts nothing', async () => {
    const p = await people();
    const other = await people();
    const v1 = await activeV1(other);
    for (const key of ['no-such-capability', v1.key]) {
      const r = await api(stack, 'POST', '/runs', { token: p.author, body: startBody(V1, key) });
      expect(r.status).toBe(404);
      expect(r.body.detail).toMatch(/no Active capability/);
    }
    const bad = await api(stack, 'POST', '/runs', { token: p.author, body: startBody(V1, 'bad key!') });
    expect(bad.status).toBe(400);
    const runs = await stack.db
      .selectFrom('ai_generation_runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', p.tenant)
      .executeTakeFirstOrThrow();
    expect(Number(runs.n)).toBe(0);
  });

  it('without revisionOf, a run for an existing key stays BLOCKED', async () => {
    const p = await people();
    await activeV1(p);
    const runId = await startRun(p, COMPATIBLE);
    const r = await waitForStatus(stack, p.author, runId, ['BLOCKED', 'DRAFT', 'AWAITING_ADJUDICATION', 'FAILED']);
    expect(r.body).toMatchObject({ status: 'BLOCKED', duplicateOutcome: 'BLOCKING' });
    expect(r.body.completedAtUtc).not.toBeNull();
  });
});
