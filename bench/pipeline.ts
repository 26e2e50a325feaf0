import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Pool } from 'pg';
import { TenantIdKey } from '../workflows/search-attributes';
import type { noopReference } from './noop/workflows';
import { BENCH_DATABASE_URL, note } from './lib/env';
import { request } from './lib/http';
import { NOOP_TASK_QUEUE, type ApiEndpoint, type BenchServers } from './lib/servers';
import { cpuMeter, mapConcurrent, sleep, summarize, type Summary } from './lib/stats';

/**
 * The pipeline against its fixed reference (8 no-op regular activities), one at a time and under
 * load. Ours is timed from the ledger's own timestamps: the run row's `created_at_utc` (stamped by
 * the API when the request arrives) to its `RUN_DRAFT` telemetry event (committed with the status
 * change). The reference is timed from just before the start request to Temporal's own close time.
 *
 * Each run has a tenant of its own: the duplicate check compares a run with its tenant's catalog and
 * in-flight runs, and bench runs are alike (same local model, same runtime), so in one tenant they
 * would wait for adjudication instead of reaching Draft. The duplicate check's cost at catalog scale
 * is measured on its own (the duplicates part).
 */

const SETTLED = ['DRAFT', 'AWAITING_ADJUDICATION', 'BLOCKED', 'FAILED', 'DENIED', 'REJECTED'];

/** Varied, unrelated names, so no run is another's duplicate and every run reaches Draft. */
function distinctName(): string {
  const syllables = ['ka', 'lo', 'mir', 'tus', 've', 'dra', 'no', 'pel', 'shi', 'qua', 'ron', 'zet', 'bi', 'fu'];
  const bytes = randomBytes(9);
  const word = (o: number) => Array.from({ length: 3 }, (_, i) => syllables[bytes[o + i]! % syllables.length]).join('');
  const w = [word(0), word(3), word(6)];
  return w.map((s) => s[0]!.toUpperCase() + s.slice(1)).join(' ');
}

export interface RunClient {
  api: ApiEndpoint;
  observer: Pool;
  /** Tenants of this part start with it: `<prefix>-<n>`. */
  prefix: string;
}

function runClient(api: ApiEndpoint, prefix: string): RunClient {
  return { api, prefix, observer: new Pool({ connectionString: BENCH_DATABASE_URL, max: 2 }) };
}

interface Author {
  tenantId: string;
  token: string;
}

/** Tokens are signed before the clock starts. */
async function authors(c: RunClient, from: number, count: number): Promise<Author[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const tenantId = `${c.prefix}-${from + i}`;
      return { tenantId, token: await c.api.token(tenantId, ['capability-author'], `bench-author-${from + i}`) };
    }),
  );
}

interface Posted {
  runId: string;
  tenantId: string;
  postMs: number;
}

