import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { validateTelemetryEvent } from '../../domain/telemetry-event-schema';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

const SETTLED = ['DRAFT', 'AWAITING_ADJUDICATION', 'BLOCKED', 'DENIED', 'FAILED', 'REJECTED'];

const intents = {
  weather: {
    name: 'Weather Forecast',
    problemStatement: 'Return the hourly weather forecast for a city for the next two days.',
    language: 'typescript',
    targetRuntime: 'node20',
  },
  invoice: {
    name: 'Invoice Totals',
    problemStatement: 'Extract the net, tax and gross totals from a supplier invoice document.',
    language: 'python',
    targetRuntime: 'python3.12',
  },
  denied: {
    name: 'Rust Compiler',
    problemStatement: 'Compile a crate with a pinned toolchain and return its diagnostics.',
    language: 'rust',
    targetRuntime: 'rust1.80',
  },
};

let env: TestWorkflowEnvironment;
let openai: FakeOpenAi;
let stack: Stack;
const tenant = uniqueTenant('sum');
const other = uniqueTenant('sum-other');

beforeAll(async () => {
  env = await startTemporalDevServer();
  openai = await startFakeOpenAi();
  stack = await startStack(env, {
    OPENAI_API_KEY: 'sk-test-fake-key-for-local-server',
    OPENAI_BASE_URL: openai.baseUrl,
    AI_MODEL_PROVIDERS: 'openai,local',
  });
  const author = await stack.token(tenant, ['capability-author']);
  const start = async (token: string, body: object) => {
    const res = await api(stack, 'POST', '/runs', { token, body });
    return res.body.runId as string;
  };
  // openai answers; openai refuses the key and the local runtime answers (a fallback); the
  // runtime is not admitted (denied by authority); the role is missing (denied at the edge).
  openai.script({ kind: 'completion', content: completionFor(intents.weather) });
  const a = await start(author, intents.weather);
  await waitForStatus(stack, author, a, SETTLED);
  openai.script({ kind: 'error', status: 401, message: 'bad key' });
  const b = await start(author, intents.invoice);
  await waitForStatus(stack, author, b, SETTLED);
  const c = await start(author, intents.denied);
  await waitForStatus(stack, author, c, SETTLED);
  await api(stack, 'POST', '/runs', {
    token: await stack.token(tenant, ['capability-reviewer']),
    body: intents.weather,
  });
  // Another tenant's run must not show up in this tenant's figures.
  const otherAuthor = await stack.token(other, ['capability-author']);
  openai.script({ kind: 'completion', content: completionFor(intents.weather) });
  await waitForStatus(stack, otherAuthor, await start(otherAuthor, intents.weather), SETTLED);
});

afterAll(async () => {
  await stack?.close();
  await openai?.close();
  await env?.teardown();
});

