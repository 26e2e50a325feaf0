import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SignJWT } from 'jose';
import { createApp, startServer, stopServer } from '../../api/app';
import { ROUTE_ROLES } from '../../api/authorization';
import { createTemporalGateway } from '../../api/generation-gateway';
import { appSecurityFrom, authOptionsFrom } from '../../api/security';
import { insertRun } from '../../db/repositories/runs';
import { signDecision } from '../../lib/decision-signing';
import { createLogger } from '../../lib/logger';
import { dataConverterFor } from '../../lib/payload-codec';
import { signToken } from '../../lib/tokens';
import { generationRunWorkflowId } from '../../workflows/ids';
import { promoteUpdate } from '../../workflows/messages';
import { TenantIdKey } from '../../workflows/search-attributes';
import { api, startStack, TEST_JWT, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

const ALL_ROLES = ['admin', 'capability-author', 'capability-reviewer', 'platform-admin'];
const body = (name = 'Invoice Parser') => ({
  name,
  problemStatement: 'Extract totals and line items from an invoice PDF.',
  language: 'python',
  targetRuntime: 'python3.12',
});

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

async function raw(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {},
) {
  const headers: Record<string, string> = { 'x-correlation-id': `corr-${randomUUID()}`, ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${opts.base ?? stack.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function draftRun(tenant: string, subject = 'alice', name = 'Invoice Parser'): Promise<string> {
  const token = await stack.token(tenant, ['capability-author'], subject);
  const started = await api(stack, 'POST', '/runs', { token, body: body(name) });
  expect(started.status).toBe(202);
  await waitForStatus(stack, token, started.body.runId, ['DRAFT']);
  return started.body.runId;
}

describe('tokens at the API', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (tenant: string) => ({
    sub: 'alice',
    tenant,
    roles: ['admin'],
    iss: TEST_JWT.issuer,
    aud: TEST_JWT.audience,
    iat: now(),
    exp: now() + 600,
  });
  const hs = (payload: Record<string, unknown>, alg = 'HS256', secret = TEST_JWT.secret) =>
    new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it.each<[string, (tenant: string) => Promise<string>]>([
    ['forged (another secret)', (t) => hs(claims(t), 'HS256', 'f'.repeat(40))],
    ['expired', (t) => hs({ ...claims(t), iat: now() - 100, exp: now() - 10 })],
    ['exp-less', (t) => hs({ ...claims(t), exp: undefined })],
    ['for another audience', (t) => hs({ ...claims(t), aud: 'someone-else' })],
    ['alg none', async (t) => `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims(t))}.`],
    ['HS512', (t) => hs(claims(t), 'HS512')],
    ['role-less', (t) => hs({ ...claims(t), roles: [] })],
    ['with only unknown roles', (t) => hs({ ...claims(t), roles: ['viewer', 'root'] })],
    ['older than the maximum age', (t) => hs({ ...claims(t), iat: now() - 13 * 3600, exp: now() + 600 })],
  ])('answers 401 to a token that is %s', async (_title, make) => {
    const tenant = uniqueTenant();
    const res = await api(stack, 'GET', '/runs', { token: await make(tenant) });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const post = await api(stack, 'POST', '/runs', { token: await make(tenant), body: body() });
    expect(post.status).toBe(401);
    const rows = await stack.db.selectFrom('ai_generation_runs').select('id').where('tenant_id', '=', tenant).execute();
    expect(rows).toEqual([]);
  });
});

describe('the route × role matrix', () => {
  it('lets each role call exactly the routes the authorization table gives it', async () => {
    const tenant = uniqueTenant();
    const runId = await draftRun(tenant, 'matrix-author');
    const paths: Record<string, string> = { ':runId': runId, ':key': 'AiGeneration:Enabled', ':capabilityKey': 'x' };
    const fill = (p: string) => p.replace(/:[A-Za-z]+/g, (m) => paths[m] ?? 'x');
    const seen: string[] = [];
    for (const rule of ROUTE_ROLES) {
      for (const role of ALL_ROLES) {
        const token = await stack.token(tenant, [role], `matrix-${role}`);
        // Bodies that fail validation: an allowed caller gets past authorization (400/404/409), a
        // refused one stops at 403. POST /runs is the exception: a refusal is recorded there.
        const startsRun = rule.method === 'POST' && rule.path === '/runs';
        const res = await raw(rule.method, `/api/admin/ai-generation${fill(rule.path)}`, {
          token,
          body: rule.method === 'GET' ? undefined : startsRun ? body(`Matrix ${role}`) : { unexpected: true },
        });
        const allowed = rule.roles.includes(role);
        const label = `${rule.method} ${rule.path} as ${role} → ${res.status}`;
        seen.push(label);
        if (allowed) expect({ label, forbidden: res.status === 403 }).toEqual({ label, forbidden: false });
        else expect({ label, status: res.status }).toEqual({ label, status: 403 });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    }
    expect(seen.length).toBe(ROUTE_ROLES.length * ALL_ROLES.length);
  });

  it('closes routes missing from the table', async () => {
    const token = await stack.token(uniqueTenant(), ['admin']);
    const res = await api(stack, 'DELETE', `/runs/${randomUUID()}`, { token });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('no authorization rule');
  });
});

describe('POST /runs refused for a missing role', () => {
  it('leaves the attempt, a DENY decision and its telemetry, and starts no workflow', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, ['capability-reviewer'], 'rita');
    const emittedBefore = stack.emitted.length;
    const res = await api(stack, 'POST', '/runs', { token, body: body() });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      status: 403,
      runStatus: 'DENIED',
      reasonCode: 'ROLE_MISSING',
      executionSnapshotId: null,
    });
    const runId = res.body.runId as string;
    const run = await stack.db.selectFrom('ai_generation_runs').selectAll().where('id', '=', runId).executeTakeFirst();
    expect(run).toMatchObject({ tenant_id: tenant, status: 'DENIED', requested_by: 'rita' });
    // Correlation ids are stored namespaced by tenant.
    expect(run!.correlation_id.startsWith(`${tenant}/corr-`)).toBe(true);
    const decisions = await stack.db
      .selectFrom('governance_decisions')
      .selectAll()
      .where('run_id', '=', runId)
      .execute();
    expect(decisions.map((d) => [d.kind, d.decision, d.reason_code])).toEqual([['AUTHORITY', 'DENY', 'ROLE_MISSING']]);
    const events = await stack.db
      .selectFrom('telemetry_events')
      .select(['event_type', 'outcome'])
      .where('run_id', '=', runId)
      .orderBy('event_type')
      .execute();
    expect(events.map((e) => e.event_type).sort()).toEqual(['AUTHORITY_RESOLVED', 'RUN_DENIED', 'RUN_REQUESTED']);
    // Only this run's: runs of earlier tests may still be emitting in the background.
    expect(
      stack.emitted
        .slice(emittedBefore)
        .filter((e) => e.fields.generationRunId === runId)
        .map((e) => e.eventType),
    ).toEqual(['RUN_REQUESTED', 'AUTHORITY_RESOLVED', 'RUN_DENIED']);
    let workflows = 0;
    for await (const _wf of env.client.workflow.list({ query: `${TenantIdKey.name} = "${tenant}"` })) workflows += 1;
    expect(workflows).toBe(0);
  });
});

