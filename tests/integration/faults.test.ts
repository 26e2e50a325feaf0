import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { signToken } from '../../lib/tokens';
import { httpOk, waitUntil } from '../../scripts/dev/wait';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { PgCluster, sparePort } from '../helpers/pg-cluster';
import { ServiceProcess, TemporalProcess } from '../helpers/processes';
import { api, TEST_JWT, TEST_SECURITY_ENV, uniqueTenant, type ApiResponse } from '../helpers/stack';

/**
 * Faults, with real processes on loopback: a PostgreSQL cluster of this file's own (never the
 * machine's shared server), a Temporal dev server process with a SQLite file (so a restart keeps
 * its workflows), the worker and the API as separate processes (`worker.ts`, `api/main.ts`), and a
 * scripted OpenAI-shaped server that lets a test hold a run inside its model call.
 *
 * What every test checks: no run lost (each reaches its resting state), none duplicated (one row
 * per run in every table a run writes once), none stuck, and no process died unless killed.
 */

const INTENT = {
  name: 'Weather Lookup',
  problemStatement: 'Return the current weather for a city, given its name.',
  language: 'typescript',
  targetRuntime: 'node20',
};
/** A run at rest: done with everything that happens without a human. */
const RESTING = ['DRAFT', 'AWAITING_ADJUDICATION'];
const FINAL_BAD = ['FAILED', 'BLOCKED', 'DENIED', 'REJECTED'];
/** Tables a run writes exactly once on its way to Draft (each has a run_id column, or is the run). */
const ONCE_PER_RUN = [
  'execution_snapshots',
  'ai_generation_prompt_runs',
  'ai_generation_contract_drafts',
  'ai_generation_duplicate_checks',
];

let dir: string;
let cluster: PgCluster;
let db: Db;
let openai: FakeOpenAi;
let temporal: TemporalProcess;
let worker: ServiceProcess;
let apiProcess: ServiceProcess;
let url: string;

function logsOnFailure(): string {
  return [worker, apiProcess, temporal?.process]
    .filter(Boolean)
    .map((p) => `--- ${p.name} (${p.logFile}) ---\n${readFileSync(p.logFile, 'utf8').slice(-4_000)}`)
    .join('\n');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'toolnexus-faults-'));
  cluster = await PgCluster.create();
  const databaseUrl = await cluster.createDatabase('toolnexus');
  const migrator = createDb(databaseUrl, 1);
  await migrateToLatest(migrator);
  await migrator.destroy();
  db = createDb(databaseUrl, 3, { connectionTimeoutMillis: 2_000 });

  openai = await startFakeOpenAi();
  openai.otherwise({ kind: 'completion', content: completionFor(INTENT) });
  temporal = await TemporalProcess.start(dir);
  const port = await sparePort();
  url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_SECURITY_ENV,
    AI_GENERATION_ENVIRONMENT: 'test',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_SILENT: 'false',
    LOG_LEVEL: 'info',
    OPENAI_API_KEY: 'sk-test-fake-key-for-local-server',
    OPENAI_BASE_URL: openai.baseUrl,
    AI_MODEL_PROVIDERS: 'openai',
    DB_CONNECT_TIMEOUT_MS: '2000',
    TEMPORAL_RPC_TIMEOUT_MS: '2000',
  };
  worker = ServiceProcess.node('worker', 'worker.ts', env, path.join(dir, 'worker.log'));
  apiProcess = ServiceProcess.node('api', 'api/main.ts', env, path.join(dir, 'api.log'));
  worker.start();
  apiProcess.start();
  await waitUntil('the API to be ready', () => httpOk(`${url}/readyz`), 90_000);
}, 180_000);