/** The same figures, computed from the telemetry ledger alone. */
async function fromLedger(tenantId: string) {
  const rows = await stack.db
    .selectFrom('telemetry_events')
    .select(['run_id', 'event_type', 'outcome', 'capability_key', 'sequence'])
    .where('tenant_id', '=', tenantId)
    .orderBy('sequence')
    .execute();
  const runs = new Set(rows.filter((r) => r.event_type === 'RUN_REQUESTED').map((r) => r.run_id));
  const status = new Map<string, string>();
  for (const r of rows) {
    if (r.event_type.startsWith('RUN_') && r.event_type !== 'RUN_REQUESTED')
      status.set(r.run_id, r.event_type.slice(4));
  }
  const byStatus: Record<string, number> = {};
  for (const s of status.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
  const fallbackRuns = new Set(
    rows.filter((r) => r.event_type === 'MODEL_FALLBACK' && r.outcome === 'FALLING_BACK').map((r) => r.run_id),
  ).size;
  const dup = { NONE: 0, POTENTIAL: 0, BLOCKING: 0 } as Record<string, number>;
  for (const r of rows.filter((x) => x.event_type === 'DUPLICATE_CHECKED')) dup[r.outcome] = (dup[r.outcome] ?? 0) + 1;
  const contract = { PASSED: 0, FAILED: 0 } as Record<string, number>;
  for (const r of rows.filter((x) => x.event_type === 'CONTRACT_VALIDATED')) {
    contract[r.outcome] = (contract[r.outcome] ?? 0) + 1;
  }
  const capabilities = new Set(rows.map((r) => r.capability_key));
  return { runs: runs.size, byStatus, fallbackRuns, dup, contract, capabilities };
}

describe('GET …/telemetry/summary', () => {
  it('gives the figures the ledger gives, grouped by capability and tenant-scoped', async () => {
    const token = await stack.token(tenant, ['admin']);
    const res = await api(stack, 'GET', '/telemetry/summary?groupBy=capability', { token });
    expect(res.status).toBe(200);
    const ledger = await fromLedger(tenant);
    expect(ledger.runs).toBe(4);
    expect(res.body.tenantId).toBe(tenant);
    expect(res.body.totals).toMatchObject({
      runs: ledger.runs,
      byStatus: ledger.byStatus,
      denied: ledger.byStatus.DENIED ?? 0,
      failed: ledger.byStatus.FAILED ?? 0,
      fallbackRuns: ledger.fallbackRuns,
      fallbackRate: ledger.fallbackRuns / ledger.runs,
    });
    expect(res.body.totals.denied).toBe(2);
    expect(res.body.totals.fallbackRuns).toBe(1);
    type Group = {
      key: string;
      duplicateOutcomes: Record<string, number>;
      contractOutcomes: Record<string, number>;
      durationMs: { p50: number | null; p95: number | null };
    };
    const groups = res.body.groups as Group[];
    expect(new Set(groups.map((g) => g.key))).toEqual(ledger.capabilities);
    const sum = (f: (g: Group) => number) => groups.reduce((n, g) => n + f(g), 0);
    for (const o of ['NONE', 'POTENTIAL', 'BLOCKING']) expect(sum((g) => g.duplicateOutcomes[o]!)).toBe(ledger.dup[o]);
    for (const o of ['PASSED', 'FAILED']) expect(sum((g) => g.contractOutcomes[o]!)).toBe(ledger.contract[o]);
    for (const g of groups) {
      expect(g.durationMs.p50).toEqual(expect.any(Number));
      expect(g.durationMs.p95!).toBeGreaterThanOrEqual(g.durationMs.p50!);
    }
  });

  it('groups by day', async () => {
    const token = await stack.token(tenant, ['admin']);
    const res = await api(stack, 'GET', '/telemetry/summary?groupBy=day', { token });
    expect(res.status).toBe(200);
    expect(res.body.groups).toHaveLength(1);
    expect(res.body.groups[0]).toMatchObject({ key: new Date().toISOString().slice(0, 10), runs: 4 });
  });

  it('groups by tenant only for platform admins, across tenants', async () => {
    const admin = await stack.token(tenant, ['admin']);
    expect((await api(stack, 'GET', '/telemetry/summary?groupBy=tenant', { token: admin })).status).toBe(403);
    const platform = await stack.token('platform', ['platform-admin']);
    const res = await api(stack, 'GET', '/telemetry/summary?groupBy=tenant', { token: platform });
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBeNull();
    const byTenant = Object.fromEntries(
      (res.body.groups as Array<{ key: string; runs: number }>).map((g) => [g.key, g.runs]),
    );
    expect(byTenant[tenant]).toBe(4);
    expect(byTenant[other]).toBe((await fromLedger(other)).runs);
  });

  it('refuses a bad range and a reader without an operator role', async () => {
    const admin = await stack.token(tenant, ['admin']);
    const backwards = await api(stack, 'GET', '/telemetry/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', {
      token: admin,
    });
    expect(backwards.status).toBe(400);
    const empty = await api(stack, 'GET', '/telemetry/summary?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z', {
      token: admin,
    });
    expect(empty.body).toMatchObject({ groups: [], totals: { runs: 0 } });
    const reader = await stack.token(tenant, ['capability-author']);
    expect((await api(stack, 'GET', '/telemetry/summary', { token: reader })).status).toBe(403);
  });

  it('recorded complete events for every run here, denials at the edge and by authority included', () => {
    const denials = stack.emitted.filter((e) => e.eventType === 'RUN_DENIED');
    expect(denials.length).toBeGreaterThanOrEqual(2);
    for (const e of stack.emitted) {
      expect({ event: e.eventType, problems: validateTelemetryEvent(e) }).toEqual({
        event: e.eventType,
        problems: null,
      });
    }
  });
});
