import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { upsertActiveEntry } from '../helpers/catalog-fixtures';

let env: TestWorkflowEnvironment;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  // A sibling operation on the same resource needs a reviewer; the same job blocks.
  stack = await startStack(env, { AiGeneration__DuplicateThresholds: 'potential=0.5,blocking=0.95' });
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

function seedCatalog(tenant: string, name: string): Promise<void> {
  return upsertActiveEntry(stack.db, tenant, name);
}

const body = (name: string) => ({
  name,
  problemStatement: 'Look up the weather for a city by name.',
  language: 'typescript',
  targetRuntime: 'node20',
});

describe('adjudication of potential duplicates', () => {
  it('waits for a reviewer, who accepts with an audit comment, and the run becomes a Draft', async () => {
    const tenant = uniqueTenant();
    await seedCatalog(tenant, 'Update City Weather'); // a sibling operation: POTENTIAL (issue 5)
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const started = await api(stack, 'POST', '/runs', { token: author, body: body('Lookup City Weather') });
    const runId = started.body.runId;
    const waiting = await waitForStatus(stack, author, runId, ['AWAITING_ADJUDICATION', 'DRAFT', 'BLOCKED']);
    expect(waiting.body.status).toBe('AWAITING_ADJUDICATION');
    expect(waiting.body.duplicateOutcome).toBe('POTENTIAL');

    const dup = await api(stack, 'GET', `/runs/${runId}/duplicates`, { token: author });
    expect(dup.body.checks[0].adjudication.state).toBe('PENDING');
    expect(dup.body.checks[0].matches[0]).toMatchObject({
      capabilityKey: 'update-city-weather',
      tier: 'POTENTIAL',
    });
    expect(dup.body.checks[0].matches[0].score).toBeGreaterThanOrEqual(0.5);
    expect(dup.body.checks[0].matches[0].score).toBeLessThan(0.95);

    expect(
      (
        await api(stack, 'POST', `/runs/${runId}/adjudicate`, {
          token: author,
          body: { decision: 'ACCEPT', comment: 'mine' },
        })
      ).status,
    ).toBe(403);
    const noComment = await api(stack, 'POST', `/runs/${runId}/adjudicate`, {
      token: reviewer,
      body: { decision: 'ACCEPT', comment: '' },
    });
    expect(noComment.status).toBe(400);
    expect(
      (await api(stack, 'POST', `/runs/${runId}/promote`, { token: reviewer, body: { targetState: 'Review' } })).status,
    ).toBe(409);

    const accepted = await api(stack, 'POST', `/runs/${runId}/adjudicate`, {
      token: reviewer,
      body: { decision: 'ACCEPT', comment: 'Different data source; keep both.' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('DRAFT');
    const after = await api(stack, 'GET', `/runs/${runId}/duplicates`, { token: author });
    expect(after.body.checks[0].adjudication).toMatchObject({
      state: 'ACCEPTED',
      adjudicatedBy: 'bob',
      comment: 'Different data source; keep both.',
    });
    const decision = await stack.db
      .selectFrom('governance_decisions')
      .selectAll()
      .where('id', '=', after.body.checks[0].adjudication.governanceDecisionId)
      .executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ kind: 'ADJUDICATION', decision: 'ADMIT', subject: 'bob', tenant_id: tenant });
    const again = await api(stack, 'POST', `/runs/${runId}/adjudicate`, {
      token: reviewer,
      body: { decision: 'REJECT', comment: 'changed my mind' },
    });
    expect(again.status).toBe(409);
    expect(
      (await api(stack, 'POST', `/runs/${runId}/promote`, { token: reviewer, body: { targetState: 'Review' } })).status,
    ).toBe(200);
  });

  it('ends the run REJECTED when the reviewer confirms the duplicate', async () => {
    const tenant = uniqueTenant();
    await seedCatalog(tenant, 'Update City Weather'); // a sibling operation: POTENTIAL (issue 5)
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const started = await api(stack, 'POST', '/runs', { token: author, body: body('Weather Lookup City') });
    await waitForStatus(stack, author, started.body.runId, ['AWAITING_ADJUDICATION']);
    const rejected = await api(stack, 'POST', `/runs/${started.body.runId}/adjudicate`, {
      token: reviewer,
      body: { decision: 'REJECT', comment: 'Same job as city-weather-lookup-tool.' },
    });
    expect(rejected.body.status).toBe('REJECTED');
    const run = await waitForStatus(stack, author, started.body.runId, ['REJECTED']);
    expect(run.body.failureReason).toContain('Same job as city-weather-lookup-tool.');
    expect(run.body.completedAtUtc).not.toBeNull();
  });
});