describe('four eyes', () => {
  it.each(['alice', 'Alice', 'ALICE', 'аlice' /* Cyrillic а */])(
    'refuses a review of alice’s run by %j, and records nothing',
    async (subject) => {
      const tenant = uniqueTenant();
      const runId = await draftRun(tenant, 'alice');
      const token = await stack.token(tenant, ['capability-reviewer', 'admin'], subject);
      const res = await api(stack, 'POST', `/runs/${runId}/promote`, { token, body: { targetState: 'Review' } });
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain('other than the requester');
      expect(res.body.executionSnapshotId).toMatch(/^[0-9a-f-]{36}$/);
      const promotions = await stack.db
        .selectFrom('ai_generation_contract_promotions')
        .select('id')
        .where('run_id', '=', runId)
        .execute();
      expect(promotions).toEqual([]);
    },
  );
});

describe('no side doors into Temporal', () => {
  it('refuses and records an unsigned or mis-signed update sent straight to Temporal', async () => {
    const tenant = uniqueTenant();
    const runId = await draftRun(tenant, 'alice');
    const handle = stack.client.workflow.getHandle(generationRunWorkflowId(runId));
    const forged = {
      targetState: 'Review' as const,
      comment: 'side door',
      reviewer: { subject: 'mallory', tenantId: tenant, roles: ['admin'] },
      correlationId: 'corr-side-door',
    };
    await expect(handle.executeUpdate(promoteUpdate, { args: [forged] })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    const misSigned = signDecision(
      'not-the-server-key-0123456789-0123456789',
      { runId, action: 'promote', ttlSeconds: 60, now: new Date() },
      forged,
    );
    const refusalOf = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (err: WorkflowUpdateFailedError) => err.cause?.message ?? err.message,
      );
    expect(await refusalOf(handle.executeUpdate(promoteUpdate, { args: [misSigned] }))).toMatch(/does not verify/);
    const genuineButForOtherRun = signDecision(
      stack.config.decisionSigningKey,
      { runId: randomUUID(), action: 'promote', ttlSeconds: 60, now: new Date() },
      forged,
    );
    expect(await refusalOf(handle.executeUpdate(promoteUpdate, { args: [genuineButForOtherRun] }))).toMatch(
      /another run/,
    );

    const refusals = await stack.db
      .selectFrom('telemetry_events')
      .select(['event_type', 'outcome', 'fields'])
      .where('run_id', '=', runId)
      .where('event_type', '=', 'DECISION_REFUSED')
      .execute();
    expect(refusals).toHaveLength(3);
    expect(refusals.map((r) => String(r.fields.details.reason)).sort()).toEqual([
      'decision is not signed by the API',
      'decision signature does not verify',
      'decision was signed for another run',
    ]);
    const promotions = await stack.db
      .selectFrom('ai_generation_contract_promotions')
      .select('id')
      .where('run_id', '=', runId)
      .execute();
    expect(promotions).toEqual([]);
    expect(
      (await api(stack, 'GET', `/runs/${runId}`, { token: await stack.token(tenant, ['admin']) })).body.status,
    ).toBe('DRAFT');

    // Through the API the same reviewer decision is signed and accepted.
    const bob = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const ok = await api(stack, 'POST', `/runs/${runId}/promote`, { token: bob, body: { targetState: 'Review' } });
    expect(ok.status).toBe(200);
  });

  it('keeps payloads in Temporal encrypted with the key id in their metadata', async () => {
    const tenant = uniqueTenant();
    const runId = await draftRun(tenant, 'alice', 'Cipher Check Tool');
    const history = await env.client.workflow.getHandle(generationRunWorkflowId(runId)).fetchHistory();
    const started = history.events?.find(
      (e) => e.workflowExecutionStartedEventAttributes,
    )?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    expect(Buffer.from(payload?.metadata?.encoding ?? new Uint8Array()).toString()).toBe('binary/encrypted');
    expect(Buffer.from(payload?.metadata?.['encryption-key-id'] ?? new Uint8Array()).toString()).toBe('test-k1');
    expect(JSON.stringify(history)).not.toContain('Cipher Check Tool');
    // A client without the key cannot read the run's input; one with it can.
    const plain = new Client({ connection: env.connection });
    await expect(plain.workflow.getHandle(generationRunWorkflowId(runId)).query('runState')).rejects.toThrow();
  });
});

