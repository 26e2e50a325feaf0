import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generationRunWorkflowId } from '../../workflows/ids';
import {
  CapabilityKeyKey,
  CorrelationIdKey,
  DuplicateOutcomeKey,
  GenerationStatusKey,
  TenantIdKey,
} from '../../workflows/search-attributes';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

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

/** Visibility is eventually consistent: list until the query finds exactly the expected runs. */
async function listIds(query: string, expected: string[], timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let ids: string[] = [];
  while (Date.now() < deadline) {
    ids = [];
    for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
    ids.sort();
    if (JSON.stringify(ids) === JSON.stringify([...expected].sort())) return ids;
    await new Promise((r) => setTimeout(r, 200));
  }
  return ids;
}

describe('operators find runs in Temporal by search attribute', () => {
  it('lists runs by tenant, capability key, status, duplicate outcome and correlation id, current at every step', async () => {
    const tenant = uniqueTenant('sa');
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const correlationId = `corr-sa-${tenant}`;
    const first = await api(stack, 'POST', '/runs', {
      token: author,
      correlationId,
      body: {
        name: 'Parcel Tracker',
        problemStatement: 'Report where a parcel is from its carrier tracking number.',
        language: 'typescript',
        targetRuntime: 'node20',
      },
    });
    const second = await api(stack, 'POST', '/runs', {
      token: author,
      body: {
        name: 'Currency Converter',
        problemStatement: 'Convert an amount between two currencies at the latest reference rate.',
        language: 'python',
        targetRuntime: 'python3.12',
      },
    });
    const a = await waitForStatus(stack, author, first.body.runId, ['DRAFT']);
    await waitForStatus(stack, author, second.body.runId, ['DRAFT']);
    const wfA = generationRunWorkflowId(first.body.runId);
    const wfB = generationRunWorkflowId(second.body.runId);

    expect(await listIds(`${TenantIdKey.name} = "${tenant}"`, [wfA, wfB])).toEqual([wfA, wfB].sort());
    expect(await listIds(`${CapabilityKeyKey.name} = "${a.body.capabilityKey}"`, [wfA])).toEqual([wfA]);
    // The stored correlation id is namespaced by tenant; the API answers with the stored form.
    expect(first.body.correlationId).toContain(correlationId);
    expect(await listIds(`${CorrelationIdKey.name} = "${first.body.correlationId}"`, [wfA])).toEqual([wfA]);
    expect(
      await listIds(`${TenantIdKey.name} = "${tenant}" AND ${GenerationStatusKey.name} = "DRAFT"`, [wfA, wfB]),
    ).toEqual([wfA, wfB].sort());
    expect(
      await listIds(`${TenantIdKey.name} = "${tenant}" AND ${DuplicateOutcomeKey.name} = "NONE"`, [wfA, wfB]),
    ).toEqual([wfA, wfB].sort());

    // The status follows the run: after a promotion the run is found as REVIEW, no longer as DRAFT.
    const promoted = await api(stack, 'POST', `/runs/${first.body.runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Review' },
    });
    expect(promoted.status).toBe(200);
    expect(
      await listIds(`${TenantIdKey.name} = "${tenant}" AND ${GenerationStatusKey.name} = "REVIEW"`, [wfA]),
    ).toEqual([wfA]);
    expect(await listIds(`${TenantIdKey.name} = "${tenant}" AND ${GenerationStatusKey.name} = "DRAFT"`, [wfB])).toEqual(
      [wfB],
    );

    // The memo names the run (its redacted name) and who asked for it.
    const described = await stack.client.workflow.getHandle(wfA).describe();
    expect(described.memo).toMatchObject({ requestedBy: 'alice', capabilityName: 'Parcel Tracker' });
    expect(described.typedSearchAttributes.get(CapabilityKeyKey)).toBe(a.body.capabilityKey);
  });
});
