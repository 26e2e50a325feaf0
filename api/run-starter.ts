import type { Db } from '../db/database';
import {
  acceptRunStarts,
  claimDueRunStarts,
  deferRunStart,
  markRunsStarted,
  purgeStartedRunStarts,
  type AcceptOutcome,
  type RunStartToAccept,
} from '../db/repositories/run-starts';
import type { GenerationRunInput } from '../domain/types';
import type { Logger } from '../lib/logger';
import { generationRunWorkflowId } from '../workflows/ids';
import type { GenerationGateway } from './generation-gateway';

/**
 * Accepting a run does not wait on Temporal. `accept` commits the run to the start outbox
 * (`ai_generation_run_starts`) and returns; the workflow is then started from the row: at once by
 * this process, and again by any starter polling the task queue when that start failed or this
 * process died first. A start is idempotent (the workflow id is the run's), so a row started twice
 * is one run. While Temporal is unreachable, starts are retried with backoff, each failure on the
 * row (`attempts`, `last_error`) and in the log: nothing accepted is lost.
 */
export interface RunStarter {
  /**
   * Commits the accepted run (unless the tenant already has `inFlightCap` runs in flight) and starts
   * it in the background.
   */
  accept(
    input: GenerationRunInput,
    inFlightCap: number | null,
  ): Promise<{ workflowId: string; outcome: AcceptOutcome }>;
  /** Polls for starts owed on this task queue (rows of a process that died, failed starts). */
  start(): void;
  /** Stops polling and waits for the starts in progress. */
  stop(): Promise<void>;
}

export interface RunStarterOptions {
  db: Db;
  gateway: GenerationGateway;
  logger: Logger;
  /** How often owed starts are looked for. */
  pollMs?: number;
  /** How long a start may take before another starter may try the row. */
  leaseMs?: number;
  /** Rows taken per poll. */
  batch?: number;
  /** How long a started row is kept (7 days); purged from the polls, at most once per `purgeEveryMs`. */
  keepStartedMs?: number;
  purgeEveryMs?: number;
}

const MAX_BACKOFF_MS = 30_000;
const MARK_BATCH_MS = 20;
/** Most runs committed by one accepting statement. */
const ACCEPT_BATCH = 100;

interface PendingAccept {
  row: RunStartToAccept;
  resolve(outcome: AcceptOutcome): void;
  reject(err: unknown): void;
}

export function createRunStarter(opts: RunStarterOptions): RunStarter {
  const { db, gateway, logger } = opts;
  const pollMs = opts.pollMs ?? 1_000;
  const leaseMs = opts.leaseMs ?? 15_000;
  const batch = opts.batch ?? 16;
  const keepStartedMs = opts.keepStartedMs ?? 7 * 24 * 3_600_000;
  const purgeEveryMs = opts.purgeEveryMs ?? 600_000;
  let lastPurge = 0;
  const inProgress = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let stopped = false;
  // Started runs are marked in batches: one UPDATE for the starts of a burst, not one per run.
  let startedIds: string[] = [];
  let markTimer: NodeJS.Timeout | undefined;
  // Accepted runs are committed in batches too: the requests that arrive while one statement runs
  // share the next (one round trip and one commit for a burst), and a lone request waits only for
  // the end of its event-loop turn.
  let pendingAccepts: PendingAccept[] = [];
  let accepting = false;

  function scheduleAccepts(): void {
    if (accepting || pendingAccepts.length === 0) return;
    accepting = true;
    setImmediate(() => void commitAccepts());
  }

  async function commitAccepts(): Promise<void> {
    const batch: PendingAccept[] = [];
    const runIds = new Set<string>();
    const later: PendingAccept[] = [];
    for (const p of pendingAccepts) {
      // A run id twice in one statement (concurrent retries of one Idempotency-Key) goes in the next.
      if (batch.length < ACCEPT_BATCH && !runIds.has(p.row.runId)) {
        batch.push(p);
        runIds.add(p.row.runId);
      } else later.push(p);
    }
    pendingAccepts = later;
    try {
      const outcomes = await acceptRunStarts(
        db,
        batch.map((p) => p.row),
      );
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      // One run's failure must not fail the others that shared its statement: each alone, then.
      else await Promise.all(batch.map((p) => acceptRunStarts(db, [p.row]).then(([o]) => p.resolve(o!), p.reject)));
    } finally {
      accepting = false;
      scheduleAccepts();
    }
  }

  async function flushMarks(): Promise<void> {
    markTimer = undefined;
    const ids = startedIds;
    startedIds = [];
    try {
      await markRunsStarted(db, ids);
    } catch (err) {
      // Unmarked rows are started again when their lease ends: an idempotent start, the same run.
      logger.warn('could not mark runs started', {
        runs: ids.length,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  function markStarted(runId: string): void {
    startedIds.push(runId);
    if (!markTimer) markTimer = setTimeout(() => track(flushMarks()), MARK_BATCH_MS);
  }

  function track(p: Promise<void>): void {
    inProgress.add(p);
    void p.finally(() => inProgress.delete(p));
  }

  async function startOne(input: GenerationRunInput, attempt: number): Promise<void> {
    try {
      await gateway.startRun(input, { idempotentRetry: true });
      markStarted(input.runId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const delayMs = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.max(0, attempt - 1));
      logger.warn('run start failed; retrying', {
        runId: input.runId,
        tenantId: input.tenantId,
        attempt,
        retryInMs: delayMs,
        error: message,
      });
      await deferRunStart(db, input.runId, message, delayMs).catch((deferErr: unknown) =>
        // The lease still ends, so the row is retried anyway; only the recorded reason is missing.
        logger.warn('could not record a failed run start', {
          runId: input.runId,
          error: deferErr instanceof Error ? deferErr.message : String(deferErr),
        }),
      );
    }
  }

  async function poll(): Promise<void> {
    if (polling || stopped) return;
    polling = true;
    try {
      const due = await claimDueRunStarts(db, gateway.taskQueue, batch, leaseMs);
      await Promise.all(due.map((row) => startOne(row.input as unknown as GenerationRunInput, row.attempts)));
      if (Date.now() - lastPurge >= purgeEveryMs) {
        lastPurge = Date.now();
        await purgeStartedRunStarts(db, keepStartedMs, 1_000);
      }
    } catch (err) {
      logger.warn('looking for owed run starts failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      polling = false;
    }
  }

  return {
    async accept(input, inFlightCap) {
      const workflowId = generationRunWorkflowId(input.runId);
      const row = {
        runId: input.runId,
        tenantId: input.tenantId,
        taskQueue: gateway.taskQueue,
        workflowId,
        input,
        leaseMs,
        inFlightCap,
      };
      const outcome = await new Promise<AcceptOutcome>((resolve, reject) => {
        pendingAccepts.push({ row, resolve, reject });
        scheduleAccepts();
      });
      // Inside the request's async context, so its trace reaches the workflow's headers.
      if (outcome.kind === 'accepted' && !stopped) track(startOne(input, 1));
      return { workflowId, outcome };
    },
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => track(poll()), pollMs);
      timer.unref();
      track(poll());
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...inProgress]);
      if (markTimer) clearTimeout(markTimer);
      await flushMarks();
    },
  };
}