describe('the codec endpoint for the Temporal Web UI', () => {
  it('decodes for an operator from an allowed origin, and refuses others', async () => {
    const codec = dataConverterFor(stack.config.payloadCodecKey)!.payloadCodecs[0]!;
    const [encoded] = await codec.encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hello"') },
    ]);
    const wire = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(encoded!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
          ),
          data: Buffer.from(encoded!.data!).toString('base64'),
        },
      ],
    };
    const tenant = uniqueTenant();
    const admin = await stack.token(tenant, ['admin']);
    const origin = 'http://localhost:8233';
    const res = await raw('POST', '/codec/decode', { token: admin, body: wire, headers: { origin } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(Buffer.from(res.body.payloads[0].data, 'base64').toString()).toBe('"hello"');
    const preflight = await fetch(`${stack.url}/codec/decode`, { method: 'OPTIONS', headers: { origin } });
    expect(preflight.status).toBe(204);
    const evil = await fetch(`${stack.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil' } });
    expect(evil.status).toBe(403);
    expect((await raw('POST', '/codec/decode', { body: wire })).status).toBe(401);
    const author = await stack.token(tenant, ['capability-author']);
    expect((await raw('POST', '/codec/decode', { token: author, body: wire })).status).toBe(403);
  });
});

describe('idempotency, limits and timeouts', () => {
  it('answers a retried POST /runs with the original 202 and run id, and a reused key with another body with 409', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, ['capability-author']);
    const key = `idem-${randomUUID()}`;
    const first = await raw('POST', '/api/admin/ai-generation/runs', {
      token,
      body: body('Idempotent Parser'),
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(202);
    const again = await raw('POST', '/api/admin/ai-generation/runs', {
      token,
      body: body('Idempotent Parser'),
      headers: { 'idempotency-key': key },
    });
    expect(again.status).toBe(202);
    expect(again.body.runId).toBe(first.body.runId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await raw('POST', '/api/admin/ai-generation/runs', {
      token,
      body: body('Another Parser'),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(409);
    await waitForStatus(stack, token, first.body.runId, ['DRAFT']);
    const runs = await stack.db.selectFrom('ai_generation_runs').select('id').where('tenant_id', '=', tenant).execute();
    expect(runs.map((r) => r.id)).toEqual([first.body.runId]);
    let workflows = 0;
    for await (const _wf of env.client.workflow.list({ query: `${TenantIdKey.name} = "${tenant}"` })) workflows += 1;
    expect(workflows).toBe(1);
  });

  it('gives a retried promotion (same Idempotency-Key) the original answer', async () => {
    const tenant = uniqueTenant();
    const runId = await draftRun(tenant, 'alice');
    const bob = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const headers = { 'idempotency-key': `promote-${randomUUID()}` };
    const path = `/api/admin/ai-generation/runs/${runId}/promote`;
    const first = await raw('POST', path, { token: bob, body: { targetState: 'Review' }, headers });
    const retry = await raw('POST', path, { token: bob, body: { targetState: 'Review' }, headers });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.promotionId).toBe(first.body.promotionId);
    const promotions = await stack.db
      .selectFrom('ai_generation_contract_promotions')
      .select('id')
      .where('run_id', '=', runId)
      .execute();
    expect(promotions).toHaveLength(1);
  });

  describe('with tight limits and no worker', () => {
    let server: Server;
    let base: string;
    const idleQueue = `idle-${randomUUID()}`;

    beforeAll(async () => {
      const client = new Client({
        connection: env.connection,
        dataConverter: dataConverterFor(stack.config.payloadCodecKey),
      });
      const app = createApp({
        db: stack.db,
        gateway: createTemporalGateway(client, idleQueue, { updateTimeoutMs: 1500 }),
        logger: createLogger('error', 'test'),
        auth: authOptionsFrom(stack.config),
        exposeStackTraces: false,
        security: { ...appSecurityFrom(stack.config), runsPerMinutePerPrincipal: 2, maxRunsInFlightPerTenant: 3 },
      });
      ({ server, url: base } = await startServer(app, 0));
    });
    afterAll(async () => server && (await stopServer(server)));

    it('answers 429 with Retry-After past the per-principal limit', async () => {
      const token = await stack.token(uniqueTenant(), ['capability-author'], 'busy');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await raw('POST', '/api/admin/ai-generation/runs', { base, token, body: body(`Busy Tool ${i}`) });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([202, 202, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.headers.get('content-type')).toContain('application/problem+json');
    });

    it('answers 429 when the tenant already has its cap of runs in flight', async () => {
      const tenant = uniqueTenant();
      for (let i = 0; i < 3; i++) {
        await insertRun(stack.db, {
          id: randomUUID(),
          tenant_id: tenant,
          correlation_id: `corr-${i}`,
          workflow_id: `wf-${i}`,
          requested_by: 'x',
          capability_key: `k-${i}`,
          capability_name: `K ${i}`,
          language: 'python',
          target_runtime: 'python3.12',
          intent: JSON.stringify({}),
          status: 'RUNNING',
          created_at_utc: new Date().toISOString(),
        });
      }
      const token = await stack.token(tenant, ['capability-author'], 'capped');
      const res = await raw('POST', '/api/admin/ai-generation/runs', { base, token, body: body() });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('5');
    });

    it('holds the cap when a burst of runs of one tenant arrives at once', async () => {
      const tenant = uniqueTenant();
      const tokens = await Promise.all(
        Array.from({ length: 8 }, (_, i) => stack.token(tenant, ['capability-author'], `burst-${i}`)),
      );
      const answers = await Promise.all(
        tokens.map((token, i) =>
          raw('POST', '/api/admin/ai-generation/runs', { base, token, body: body(`Burst Tool ${i}`) }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
      const rows = await stack.db
        .selectFrom('ai_generation_run_starts')
        .select('run_id')
        .where('tenant_id', '=', tenant)
        .execute();
      expect(rows.map((r) => r.run_id).sort()).toEqual(
        answers
          .filter((a) => a.status === 202)
          .map((a) => a.body.runId as string)
          .sort(),
      );
    });

    it('answers 503 problem+json when no worker answers an update', async () => {
      const tenant = uniqueTenant();
      const token = await stack.token(tenant, ['capability-author'], 'alice');
      const started = await raw('POST', '/api/admin/ai-generation/runs', { base, token, body: body('Idle Tool') });
      expect(started.status).toBe(202);
      const runId = started.body.runId as string;
      await insertRun(stack.db, {
        id: runId,
        tenant_id: tenant,
        correlation_id: 'corr-idle',
        workflow_id: generationRunWorkflowId(runId),
        requested_by: 'alice',
        capability_key: 'idle-tool',
        capability_name: 'Idle Tool',
        language: 'python',
        target_runtime: 'python3.12',
        intent: JSON.stringify({}),
        status: 'DRAFT',
        created_at_utc: new Date().toISOString(),
      });
      const bob = await stack.token(tenant, ['capability-reviewer'], 'bob');
      const t0 = Date.now();
      const res = await raw('POST', `/api/admin/ai-generation/runs/${runId}/promote`, {
        base,
        token: bob,
        body: { targetState: 'Review' },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toContain('no worker answered');
      expect(res.body.runId).toBe(runId);
      expect(Date.now() - t0).toBeLessThan(15_000);
      await env.client.workflow.getHandle(generationRunWorkflowId(runId)).terminate('test cleanup');
    });
  });
});

describe('the HTTP edge', () => {
  it('sends helmet headers, a CSP without inline script, and no-store on API responses', async () => {
    const token = await stack.token(uniqueTenant(), ['admin']);
    const res = await raw('GET', '/api/admin/ai-generation/runs', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const admin = await fetch(`${stack.url}/admin/`);
    expect(admin.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it.each(['not-base64!!', 'eyJub3QiOiJhIGN1cnNvciJ9', 'x'.repeat(400)])(
    'answers 400 to the malformed cursor %j',
    async (cursor) => {
      const token = await stack.token(uniqueTenant(), ['admin']);
      const res = await api(stack, 'GET', `/runs?cursor=${encodeURIComponent(cursor)}`, { token });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    },
  );

  it('never sends stack traces unless EXPOSE_STACK_TRACES is set', async () => {
    const token = await signToken({ subject: 'a', tenantId: uniqueTenant(), roles: ['admin'] }, { ...TEST_JWT });
    const res = await api(stack, 'GET', `/runs?limit=0`, { token });
    expect(res.status).toBe(400);
    expect(res.body.stack).toBeUndefined();
  });
});