/** POST /runs; returns the run id and how long the API took to answer 202. */
async function postRun(c: RunClient, author: Author): Promise<Posted> {
  const name = distinctName();
  const started = performance.now();
  const res = await request(`${c.api.url}/api/admin/ai-generation/runs`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${author.token}`,
      'content-type': 'application/json',
      'x-correlation-id': `bench-${randomUUID()}`,
    },
    body: JSON.stringify({
      name,
      problemStatement: `Bench capability ${name}: return a deterministic summary of the given input record`,
      language: 'typescript',
      targetRuntime: 'node20',
    }),
  });
  const postMs = performance.now() - started;
  const text = res.text;
  if (res.status !== 202) throw new Error(`POST /runs answered ${res.status}: ${text.slice(0, 500)}`);
  const { runId } = JSON.parse(text) as { runId: string };
  return { runId, tenantId: author.tenantId, postMs };
}

interface Settled {
  id: string;
  status: string;
  failureReason: string | null;
  createdMs: number;
  draftMs: number | null;
}

async function readRuns(c: RunClient, runs: Posted[]): Promise<Settled[]> {
  const { rows } = await c.observer.query<{
    id: string;
    status: string;
    failure_reason: string | null;
    created_ms: string;
    draft_ms: string | null;
  }>({
    name: 'bench-read-runs',
    text: `select r.id, r.status, r.failure_reason,
                  extract(epoch from r.created_at_utc) * 1000 as created_ms,
                  (select extract(epoch from min(t.occurred_at_utc)) * 1000 from telemetry_events t
                    where t.tenant_id = r.tenant_id and t.run_id = r.id and t.event_type = 'RUN_DRAFT') as draft_ms
             from ai_generation_runs r
            where (r.tenant_id, r.id) in (select * from unnest($1::text[], $2::uuid[]))`,
    values: [runs.map((r) => r.tenantId), runs.map((r) => r.runId)],
  });
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    failureReason: r.failure_reason,
    createdMs: Number(r.created_ms),
    draftMs: r.draft_ms === null ? null : Number(r.draft_ms),
  }));
}

function isSettled(r: Settled): boolean {
  return r.status === 'DRAFT' ? r.draftMs !== null : SETTLED.includes(r.status);
}

/** Waits until every run has settled at the policy gate; throws (loudly) on any that is not Draft. */
async function waitForDraft(c: RunClient, runs: Posted[], timeoutMs: number, pollMs: number): Promise<Settled[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readRuns(c, runs);
    if (rows.length === runs.length && rows.every(isSettled)) {
      const notDraft = rows.filter((r) => r.status !== 'DRAFT');
      if (notDraft.length > 0) {
        const sample = notDraft.slice(0, 3).map((r) => `${r.id} ${r.status}: ${r.failureReason ?? ''}`);
        throw new Error(`${notDraft.length} run(s) settled without reaching Draft, e.g. ${sample.join(' | ')}`);
      }
      return rows;
    }
    if (Date.now() > deadline) {
      const pending = runs.length - rows.filter(isSettled).length;
      throw new Error(`${pending} of ${runs.length} run(s) did not reach Draft within ${timeoutMs} ms`);
    }
    await sleep(pollMs);
  }
}

async function oneRun(c: RunClient, author: Author): Promise<number> {
  const posted = await postRun(c, author);
  const [row] = await waitForDraft(c, [posted], 60_000, 10);
  return row!.draftMs! - row!.createdMs;
}

type NoopHandle = WorkflowHandle<typeof noopReference>;

async function startNoop(client: Client, label: string): Promise<{ handle: NoopHandle; t0: number }> {
  const t0 = Date.now();
  const handle = await client.workflow.start<typeof noopReference>('noopReference', {
    taskQueue: NOOP_TASK_QUEUE,
    workflowId: `bench-noop/${label}/${randomUUID()}`,
    args: [],
    typedSearchAttributes: [{ key: TenantIdKey, value: label }],
  });
  return { handle, t0 };
}

async function closeTimeMs(handle: NoopHandle): Promise<number> {
  const steps = await handle.result();
  if (steps !== 8) throw new Error(`the reference ran ${steps} steps, not 8`);
  const d = await handle.describe();
  if (!d.closeTime) throw new Error(`reference ${handle.workflowId} has no close time`);
  return d.closeTime.getTime();
}

async function oneNoop(client: Client, label: string): Promise<number> {
  const { handle, t0 } = await startNoop(client, label);
  return (await closeTimeMs(handle)) - t0;
}

export interface PipelineResult {
  pipeline: Summary;
  noop: Summary;
}

/**
 * Sequential runs in interleaved batches (ours, reference, reference, ours, …), so drift on a
 * busy machine hits both sides alike. Two warm-up runs of each are not counted.
 */
export async function benchPipeline(
  servers: Pick<BenchServers, 'api' | 'client'>,
  opts: { runs: number; batch: number },
): Promise<PipelineResult> {
  const client = servers.client;
  const c = runClient(servers.api, `bench-seq-${randomUUID().slice(0, 8)}`);
  const label = `bench-noop-seq-${randomUUID().slice(0, 8)}`;
  try {
    const tenants = await authors(c, 0, opts.runs + 2);
    for (let i = 0; i < 2; i++) {
      await oneRun(c, tenants.pop()!);
      await oneNoop(client, label);
    }
    const ours: number[] = [];
    const ref: number[] = [];
    for (let b = 0; ours.length < opts.runs; b++) {
      const n = Math.min(opts.batch, opts.runs - ours.length);
      const sides = b % 2 === 0 ? ['ours', 'ref'] : ['ref', 'ours'];
      for (const side of sides) {
        for (let i = 0; i < n; i++) {
          if (side === 'ours') ours.push(await oneRun(c, tenants.pop()!));
          else ref.push(await oneNoop(client, label));
        }
      }
      note(`pipeline: ${ours.length}/${opts.runs} runs and references`);
    }
    return { pipeline: summarize(ours), noop: summarize(ref) };
  } finally {
    await c.observer.end();
  }
}

export interface ThroughputResult {
  runs: number;
  concurrency: number;
  /** Each side's runs per second over its rounds (all its runs ÷ the sum of its rounds' times). */
  runsPerSecond: number;
  noopPerSecond: number;
  /** Every round, in the order it ran (ours, reference, reference, ours). */
  rounds: Array<{ side: 'ours' | 'reference'; runs: number; perSecond: number }>;
  post: Summary;
  /** The reference's bare `workflow.start` calls at the same concurrency: Temporal's share of a POST. */
  noopStart: Summary;
  statusCounts: Record<string, number>;
}

/** Counts workflows through Temporal's visibility (eventually consistent: retried until it settles). */
async function countWorkflows(client: Client, query: string, expected: number): Promise<number> {
  let seen = -1;
  for (let i = 0; i < 40; i++) {
    seen = (await client.workflow.count(query)).count;
    if (seen === expected) return seen;
    await sleep(250);
  }
  return seen;
}

type Meter = (label: string, spent: Record<string, number>, n: number) => void;

/** One round of ours: `runs` POSTs at the concurrency, each accounted for, all in Draft. */
async function oursRound(
  servers: Pick<BenchServers, 'api' | 'client' | 'pids'>,
  runs: number,
  concurrency: number,
  meter: Meter,
): Promise<{ perSecond: number; posted: Posted[]; settled: Settled[] }> {
  const { temporal, worker, api } = servers.pids;
  const c = runClient(servers.api, `bench-tp-${randomUUID().slice(0, 8)}`);
  try {
    const tenants = await authors(c, 0, runs);
    const cpu = cpuMeter({ api, worker, temporal, 'bench client': process.pid });
    const posted = await mapConcurrent(tenants, concurrency, (a) => postRun(c, a));
    const runIds = posted.map((p) => p.runId);
    if (new Set(runIds).size !== runIds.length) throw new Error('the API returned the same run id twice');
    const settled = await waitForDraft(c, posted, Math.max(120_000, runs * 2_000), 500);
    meter('ours', cpu(), runs);

    // Accounting: rows in the ledger and workflows in Temporal, exactly one per accepted request.
    const { rows } = await c.observer.query<{ n: string; distinct_wf: string }>(
      `select count(*) as n, count(distinct workflow_id) as distinct_wf from ai_generation_runs
        where tenant_id = any($1::text[])`,
      [tenants.map((t) => t.tenantId)],
    );
    const rowCount = Number(rows[0]!.n);
    const wfRows = Number(rows[0]!.distinct_wf);
    const workflows = await countWorkflows(
      servers.client,
      `WorkflowType = "generationRun" AND TenantId STARTS_WITH "${c.prefix}-"`,
      runs,
    );
    if (rowCount !== runs || wfRows !== runs || workflows !== runs || settled.length !== runs) {
      throw new Error(
        `runs lost or duplicated: ${runs} accepted, ${rowCount} rows (${wfRows} workflow ids), ${workflows} workflows in Temporal`,
      );
    }
    const first = Math.min(...settled.map((r) => r.createdMs));
    const last = Math.max(...settled.map((r) => r.draftMs!));
    return { perSecond: runs / ((last - first) / 1000), posted, settled };
  } finally {
    await c.observer.end();
  }
}

/** One round of the reference: `runs` no-op workflows started at the concurrency, all completed. */
async function referenceRound(
  servers: Pick<BenchServers, 'client' | 'pids'>,
  runs: number,
  concurrency: number,
  meter: Meter,
): Promise<{ perSecond: number; startMs: number[] }> {
  const { client } = servers;
  const { temporal, noopWorker } = servers.pids;
  const label = `bench-noop-tp-${randomUUID().slice(0, 8)}`;
  const cpu = cpuMeter({ 'noop worker': noopWorker, temporal, 'bench client': process.pid });
  const t0 = Date.now();
  const startMs: number[] = [];
  const handles = await mapConcurrent(Array.from({ length: runs }), concurrency, async () => {
    const started = performance.now();
    const { handle } = await startNoop(client, label);
    startMs.push(performance.now() - started);
    return handle;
  });
  const closes = await mapConcurrent(handles, concurrency, closeTimeMs);
  meter('reference', cpu(), runs);
  const completed = await countWorkflows(
    client,
    `WorkflowType = "noopReference" AND TenantId = "${label}" AND ExecutionStatus = "Completed"`,
    runs,
  );
  if (completed !== runs) {
    throw new Error(`reference workflows lost or duplicated: ${runs} started, ${completed} completed`);
  }
  return { perSecond: runs / ((Math.max(...closes) - t0) / 1000), startMs };
}

/**
 * N runs through the API at the given concurrency next to N reference workflows at the same
 * concurrency, in rounds of N/2 ordered ours, reference, reference, ours, so that the machine's drift
 * between minutes hits both sides alike (one round each was 1.5–2.1 × apart between identical runs
 * here). Every run is accounted for: one row and one workflow per accepted request, no more, no
 * fewer, all in Draft; the bench throws otherwise.
 */
export async function benchThroughput(
  servers: Pick<BenchServers, 'api' | 'client' | 'pids'>,
  opts: { runs: number; concurrency: number },
): Promise<ThroughputResult> {
  const meter: Meter = (label, spent, n) => {
    const parts = Object.entries(spent).map(
      ([k, s]) => `${k} ${s.toFixed(1)} s (${((s / n) * 1000).toFixed(0)} ms/run)`,
    );
    note(`throughput CPU, ${label}: ${parts.join(', ')}`);
  };
  const perRound = Math.max(1, Math.ceil(opts.runs / 2));
  const order = ['ours', 'reference', 'reference', 'ours'] as const;
  const rounds: ThroughputResult['rounds'] = [];
  const posted: Posted[] = [];
  const startMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  for (const side of order) {
    note(
      `throughput: ${perRound} ${side === 'ours' ? 'runs through the API' : 'reference workflows'} at concurrency ${opts.concurrency}`,
    );
    if (side === 'ours') {
      const r = await oursRound(servers, perRound, opts.concurrency, meter);
      posted.push(...r.posted);
      for (const s of r.settled) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
      rounds.push({ side, runs: perRound, perSecond: r.perSecond });
    } else {
      const r = await referenceRound(servers, perRound, opts.concurrency, meter);
      startMs.push(...r.startMs);
      rounds.push({ side, runs: perRound, perSecond: r.perSecond });
    }
  }
  const rate = (side: 'ours' | 'reference') => {
    const mine = rounds.filter((r) => r.side === side);
    const runs = mine.reduce((n, r) => n + r.runs, 0);
    return runs / mine.reduce((sec, r) => sec + r.runs / r.perSecond, 0);
  };
  return {
    runs: posted.length,
    concurrency: opts.concurrency,
    runsPerSecond: rate('ours'),
    noopPerSecond: rate('reference'),
    rounds,
    post: summarize(posted.map((p) => p.postMs)),
    noopStart: summarize(startMs),
    statusCounts,
  };
}
