import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { upsertCapability } from '../../db/repositories/catalog';
import { normalizeName } from '../../domain/duplicates/normalize';
import { deterministicUuid } from '../../domain/deterministic-id';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { temporal } from '@temporalio/proto';
import { generationRunWorkflowId } from '../../workflows/ids';

const AUTHOR = ['capability-author'];
const intent = (name = 'Weather Lookup') => ({
  name,
  problemStatement: 'Return the current weather for a city, given its name.',
  language: 'typescript',
  targetRuntime: 'node20',
});

let env: TestWorkflowEnvironment;
let openai: FakeOpenAi;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  openai = await startFakeOpenAi();
  stack = await startStack(env, {
    OPENAI_API_KEY: 'sk-test-fake-key-for-local-server',
    OPENAI_BASE_URL: openai.baseUrl,
    // The fallback is configured, never implicit.
    AI_MODEL_PROVIDERS: 'openai,local',
  });
});

afterAll(async () => {
  await stack?.close();
  await openai?.close();
  await env?.teardown();
});

afterEach(() => {
  expect(openai.exhausted).toBe(false);
});

async function countRows(table: string, column: string, value: string): Promise<number> {
  const r = await sql<{
    n: string;
  }>`select count(*)::text as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(stack.db);
  return Number(r.rows[0]!.n);
}

describe('a generation run through the canonical lifecycle', () => {
  it('reaches Draft with every artifact persisted and linked to one execution snapshot', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    openai.script({ kind: 'completion', content: completionFor(intent()) });

    const started = await api(stack, 'POST', '/runs', { token, body: intent(), correlationId: 'corr-draft-0001' });
    expect(started.status).toBe(202);
    expect(started.headers.get('x-correlation-id')).toBe('corr-draft-0001');
    expect(started.body).toMatchObject({ status: 'REQUESTED', executionSnapshotId: null });
    const runId: string = started.body.runId;

    const done = await waitForStatus(stack, token, runId, ['DRAFT', 'FAILED', 'BLOCKED', 'DENIED']);
    expect(done.body.status).toBe('DRAFT');
    expect(done.body.lifecycleState).toBe('Draft');
    expect(done.body.runtime).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(done.body.fallbackUsed).toBe(false);
    expect(done.body.duplicateOutcome).toBe('NONE');
    expect(done.body.contractValidationOutcome).toBe('PASSED');
    expect(done.body.authority).toMatchObject({ decision: 'ADMIT', subject: `user-${tenant}` });
    const snapshotId: string = done.body.executionSnapshotId;
    expect(snapshotId).toMatch(/^[0-9a-f-]{36}$/);

    // Every artifact exists once and points at the same snapshot.
    const snapshot = await stack.db
      .selectFrom('execution_snapshots')
      .selectAll()
      .where('id', '=', snapshotId)
      .executeTakeFirstOrThrow();
    expect(snapshot).toMatchObject({
      tenant_id: tenant,
      run_id: runId,
      prompt_template_id: 'capability-generation',
      prompt_template_version: 1,
    });
    expect(snapshot.governance_decision_id).toBe(done.body.authority.governanceDecisionId);
    for (const table of [
      'ai_generation_prompt_runs',
      'ai_generation_prompt_artifacts',
      'ai_generation_contract_drafts',
      'ai_generation_contract_validations',
      'ai_generation_duplicate_checks',
    ]) {
      expect({ table, rows: await countRows(table, 'execution_snapshot_id', snapshotId) }).toEqual({ table, rows: 1 });
      expect({ table, rows: await countRows(table, 'run_id', runId) }).toEqual({ table, rows: 1 });
    }
    const events = await stack.db
      .selectFrom('telemetry_events')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('sequence')
      .execute();
    expect(events.map((e) => e.event_type)).toEqual([
      'RUN_REQUESTED',
      'AUTHORITY_RESOLVED',
      'SNAPSHOT_FROZEN',
      'PROMPT_ASSEMBLED',
      'MODEL_CALL_SUCCEEDED',
      'CONTRACT_DRAFTED',
      'CONTRACT_VALIDATED',
      'DUPLICATE_CHECKED',
      'RUN_DRAFT',
    ]);
    for (const e of events.filter((x) => x.event_type !== 'RUN_REQUESTED' && x.event_type !== 'AUTHORITY_RESOLVED')) {
      expect({ event: e.event_type, snapshot: e.execution_snapshot_id }).toEqual({
        event: e.event_type,
        snapshot: snapshotId,
      });
    }
    const last = events[events.length - 1]!.fields;
    expect(last).toMatchObject({
      generationRunId: runId,
      capability: 'weather-lookup',
      language: 'typescript',
      runtimeIdentity: { provider: 'openai', model: 'gpt-4o-mini' },
      promptTemplate: { id: 'capability-generation', version: 1 },
      duplicateOutcome: 'NONE',
      contractValidationOutcome: 'PASSED',
      fallback: { used: false, reason: null },
    });
    // The same events went to OpenTelemetry.
    expect(stack.emitted.filter((e) => e.fields.generationRunId === runId).map((e) => e.eventType)).toEqual(
      events.map((e) => e.event_type),
    );

    // The model saw the assembled prompt, and the prompt hash recorded is that prompt's.
    const sent = openai.requests[openai.requests.length - 1]!;
    expect(sent.authorization).toBe('Bearer sk-test-fake-key-for-local-server');
    expect(sent.body.messages?.some((m) => m.content.includes('Return the current weather for a city'))).toBe(true);

    const lineage = await api(stack, 'GET', `/prompts/${runId}`, { token });
    expect(lineage.status).toBe(200);
    expect(lineage.body.executionSnapshotId).toBe(snapshotId);
    expect(lineage.body.promptRuns[0]).toMatchObject({
      templateId: 'capability-generation',
      templateVersion: 1,
      runtimeProvider: 'openai',
    });
    expect(lineage.body.promptRuns[0].promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lineage.body.promptRuns[0].artifacts).toHaveLength(1);

    const contracts = await api(stack, 'GET', `/runs/${runId}/contracts`, { token });
    expect(contracts.body.executionSnapshotId).toBe(snapshotId);
    expect(contracts.body.drafts[0]).toMatchObject({ capabilityKey: 'weather-lookup', lifecycleState: 'Draft' });
    expect(contracts.body.validations[0].outcome).toBe('PASSED');

    const duplicates = await api(stack, 'GET', `/runs/${runId}/duplicates`, { token });
    expect(duplicates.body).toMatchObject({ executionSnapshotId: snapshotId, outcome: 'NONE' });
    expect(duplicates.body.checks[0].matches).toEqual([]);

    const ledger = await api(stack, 'GET', '/runs?status=DRAFT', { token });
    expect(ledger.body.items.map((i: { runId: string }) => i.runId)).toEqual([runId]);
  });

  it('keeps secrets in the intent out of the prompt the model receives and out of the lineage', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    const secretIntent = {
      ...intent('Ticket Sync'),
      problemStatement: 'Sync tickets using api_key=sk-live-abcdefghijklmnop1234 for the account',
    };
    openai.script({ kind: 'completion', content: completionFor(secretIntent) });
    const started = await api(stack, 'POST', '/runs', { token, body: secretIntent });
    await waitForStatus(stack, token, started.body.runId, ['DRAFT']);
    const sent = JSON.stringify(openai.requests[openai.requests.length - 1]!.body);
    expect(sent).not.toContain('sk-live-abcdefghijklmnop1234');
    expect(sent).toContain('[REDACTED');
    const lineage = await api(stack, 'GET', `/prompts/${started.body.runId}`, { token });
    expect(JSON.stringify(lineage.body)).not.toContain('sk-live-abcdefghijklmnop1234');
    // Redacted once, at the edge: the run's request event counts what was removed.
    const run = await api(stack, 'GET', `/runs/${started.body.runId}`, { token });
    const requested = run.body.telemetry.find((t: { eventType: string }) => t.eventType === 'RUN_REQUESTED');
    expect(requested.fields.details.redactions).toEqual([{ kind: 'api-key', count: 1 }]);
    expect(JSON.stringify(run.body)).not.toContain('sk-live-abcdefghijklmnop1234');
  });

  it('falls back to the next provider when the first fails permanently, and records why', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    openai.script({ kind: 'error', status: 401, message: 'invalid api key' });
    const started = await api(stack, 'POST', '/runs', { token, body: intent('Currency Convert') });
    const done = await waitForStatus(stack, token, started.body.runId, ['DRAFT', 'FAILED']);
    expect(done.body.status).toBe('DRAFT');
    expect(done.body.runtime).toEqual({ provider: 'local', model: 'local-deterministic-v1' });
    expect(done.body.fallbackUsed).toBe(true);
    expect(done.body.fallbacks).toEqual([
      expect.objectContaining({ fromProvider: 'openai', toProvider: 'local', failureType: 'Model:AuthFailed' }),
    ]);
    const types = done.body.telemetry.map((t: { eventType: string }) => t.eventType);
    expect(types).toEqual(expect.arrayContaining(['MODEL_ATTEMPT_FAILED', 'MODEL_FALLBACK', 'MODEL_CALL_SUCCEEDED']));
    const final = done.body.telemetry[done.body.telemetry.length - 1];
    expect(final.fields.fallback.used).toBe(true);
    expect(final.fields.fallback.reason).toContain('Model:AuthFailed');
    const artifacts = await stack.db
      .selectFrom('ai_generation_prompt_artifacts')
      .selectAll()
      .where('run_id', '=', started.body.runId)
      .orderBy('created_at_utc')
      .execute();
    expect(artifacts.map((a) => [a.kind, a.runtime_provider, a.error_type])).toEqual([
      ['FAILED_ATTEMPT', 'openai', 'Model:AuthFailed'],
      ['COMPLETION', 'local', null],
    ]);
  });

  it('retries a transient model failure visibly before succeeding on the same provider', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    openai.script(
      { kind: 'error', status: 503, message: 'overloaded' },
      { kind: 'completion', content: completionFor(intent('Stock Quote')) },
    );
    const started = await api(stack, 'POST', '/runs', { token, body: intent('Stock Quote') });
    const done = await waitForStatus(stack, token, started.body.runId, ['DRAFT', 'FAILED']);
    expect(done.body.status).toBe('DRAFT');
    expect(done.body.runtime.provider).toBe('openai');
    expect(done.body.fallbackUsed).toBe(false);
    const failed = done.body.telemetry.filter((t: { eventType: string }) => t.eventType === 'MODEL_ATTEMPT_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      outcome: 'RETRYING',
      fields: { attempt: 1, error: { type: 'Model:Unavailable' } },
    });
  });

  it('denies a run when the role is missing, persists the denial with telemetry, and never calls the model', async () => {
    const tenant = uniqueTenant();
    // A reviewer may read but not start runs: refused at the edge (403), still recorded, no workflow.
    const token = await stack.token(tenant, ['capability-reviewer']);
    const before = openai.requests.length;
    const started = await api(stack, 'POST', '/runs', { token, body: intent() });
    expect(started.status).toBe(403);
    expect(started.body).toMatchObject({ status: 403, runStatus: 'DENIED', reasonCode: 'ROLE_MISSING' });
    const done = await waitForStatus(stack, token, started.body.runId, ['DENIED', 'DRAFT', 'FAILED']);
    expect(done.body.status).toBe('DENIED');
    expect(done.body.authority).toMatchObject({ decision: 'DENY', reasonCode: 'ROLE_MISSING' });
    expect(done.body.failureReason).toContain('capability-author');
    expect(done.body.executionSnapshotId).toBeNull();
    expect(done.body.telemetry.map((t: { eventType: string }) => t.eventType)).toEqual([
      'RUN_REQUESTED',
      'AUTHORITY_RESOLVED',
      'RUN_DENIED',
    ]);
    expect(await countRows('ai_generation_prompt_runs', 'run_id', started.body.runId)).toBe(0);
    expect(openai.requests.length).toBe(before);
  });

  it('denies a run whose target runtime is not admitted', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    const started = await api(stack, 'POST', '/runs', { token, body: { ...intent(), targetRuntime: 'cobol85' } });
    const done = await waitForStatus(stack, token, started.body.runId, ['DENIED', 'DRAFT', 'FAILED']);
    expect(done.body.authority).toMatchObject({ decision: 'DENY', reasonCode: 'RUNTIME_NOT_ADMITTED' });
  });

  it('blocks a run whose capability collides with the catalog by identity', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    await upsertCapability(stack.db, {
      id: deterministicUuid('cap', tenant, 'get_weather'),
      tenant_id: tenant,
      capability_key: 'get-weather',
      name: 'get_weather',
      normalized_name: normalizeName('get_weather'),
      description: 'Weather for a city',
      runtime: 'node20',
      input_schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } }),
      output_schema: null,
      manifest: JSON.stringify({ name: 'get_weather' }),
      lifecycle_state: 'Active',
      source: 'IMPORTED',
      source_run_id: null,
      embedding: null,
      embedding_model: null,
    });
    openai.script({ kind: 'completion', content: completionFor(intent('Get Weather')) });
    const started = await api(stack, 'POST', '/runs', { token, body: intent('Get Weather') });
    const done = await waitForStatus(stack, token, started.body.runId, ['BLOCKED', 'DRAFT', 'FAILED']);
    expect(done.body.status).toBe('BLOCKED');
    expect(done.body.duplicateOutcome).toBe('BLOCKING');
    expect(done.body.failureReason).toContain('get-weather');
    const dup = await api(stack, 'GET', `/runs/${started.body.runId}/duplicates`, { token });
    // One combined match per entry, its per-dimension scores in the rationale (issue 5).
    expect(dup.body.checks[0].matches[0]).toEqual(
      expect.objectContaining({ capabilityKey: 'get-weather', tier: 'BLOCKING', dimension: 'COMBINED' }),
    );
    expect(dup.body.checks[0].matches[0].score).toBeGreaterThanOrEqual(0.95);
    expect(dup.body.checks[0].matches[0].rationale).toContain('identity 1.00');
    // BLOCKING never reaches Review.
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'reviewer-1');
    const promote = await api(stack, 'POST', `/runs/${started.body.runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Review' },
    });
    expect(promote.status).toBe(409);
  });

  it('promotes Draft → Review → Approved → Active with reviewers, refusing self-approval, and adds the capability to the catalog', async () => {
    const tenant = uniqueTenant();
    const author = await stack.token(tenant, ['capability-author', 'capability-reviewer'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    openai.script({ kind: 'completion', content: completionFor(intent('Route Planner')) });
    const started = await api(stack, 'POST', '/runs', { token: author, body: intent('Route Planner') });
    const runId = started.body.runId;
    await waitForStatus(stack, author, runId, ['DRAFT']);

    const skip = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Active' },
    });
    expect(skip.status).toBe(409);
    expect(skip.body.detail).toContain('next state is Review');

    // Four eyes on every step: the requester does not even send their own run to Review.
    const selfReview = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: author,
      body: { targetState: 'Review', comment: 'ready' },
    });
    expect(selfReview.status).toBe(409);
    expect(selfReview.body.detail).toContain('other than the requester');
    const review = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Review', comment: 'ready' },
    });
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ fromState: 'Draft', toState: 'Review', status: 'REVIEW' });
    expect(review.body.executionSnapshotId).toMatch(/^[0-9a-f-]{36}$/);

    const selfApprove = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: author,
      body: { targetState: 'Approved' },
    });
    expect(selfApprove.status).toBe(409);
    expect(selfApprove.body.detail).toContain('other than the requester');

    expect(
      (await api(stack, 'POST', `/runs/${runId}/promote`, { token: reviewer, body: { targetState: 'Approved' } }))
        .status,
    ).toBe(200);
    const active = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Active' },
    });
    expect(active.body).toMatchObject({ toState: 'Active', status: 'ACTIVE' });

    const run = await waitForStatus(stack, author, runId, ['ACTIVE']);
    expect(run.body.lifecycleState).toBe('Active');
    const contracts = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: author });
    expect(contracts.body.promotions.map((p: { toState: string }) => p.toState)).toEqual([
      'Review',
      'Approved',
      'Active',
    ]);
    expect(contracts.body.drafts[0].lifecycleState).toBe('Active');
    const decisions = await stack.db
      .selectFrom('governance_decisions')
      .selectAll()
      .where('run_id', '=', runId)
      .where('kind', '=', 'PROMOTION')
      .execute();
    expect(decisions.map((d) => d.subject).sort()).toEqual(['bob', 'bob', 'bob']);
    const cap = await stack.db
      .selectFrom('capabilities')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('capability_key', '=', 'route-planner')
      .executeTakeFirst();
    expect(cap).toMatchObject({ lifecycle_state: 'Active', source: 'GENERATED', source_run_id: runId });

    // A later run for the same capability now collides with it.
    openai.script({ kind: 'completion', content: completionFor(intent('Route Planner')) });
    const again = await api(stack, 'POST', '/runs', { token: author, body: intent('Route Planner') });
    const blocked = await waitForStatus(stack, author, again.body.runId, ['BLOCKED', 'DRAFT']);
    expect(blocked.body.status).toBe('BLOCKED');
  });

  it('reaches Draft with one regular activity (the model call): short database steps are local, and every step still commits its rows, its event and its result', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    openai.script({ kind: 'completion', content: completionFor(intent('Invoice Totals')) });
    const started = await api(stack, 'POST', '/runs', { token, body: intent('Invoice Totals') });
    const runId: string = started.body.runId;
    const done = await waitForStatus(stack, token, runId, ['DRAFT', 'FAILED', 'BLOCKED', 'AWAITING_ADJUDICATION']);
    expect(done.body.status).toBe('DRAFT');

    // Raw history (payloads are encrypted; event types and activity names are not).
    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: generationRunWorkflowId(runId) },
    });
    const events = history?.events ?? [];
    const type = temporal.api.enums.v1.EventType;
    const scheduled = events
      .filter((e) => e.eventType === type.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(scheduled).toEqual(['callModel']);
    // One marker per local step (admitRun: request, authority, snapshot and prompt in one;
    // checkDraft: contract and duplicates in one; status) plus the two patch markers (local-db-steps,
    // merged-intake), and two workflow tasks before the wait: one per side of the model call.
    expect(events.filter((e) => e.eventType === type.EVENT_TYPE_MARKER_RECORDED).length).toBe(5);
    expect(events.filter((e) => e.eventType === type.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length).toBeLessThanOrEqual(3);

    const ledger = await stack.db
      .selectFrom('telemetry_events')
      .select('event_type')
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', runId)
      .orderBy('sequence')
      .execute();
    expect(ledger.map((e) => e.event_type)).toEqual([
      'RUN_REQUESTED',
      'AUTHORITY_RESOLVED',
      'SNAPSHOT_FROZEN',
      'PROMPT_ASSEMBLED',
      'MODEL_CALL_SUCCEEDED',
      'CONTRACT_DRAFTED',
      'CONTRACT_VALIDATED',
      'DUPLICATE_CHECKED',
      'RUN_DRAFT',
    ]);
    const results = await stack.db
      .selectFrom('ai_generation_step_results')
      .select('step')
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', runId)
      .orderBy('committed_at_utc')
      .execute();
    expect(results.map((r) => r.step).sort()).toEqual(
      ['authority', 'contract', 'duplicates', 'model:openai', 'prompt', 'request', 'snapshot', 'status'].sort(),
    );
  });
});