afterAll(async () => {
  await apiProcess?.close();
  await worker?.close();
  await temporal?.process.close();
  await db?.destroy();
  await openai?.close();
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

afterEach(() => {
  // No process died on its own, whatever the test did to its dependencies.
  const died = [worker, apiProcess].filter((p) => p.unexpectedExits > 0);
  if (died.length > 0) throw new Error(`${died.map((p) => p.name).join(', ')} died\n${logsOnFailure()}`);
});

const author = (tenant: string) =>
  signToken({ subject: `author-${tenant}`, tenantId: tenant, roles: ['capability-author'] }, TEST_JWT);

async function startRun(tenant: string): Promise<{ runId: string; token: string }> {
  const token = await author(tenant);
  const res = await api({ url }, 'POST', '/runs', { token, body: INTENT });
  if (res.status !== 202) throw new Error(`POST /runs answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { runId: res.body.runId as string, token };
}

/** Polls until the run rests; an outage answer (503) in between is just another poll. */
async function waitForRest(runId: string, token: string, timeoutMs: number): Promise<ApiResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResponse | null = null;
  while (Date.now() < deadline) {
    last = await api({ url }, 'GET', `/runs/${runId}`, { token }).catch(() => null);
    if (last?.status === 200 && RESTING.includes(last.body.status)) return last;
    if (last?.status === 200 && FINAL_BAD.includes(last.body.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${runId} did not come to rest; last: ${JSON.stringify(last?.body)}\n${logsOnFailure()}`);
}

async function rowsPerRun(runIds: string[]): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  const runs = await sql<{ id: string }>`select id from ai_generation_runs where id in (${sql.join(runIds)})`.execute(
    db,
  );
  out.ai_generation_runs = runIds.map((id) => runs.rows.filter((r) => r.id === id).length);
  for (const table of ONCE_PER_RUN) {
    const r = await sql<{ run_id: string; n: number }>`
      select run_id, count(*)::int as n from ${sql.table(table)} where run_id in (${sql.join(runIds)}) group by run_id
    `.execute(db);
    out[table] = runIds.map((id) => r.rows.find((x) => x.run_id === id)?.n ?? 0);
  }
  const completions = await sql<{ run_id: string; n: number }>`
    select p.run_id, count(*)::int as n
      from ai_generation_prompt_artifacts a join ai_generation_prompt_runs p on p.id = a.prompt_run_id
     where p.run_id in (${sql.join(runIds)}) and a.kind = 'COMPLETION'
     group by p.run_id
  `.execute(db);
  out.completions = runIds.map((id) => completions.rows.find((x) => x.run_id === id)?.n ?? 0);
  return out;
}

function expectOneOfEach(rows: Record<string, number[]>, n: number): void {
  const ones = Array.from({ length: n }, () => 1);
  expect(rows).toEqual(Object.fromEntries(Object.keys(rows).map((k) => [k, ones])));
}

async function retryEvents(runIds: string[]): Promise<Array<{ event_type: string; step: string }>> {
  const r = await sql<{ event_type: string; step: string }>`
    select event_type, step from telemetry_events
     where run_id in (${sql.join(runIds)}) and event_type in ('ACTIVITY_ATTEMPT_FAILED', 'MODEL_ATTEMPT_FAILED')
  `.execute(db);
  return r.rows;
}

async function waitForModelCalls(count: number): Promise<void> {
  await waitUntil(`${count} model calls in flight`, async () => openai.requests.length >= count, 90_000);
}

describe('faults, with real processes', () => {
  it('a worker killed in the middle of a model call: a new worker completes the run, with no duplicate row', async () => {
    const before = openai.requests.length;
    openai.script({ kind: 'hang', ms: 60_000 });
    const { runId, token } = await startRun(uniqueTenant('kill'));
    await waitForModelCalls(before + 1);

    await worker.stop('SIGKILL');
    expect(worker.exits.at(-1)).toMatchObject({ signal: 'SIGKILL', expected: true });
    worker.start();

    const rested = await waitForRest(runId, token, 150_000);
    expect(RESTING).toContain(rested.body.status);
    expect(openai.requests.length).toBeGreaterThanOrEqual(before + 2); // the model was asked again
    expectOneOfEach(await rowsPerRun([runId]), 1);
    // The attempt the crash cut short is on the record, written by the attempt that retried it.
    const lost = await sql<{ kind: string; attempt: number; error_type: string | null }>`
      select a.kind, a.attempt, a.error_type
        from ai_generation_prompt_artifacts a join ai_generation_prompt_runs p on p.id = a.prompt_run_id
       where p.run_id = ${runId} order by a.attempt
    `.execute(db);
    expect(lost.rows.map((r) => r.kind)).toEqual(['FAILED_ATTEMPT', 'COMPLETION']);
  }, 200_000);

  it('PostgreSQL restarted mid-run: no process dies, outages answer 503, runs complete once, retries are on the ledger', async () => {
    const before = openai.requests.length;
    // Each model call takes 3 s: the runs are inside it when the database goes away.
    openai.otherwise({ kind: 'completion', content: completionFor(INTENT), delayMs: 3_000 });
    const started = await Promise.all([1, 2, 3].map(() => startRun(uniqueTenant('pg'))));
    await waitForModelCalls(before + started.length);

    await cluster.stop('fast');
    try {
      const [read, ready, live] = await Promise.all([
        api({ url }, 'GET', `/runs/${started[0]!.runId}`, { token: started[0]!.token }),
        fetch(`${url}/readyz`),
        fetch(`${url}/healthz`),
      ]);
      expect(read.status).toBe(503);
      expect(read.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(read.body).toMatchObject({ status: 503, dependency: 'postgresql' });
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();
      expect(await ready.json()).toMatchObject({
        checks: { postgresql: { status: 'unavailable' }, temporal: { status: 'ok' } },
      });
      expect(live.status).toBe(200);
      // Past the model calls' end: their writes meet the outage and are retried.
      await new Promise((r) => setTimeout(r, 5_000));
    } finally {
      await cluster.start();
    }

    const ids = started.map((s) => s.runId);
    for (const s of started) await waitForRest(s.runId, s.token, 150_000);
    expect(worker.running && apiProcess.running).toBe(true);
    expectOneOfEach(await rowsPerRun(ids), ids.length);
    expect((await retryEvents(ids)).length).toBeGreaterThan(0);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    openai.otherwise({ kind: 'completion', content: completionFor(INTENT) });
  }, 240_000);

  it('Temporal restarted mid-run: a run accepted while it is down starts when it returns, retried on the record', async () => {
    const before = openai.requests.length;
    openai.otherwise({ kind: 'completion', content: completionFor(INTENT), delayMs: 2_000 });
    const started = await Promise.all([1, 2, 3].map(() => startRun(uniqueTenant('tmp'))));
    await waitForModelCalls(before + started.length);

    await temporal.stop();
    let whileDown: { runId: string; token: string };
    try {
      // Accepting does not wait on Temporal: the run is committed to the start outbox.
      const t0 = Date.now();
      whileDown = await startRun(uniqueTenant('down'));
      expect(Date.now() - t0).toBeLessThan(8_000);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { temporal: { status: 'unavailable' } } });
      // Its start fails and is retried, each attempt on its row and visible on the run.
      await waitUntil(
        'a second start attempt',
        async () => {
          const res = await api({ url }, 'GET', `/runs/${whileDown.runId}`, { token: whileDown.token });
          return res.status === 200 && res.body.workflowStatus === 'NOT_STARTED' && res.body.startAttempts >= 2;
        },
        30_000,
      );
      const row = await sql<{ started_at_utc: Date | null; last_error: string | null }>`
        select started_at_utc, last_error from ai_generation_run_starts where run_id = ${whileDown.runId}
      `.execute(db);
      expect(row.rows).toHaveLength(1);
      expect(row.rows[0]!.started_at_utc).toBeNull();
      expect(row.rows[0]!.last_error).toMatch(/\S/);
    } finally {
      await temporal.start();
    }

    const all = [...started, whileDown];
    const ids = all.map((s) => s.runId);
    for (const s of all) await waitForRest(s.runId, s.token, 150_000);
    expect(worker.running && apiProcess.running).toBe(true);
    expectOneOfEach(await rowsPerRun(ids), ids.length);
    const starts = await sql<{ n: number }>`
      select count(*)::int as n from ai_generation_run_starts where run_id in (${sql.join(ids)}) and started_at_utc is not null
    `.execute(db);
    expect(starts.rows[0]!.n).toBe(ids.length);
    openai.otherwise({ kind: 'completion', content: completionFor(INTENT) });
  }, 240_000);

  it('a run accepted while Temporal is frozen, and its retry with the same Idempotency-Key, make one run', async () => {
    const tenant = uniqueTenant('idem');
    const token = await author(tenant);
    const key = `idem-${tenant}-0001`;
    const post = async (): Promise<ApiResponse> => {
      const res = await fetch(`${url}/api/admin/ai-generation/runs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-correlation-id': `corr-${key}`,
          'idempotency-key': key,
        },
        body: JSON.stringify(INTENT),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
    };

    // Frozen, not gone: the connection stays open and nothing answers, the worst case for a client.
    temporal.process.signal('SIGSTOP');
    let first: ApiResponse;
    let again: ApiResponse;
    try {
      const t0 = Date.now();
      first = await post();
      expect(Date.now() - t0).toBeLessThan(8_000);
      // A client that did not hear the answer retries: the original answer, the same run.
      again = await post();
    } finally {
      temporal.process.signal('SIGCONT');
    }
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.runId).toBe(first.body.runId);
    const runId = first.body.runId as string;

    const rested = await waitForRest(runId, token, 120_000);
    expect(RESTING).toContain(rested.body.status);
    const runs = await sql<{ id: string }>`select id from ai_generation_runs where tenant_id = ${tenant}`.execute(db);
    expect(runs.rows).toEqual([{ id: runId }]);
    expectOneOfEach(await rowsPerRun([runId]), 1);
  }, 200_000);
});
