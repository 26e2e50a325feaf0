import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listRunLedger } from '../../db/repositories/runs';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { TenantIdKey } from '../../workflows/search-attributes';

const AUTHOR = ['capability-author'];
const body = {
  name: 'Invoice Parser',
  problemStatement: 'Extract totals and line items from an invoice PDF.',
  language: 'python',
  targetRuntime: 'python3.12',
};

let env: TestWorkflowEnvironment;
let stack: Stack;
let disabled: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env);
  disabled = await startStack(env, { AiGeneration__Enabled: 'false' });
});

afterAll(async () => {
  await disabled?.close();
  await stack?.close();
  await env?.teardown();
});

async function workflowsOfTenant(tenant: string): Promise<number> {
  let n = 0;
  for await (const _wf of env.client.workflow.list({ query: `${TenantIdKey.name} = "${tenant}"` })) n += 1;
  return n;
}

describe('the admin API', () => {
  it('rejects a body that sets an authority field with a 400 naming the field, and starts nothing', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    const res = await api(stack, 'POST', '/runs', {
      token,
      body: { ...body, roles: ['admin'], authority: { decision: 'ADMIT' } },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain('"roles"');
    expect(res.body.detail).toContain('"authority"');
    expect(res.body.invalidFields.map((f: { field: string }) => f.field)).toEqual(['roles', 'authority']);
    const tpl = await api(stack, 'POST', '/runs', { token, body: { ...body, promptTemplate: 'jailbreak@9' } });
    expect(tpl.status).toBe(400);
    expect(tpl.body.detail).toContain('"promptTemplate"');
    expect((await listRunLedger(stack.db, tenant, {}, { limit: 10 })).items).toEqual([]);
    expect(await workflowsOfTenant(tenant)).toBe(0);
  });

  it('rejects unknown fields and invalid values with the path of each problem', async () => {
    const token = await stack.token(uniqueTenant(), AUTHOR);
    const unknown = await api(stack, 'POST', '/runs', { token, body: { ...body, colour: 'blue' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('colour');
    const invalid = await api(stack, 'POST', '/runs', {
      token,
      body: { ...body, name: '', targetRuntime: 'Node 20!' },
    });
    expect(invalid.status).toBe(400);
    expect([...new Set(invalid.body.invalidFields.map((f: { field: string }) => f.field))].sort()).toEqual([
      'name',
      'targetRuntime',
    ]);
    const notJson = await api(stack, 'POST', '/runs', { token, rawBody: '{"name": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toContain('not valid JSON');
  });

  it('rejects a NUL character anywhere in the body with a 400 naming where, and starts nothing', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    const inText = await api(stack, 'POST', '/runs', {
      token,
      body: { ...body, problemStatement: 'Extract totals\u0000 and line items from an invoice.' },
    });
    expect(inText.status).toBe(400);
    expect(inText.body.invalidFields).toEqual([
      { field: 'problemStatement', message: 'must not contain the NUL character (U+0000)' },
    ]);
    const inSchema = await api(stack, 'POST', '/runs', {
      token,
      body: { ...body, seedInputSchema: { type: 'object', properties: { ['a\u0000b']: { type: 'string' } } } },
    });
    expect(inSchema.status).toBe(400);
    expect(inSchema.body.detail).toContain('body.seedInputSchema.properties.a\\u0000b');
    const inExample = await api(stack, 'POST', '/runs', { token, body: { ...body, examples: ['ok', 'x\u0000'] } });
    expect(inExample.body.invalidFields[0].field).toBe('examples.1');
    expect((await listRunLedger(stack.db, tenant, {}, { limit: 10 })).items).toEqual([]);
    expect(await workflowsOfTenant(tenant)).toBe(0);
  });

  it('requires X-Correlation-Id on mutating requests and echoes it on every response', async () => {
    const token = await stack.token(uniqueTenant(), AUTHOR);
    const missing = await api(stack, 'POST', '/runs', { token, body, correlationId: null });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain('X-Correlation-Id');
    const read = await api(stack, 'GET', '/runs', { token, correlationId: 'corr-read-12345' });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-correlation-id')).toBe('corr-read-12345');
  });

  it('answers with no-store and no ETag (responses are per caller, never cached)', async () => {
    const token = await stack.token(uniqueTenant(), AUTHOR);
    const res = await api(stack, 'GET', '/runs', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('answers 401 without a valid bearer token', async () => {
    expect((await api(stack, 'GET', '/runs')).status).toBe(401);
    const forged = await api(stack, 'GET', '/runs', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' });
    expect(forged.status).toBe(401);
  });

  it("answers 404 for an unknown run and for another tenant's run", async () => {
    const owner = uniqueTenant();
    const ownerToken = await stack.token(owner, AUTHOR);
    const started = await api(stack, 'POST', '/runs', { token: ownerToken, body });
    await waitForStatus(stack, ownerToken, started.body.runId, ['DRAFT']);
    const intruder = await stack.token(uniqueTenant(), ['admin']);
    for (const path of ['', '/duplicates', '/contracts']) {
      expect((await api(stack, 'GET', `/runs/${started.body.runId}${path}`, { token: intruder })).status).toBe(404);
    }
    expect((await api(stack, 'GET', `/prompts/${started.body.runId}`, { token: intruder })).status).toBe(404);
    const promote = await api(stack, 'POST', `/runs/${started.body.runId}/promote`, {
      token: intruder,
      body: { targetState: 'Review' },
    });
    expect(promote.status).toBe(404);
    expect((await api(stack, 'GET', '/runs', { token: intruder })).body.items).toEqual([]);
    const unknown = await api(stack, 'GET', '/runs/00000000-0000-4000-8000-000000000000', { token: ownerToken });
    expect(unknown.status).toBe(404);
    expect((await api(stack, 'GET', '/runs/not-a-uuid', { token: ownerToken })).status).toBe(400);
  });

  it('reports a just-started run as REQUESTED before its first row is written', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    // A run started on a task queue no worker polls: Temporal has it, PostgreSQL does not.
    const { createTemporalGateway } = await import('../../api/generation-gateway');
    const idle = createTemporalGateway(env.client, `idle-${tenant}`);
    const runId = '11111111-2222-4333-8444-' + tenant.slice(-8).padStart(12, '0');
    await idle.startRun({
      runId,
      tenantId: tenant,
      correlationId: 'corr-pending-1',
      principal: { subject: 'u', tenantId: tenant, roles: AUTHOR },
      intent: { ...body, seedInputSchema: null, examples: [] },
      requestedAtUtc: new Date().toISOString(),
    });
    const res = await api(stack, 'GET', `/runs/${runId}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId, status: 'REQUESTED', pending: true, executionSnapshotId: null });
    const other = await api(stack, 'GET', `/runs/${runId}`, { token: await stack.token(uniqueTenant(), AUTHOR) });
    expect(other.status).toBe(404);
    await env.client.workflow.getHandle(`ai-generation-run/${runId}`).terminate('test cleanup');
  });

  it('denies every run while generation is disabled, recording the decision', async () => {
    const tenant = uniqueTenant();
    const token = await disabled.token(tenant, ['admin']);
    const started = await api(disabled, 'POST', '/runs', { token, body });
    const done = await waitForStatus(disabled, token, started.body.runId, ['DENIED', 'DRAFT']);
    expect(done.body.status).toBe('DENIED');
    expect(done.body.authority).toMatchObject({ decision: 'DENY', reasonCode: 'GENERATION_DISABLED' });
    expect(done.body.telemetry.map((t: { eventType: string }) => t.eventType)).toContain('RUN_DENIED');
  });

  it('pages the ledger by cursor, newest first, with filters', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR);
    const ids: string[] = [];
    for (const name of ['Alpha Tool', 'Beta Tool', 'Gamma Tool']) {
      const r = await api(stack, 'POST', '/runs', { token, body: { ...body, name } });
      await waitForStatus(stack, token, r.body.runId, ['DRAFT']);
      ids.push(r.body.runId);
    }
    const first = await api(stack, 'GET', '/runs?limit=2', { token });
    expect(first.body.items.map((i: { runId: string }) => i.runId)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api(stack, 'GET', `/runs?limit=2&cursor=${first.body.nextCursor}`, { token });
    expect(second.body.items.map((i: { runId: string }) => i.runId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    const byKey = await api(stack, 'GET', '/runs?capabilityKey=beta-tool', { token });
    expect(byKey.body.items.map((i: { runId: string }) => i.runId)).toEqual([ids[1]]);
    expect((await api(stack, 'GET', '/runs?cursor=garbage', { token })).status).toBe(400);
    expect((await api(stack, 'GET', '/runs?status=NOPE', { token })).status).toBe(400);
  });
});
