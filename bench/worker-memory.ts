import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { Pool } from 'pg';
import { loadOperationsConfig, WORKER_NODE_FLAGS } from '../lib/operations-config';
import { signToken } from '../lib/tokens';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { httpOk, waitUntil } from '../scripts/dev/wait';
import { sparePort } from '../tests/helpers/pg-cluster';
import { ServiceProcess, TemporalProcess } from '../tests/helpers/processes';
import { TEST_JWT, TEST_SECURITY_ENV } from '../tests/helpers/stack';
import { createBenchDatabase, dropBenchDatabase } from './lib/env';

/**
 * `npm run bench:memory`: the worker's resident memory with runs waiting for a human.
 *
 * Starts a Temporal dev server, the real worker (`worker.ts`, a process of its own: that is the
 * process measured) and the real API (`api/main.ts`) on loopback, drives N runs (500 by default)
 * through `POST /runs` to a waiting state (Draft, or awaiting adjudication) with the offline model,
 * lets them settle, and reads the worker's RSS from /proc. Every one of those runs is an open
 * workflow; what the worker keeps of them is its sticky cache (`WORKER_MAX_CACHED_WORKFLOWS`).
 *
 * RSS after the runs come to rest depends on when V8 last collected (garbage left from the busy
 * minutes is returned only by the next full collection, or by V8's memory reducer some seconds into
 * idleness), so one reading is noise. The bench samples RSS every second through the settling window
 * (60 s: V8's memory reducer starts 8 s into idleness and has been seen to finish only ~40 s in)
 * and reports the median of its last 10 samples, with the window's first, lowest and highest
 * reading, and the resident memory split into anonymous (heaps, malloc) and file-backed (the node
 * binary, Temporal's native library) from /proc/<pid>/smaps_rollup.
 *
 *   --runs N          how many runs to bring to rest (500)
 *   --concurrency N   POSTs in flight at once (10)
 *   --json            one JSON object on stdout; progress on stderr
 *   --no-bundle       let the worker bundle its workflow code itself at startup (webpack in-process)
 *   --sdk-defaults    the reference: the SDK's default cache and slots, no bundle, no Node flags
 *   extra worker settings come from the environment (e.g. WORKER_MAX_CACHED_WORKFLOWS=0)
 */

/** A database of this measurement's own (two measurements at once must not drop each other's). */
function memoryDatabaseUrl(): string {
  const base = new URL(
    process.env.BENCH_MEMORY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus_bench_memory',
  );
  base.pathname = `${base.pathname}_${process.pid}_${randomUUID().slice(0, 8)}`;
  return base.toString();
}

/** At rest: nothing more happens until a human acts (or the review window closes). */
const WAITING = ['DRAFT', 'AWAITING_ADJUDICATION'];
/** Varied names, so a tenant's runs are not one another's duplicates. */
const NAMES = [
  'Weather Lookup',
  'Stock Quote',
  'Route Planner',
  'Currency Converter',
  'Translate Text',
  'Invoice Parser',
  'Calendar Scheduler',
  'Image Resizer',
  'Email Validator',
  'Password Generator',
];

export interface WorkerMemoryOptions {
  runs?: number;
  concurrency?: number;
  /** How long to sample RSS after the last run came to rest (the median of the last 10 is reported). */
  settleMs?: number;
  /** Extra environment for the worker and API (sizing experiments). */
  env?: Record<string, string>;
  databaseUrl?: string;
  /** Run the worker on a prebuilt workflow bundle, as in production (default true). */
  prebuiltBundle?: boolean;
  /** Node flags for the worker (default WORKER_NODE_FLAGS). */
  nodeFlags?: readonly string[];
  log?: (message: string) => void;
}

export interface WorkerMemoryResult {
  runs: number;
  waiting: number;
  otherStatuses: Record<string, number>;
  baselineRssMb: number;
  peakRssMb: number;
  rssMb: number;
  /** RSS through the settling window: its first (the moment all were at rest), lowest and highest. */
  settling: { firstMb: number; minMb: number; maxMb: number; samples: number };
  /** The settled RSS split (smaps_rollup): anonymous (V8 heaps, malloc) and file-backed (mapped code). */
  anonymousMb: number;
  fileMb: number;
  perWaitingRunKb: number;
  elapsedSeconds: number;
  settings: Record<string, number>;
}

function smapsRollupMb(pid: number): { anonymousMb: number; fileMb: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(rollup)?.[1] ?? NaN);
  const mb = (x: number) => Math.round((x / 1024) * 10) / 10;
  return { anonymousMb: mb(kb('Anonymous')), fileMb: mb(kb('Rss') - kb('Anonymous')) };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

