import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Operational sizing: the PostgreSQL pool, client timeouts and the worker's concurrency and
 * sticky cache. Kept apart from the application configuration (`lib/config.ts`) because none of it
 * shapes a run: it is never frozen into a snapshot nor audited, and changing it needs only a restart.
 *
 * The worker's numbers derive from the pool, so the defaults never let more activities run than
 * there are connections for them (an activity beyond the pool would wait, then fail on
 * `DB_CONNECT_TIMEOUT_MS` and be retried, which is noise, not throughput):
 * - activity slots + local activity slots = pool size;
 * - workflow task slots = 2 per CPU (workflow tasks are CPU-bound in the one workflow thread);
 * - the sticky cache holds at most `WORKER_MAX_CACHED_WORKFLOWS` runs. A run evicted from it costs
 *   one history replay when its next event arrives (a reviewer's decision, days later), which is
 *   cheap; keeping every waiting run cached is what made RSS grow by ~0.65 MB per open run.
 */
/**
 * Node flags the worker runs with (`npm run worker`, `npm run dev`, docker compose): a 2 MB young
 * generation semi-space instead of 16 MB. The worker's allocations are short-lived and small
 * (activity payloads, workflow activations); a smaller nursery is scavenged more often, which costs
 * little CPU here and keeps ~40 MB less resident.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * The V8 flag `worker.ts` sets at startup from `WORKER_HEAP_GROWING_PERCENT` (so every launcher
 * gets it, and before the workflow thread's isolate exists; V8 reads it at every collection, in
 * every isolate). After a full collection V8 lets the old generation grow to live size × a factor
 * it picks from GC and allocation speed, up to 4×: under load the workflow thread (~55 MB live with
 * 50 runs cached) grew to 200 MB before its next collection, and how much of that was still
 * resident when the runs came to rest depended on whether the memory reducer had run yet
 * (266–450 MB). At 20 % the worker collects when its heaps grow by a fifth: `npm run bench:memory`
 * peaks at 300–375 MB instead of 440–580 and reads ~305 MB when the runs come to rest instead of
 * 375–450, and the throughput bench shows no CPU cost (56 ms of worker CPU per run either way;
 * 10 % gains nothing more). Unlike a cap on the old space (`--max-old-space-size`) it cannot run a
 * heap out of memory: the limit follows the live size. 0 leaves V8's own factor.
 */
export function heapGrowingFlag(percent: number): string | null {
  return percent > 0 ? `--heap-growing-percent=${percent}` : null;
}

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  dbPoolMax: positiveInt.default(10),
  dbConnectTimeoutMs: positiveInt.default(5_000),
  dbIdleTimeoutMs: positiveInt.default(30_000),
  temporalRpcTimeoutMs: positiveInt.default(5_000),
  temporalConnectTimeoutMs: positiveInt.default(5_000),
  workerMaxCachedWorkflows: z.coerce.number().int().min(0).default(50),
  workerMaxConcurrentActivities: positiveInt.optional(),
  workerMaxConcurrentLocalActivities: positiveInt.optional(),
  workerMaxConcurrentWorkflowTasks: positiveInt.optional(),
  workflowBundlePath: z.string().min(1).optional(),
  workerHeapGrowingPercent: z.coerce.number().int().min(0).max(300).default(20),
});

export interface OperationsConfig {
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  dbIdleTimeoutMs: number;
  temporalRpcTimeoutMs: number;
  temporalConnectTimeoutMs: number;
  /** A prebuilt workflow bundle (`npm run bundle:workflows`); null: the worker bundles at startup. */
  workflowBundlePath: string | null;
  /** V8's old-generation growing factor, in percent over live size (`heapGrowingFlag`); 0: V8's own. */
  workerHeapGrowingPercent: number;
  worker: {
    maxCachedWorkflows: number;
    maxConcurrentActivityTaskExecutions: number;
    maxConcurrentLocalActivityExecutions: number;
    maxConcurrentWorkflowTaskExecutions: number;
  };
}

/** Environment variable → setting; the README's operations section lists the same names. */
export const OPERATIONS_ENV = {
  dbPoolMax: 'DB_POOL_MAX',
  dbConnectTimeoutMs: 'DB_CONNECT_TIMEOUT_MS',
  dbIdleTimeoutMs: 'DB_IDLE_TIMEOUT_MS',
  temporalRpcTimeoutMs: 'TEMPORAL_RPC_TIMEOUT_MS',
  temporalConnectTimeoutMs: 'TEMPORAL_CONNECT_TIMEOUT_MS',
  workerMaxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  workerMaxConcurrentActivities: 'WORKER_MAX_CONCURRENT_ACTIVITIES',
  workerMaxConcurrentLocalActivities: 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
  workerMaxConcurrentWorkflowTasks: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  workflowBundlePath: 'WORKFLOW_BUNDLE_PATH',
  workerHeapGrowingPercent: 'WORKER_HEAP_GROWING_PERCENT',
} as const;

export function loadOperationsConfig(
  env: NodeJS.ProcessEnv = process.env,
  cpus: number = availableParallelism(),
): OperationsConfig {
  const raw = Object.fromEntries(
    Object.entries(OPERATIONS_ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((i) => `${OPERATIONS_ENV[i.path[0] as keyof typeof OPERATIONS_ENV] ?? i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid configuration: ${details}`);
  }
  const c = parsed.data;
  const local = c.workerMaxConcurrentLocalActivities ?? Math.max(1, Math.min(2, Math.floor(c.dbPoolMax / 4)));
  const activities = c.workerMaxConcurrentActivities ?? Math.max(1, c.dbPoolMax - local);
  // The SDK needs at least 2 workflow task slots, and no more than the cache holds (when it is on).
  let workflowTasks = c.workerMaxConcurrentWorkflowTasks ?? Math.max(2, 2 * cpus);
  if (c.workerMaxCachedWorkflows > 0) workflowTasks = Math.min(workflowTasks, Math.max(2, c.workerMaxCachedWorkflows));
  return {
    dbPoolMax: c.dbPoolMax,
    dbConnectTimeoutMs: c.dbConnectTimeoutMs,
    dbIdleTimeoutMs: c.dbIdleTimeoutMs,
    temporalRpcTimeoutMs: c.temporalRpcTimeoutMs,
    temporalConnectTimeoutMs: c.temporalConnectTimeoutMs,
    workflowBundlePath: c.workflowBundlePath ?? null,
    workerHeapGrowingPercent: c.workerHeapGrowingPercent,
    worker: {
      maxCachedWorkflows: c.workerMaxCachedWorkflows === 1 ? 2 : c.workerMaxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: activities,
      maxConcurrentLocalActivityExecutions: local,
      maxConcurrentWorkflowTaskExecutions: workflowTasks,
    },
  };
}