async function mapConcurrent<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function measureWorkerMemory(opts: WorkerMemoryOptions = {}): Promise<WorkerMemoryResult> {
  const runs = opts.runs ?? 500;
  const concurrency = opts.concurrency ?? 10;
  const settleMs = Math.max(opts.settleMs ?? 60_000, 10_000);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[worker-memory] ${m}\n`));
  const databaseUrl = opts.databaseUrl ?? memoryDatabaseUrl();
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'toolnexus-memory-'));
  const processes: ServiceProcess[] = [];
  let temporal: TemporalProcess | null = null;
  const observer = new Pool({ connectionString: databaseUrl, max: 1 });
  let failed = true;
  try {
    await createBenchDatabase(databaseUrl);
    temporal = await TemporalProcess.start(dir);
    // As production runs it: a prebuilt workflow bundle (the worker does not run webpack).
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    if (opts.prebuiltBundle !== false) {
      writeFileSync(bundlePath, await bundleWorkflows());
    }
    const port = await sparePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...TEST_SECURITY_ENV,
      AI_GENERATION_ENVIRONMENT: 'test',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      PORT: String(port),
      HOST: '127.0.0.1',
      AI_MODEL_PROVIDERS: 'local',
      OPENAI_API_KEY: '',
      LOG_LEVEL: 'info', // 'worker started' is an info line
      LOG_SILENT: 'false',
      // The bench measures memory, not the per-tenant limits: lift them.
      RATE_LIMIT_RUNS_PER_MINUTE_PER_TENANT: '1000000',
      RATE_LIMIT_RUNS_PER_MINUTE_PER_PRINCIPAL: '1000000',
      MAX_RUNS_IN_FLIGHT_PER_TENANT: '1000000',
      ...(opts.prebuiltBundle !== false ? { WORKFLOW_BUNDLE_PATH: bundlePath } : {}),
      ...opts.env,
    };
    const ops = loadOperationsConfig(env);
    const settings = { ...ops.worker, dbPoolMax: ops.dbPoolMax, heapGrowingPercent: ops.workerHeapGrowingPercent };
    const worker = ServiceProcess.node(
      'worker',
      'worker.ts',
      env,
      path.join(dir, 'worker.log'),
      opts.nodeFlags ?? WORKER_NODE_FLAGS,
    );
    const api = ServiceProcess.node('api', 'api/main.ts', env, path.join(dir, 'api.log'));
    processes.push(api, worker);
    worker.start();
    api.start();
    await waitUntil('the API to be ready', () => httpOk(`${url}/readyz`), 120_000);
    await waitUntil(
      'the worker to start',
      async () => readFileSync(worker.logFile, 'utf8').includes('worker started'),
      120_000,
    );
    const pid = worker.pid!;
    const baselineRssMb = rssMb(pid);
    log(`worker pid ${pid} started, RSS ${baselineRssMb} MB; settings ${JSON.stringify(settings)}`);

    const tenants = Math.ceil(runs / NAMES.length);
    const requests = Array.from({ length: runs }, (_, i) => ({
      tenant: `mem-${Math.floor(i / NAMES.length)}`,
      name: NAMES[i % NAMES.length]!,
    }));
    const tokens = new Map<string, string>();
    for (let t = 0; t < tenants; t++) {
      const tenant = `mem-${t}`;
      tokens.set(
        tenant,
        await signToken({ subject: `author-${t}`, tenantId: tenant, roles: ['capability-author'] }, TEST_JWT),
      );
    }
    let peakRssMb = baselineRssMb;
    const sampler = setInterval(() => {
      if (worker.running) peakRssMb = Math.max(peakRssMb, rssMb(pid));
    }, 1_000);
    let posted = 0;
    try {
      await mapConcurrent(requests, concurrency, async ({ tenant, name }) => {
        for (let attempt = 1; ; attempt++) {
          const res = await fetch(`${url}/api/admin/ai-generation/runs`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${tokens.get(tenant)}`,
              'content-type': 'application/json',
              'x-correlation-id': `memory-bench-${randomUUID()}`,
            },
            body: JSON.stringify({
              name,
              problemStatement: `${name}: a capability for the memory benchmark.`,
              language: 'typescript',
              targetRuntime: 'node20',
            }),
          });
          const text = await res.text();
          if (res.status === 202) break;
          if (attempt >= 5 || (res.status !== 503 && res.status !== 429)) {
            throw new Error(`POST /runs answered ${res.status}: ${text}`);
          }
          await new Promise((r) => setTimeout(r, 1_000 * attempt));
        }
        posted++;
        if (posted % 100 === 0) log(`${posted}/${runs} runs started`);
      });

      const counts = async () => {
        const r = await observer.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from ai_generation_runs group by status`,
        );
        return Object.fromEntries(r.rows.map((x) => [x.status, x.n])) as Record<string, number>;
      };
      let byStatus: Record<string, number> = {};
      let lastLog = 0;
      await waitUntil(
        `${runs} runs to come to rest`,
        async () => {
          byStatus = await counts();
          const resting = Object.entries(byStatus)
            .filter(([s]) => !['REQUESTED', 'RUNNING'].includes(s))
            .reduce((a, [, n]) => a + n, 0);
          if (Date.now() - lastLog > 15_000) {
            lastLog = Date.now();
            log(`at rest ${resting}/${runs}; worker RSS ${rssMb(pid)} MB; ${JSON.stringify(byStatus)}`);
          }
          return resting >= runs;
        },
        30 * 60_000,
      );
      log(`all ${runs} at rest; sampling RSS for ${settleMs / 1000} s`);
      const samples: number[] = [];
      for (let t = 0; t < settleMs; t += 1_000) {
        samples.push(rssMb(pid));
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const rss = median(samples.slice(-10));
      const split = smapsRollupMb(pid);
      log(`RSS while settling (MB, 1/s): ${samples.join(' ')}`);
      const waiting = WAITING.reduce((a, s) => a + (byStatus[s] ?? 0), 0);
      const otherStatuses = Object.fromEntries(Object.entries(byStatus).filter(([s]) => !WAITING.includes(s)));
      if (worker.unexpectedExits > 0) throw new Error(`the worker died; see ${worker.logFile}`);
      failed = false;
      return {
        runs,
        waiting,
        otherStatuses,
        baselineRssMb,
        peakRssMb: Math.max(peakRssMb, rss),
        rssMb: rss,
        settling: {
          firstMb: samples[0]!,
          minMb: Math.min(...samples),
          maxMb: Math.max(...samples),
          samples: samples.length,
        },
        ...split,
        perWaitingRunKb: waiting > 0 ? Math.round(((rss - baselineRssMb) * 1024) / waiting) : 0,
        elapsedSeconds: Math.round((Date.now() - started) / 1000),
        settings,
      };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    for (const p of processes) await p.close();
    await temporal?.process.close();
    await observer.end();
    await dropBenchDatabase(databaseUrl).catch(() => undefined);
    if (failed) log(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** For `npm run bench` (issue 11): the worker's RSS in MB with `runs` (500) runs waiting. */
export async function measureWorkerRss(opts: WorkerMemoryOptions = {}): Promise<number> {
  return (await measureWorkerMemory(opts)).rssMb;
}

/**
 * The reference: the worker as it was before it was sized — the SDK's own defaults (a sticky cache
 * sized from the V8 heap limit, 100 activity slots, 40 workflow task slots), webpack at startup and
 * Node's default young generation.
 */
function sdkDefaults(): Record<string, string> {
  const heapMiB = getHeapStatistics().heap_size_limit / 1024 / 1024;
  return {
    WORKER_MAX_CACHED_WORKFLOWS: String(Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10)),
    WORKER_MAX_CONCURRENT_ACTIVITIES: '100',
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '100',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40',
    // V8's own heap growing factor (worker.ts sets a smaller one unless told 0).
    WORKER_HEAP_GROWING_PERCENT: '0',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      'no-bundle': { type: 'boolean', default: false },
      'sdk-defaults': { type: 'boolean', default: false },
    },
  });
  const result = await measureWorkerMemory({
    runs: Number(values.runs),
    concurrency: Number(values.concurrency),
    prebuiltBundle: !values['no-bundle'] && !values['sdk-defaults'],
    ...(values['sdk-defaults'] ? { nodeFlags: [], env: sdkDefaults() } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const target = 300;
  const flags = values['sdk-defaults'] ? '(none)' : WORKER_NODE_FLAGS.join(' ');
  console.log(`
worker RSS with ${result.waiting} runs waiting (of ${result.runs}; others ${JSON.stringify(result.otherStatuses)})
  after settling   ${result.rssMb} MB   (target <= ${target} MB: ${result.rssMb <= target ? 'met' : 'NOT met'}; median of the last 10 of ${result.settling.samples} samples, 1/s)
  while settling   first ${result.settling.firstMb} MB, lowest ${result.settling.minMb}, highest ${result.settling.maxMb}
  of which         ${result.anonymousMb} MB anonymous (V8 heaps, malloc), ${result.fileMb} MB file-backed (node, Temporal core)
  peak             ${result.peakRssMb} MB
  at start         ${result.baselineRssMb} MB
  per waiting run  ${result.perWaitingRunKb} kB
  node flags       ${flags}
  settings         ${Object.entries(result.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}
  took             ${result.elapsedSeconds} s
`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('worker-memory failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
