import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { GenerationActivities } from '../activities';
import { NON_RETRYABLE_MODEL_FAILURES, NON_RETRYABLE_STEP_FAILURES } from '../domain/failures';

/**
 * One named retry/timeout preset per step, each with its reason. No attempt is silent: the model
 * step records each of its attempts itself; the worker's activity interceptor writes every other
 * failed attempt to the ledger and, on a retry, the attempt before it that a crash or a timeout
 * lost (see `activities/telemetry/attempt-interceptor.ts`).
 */

/**
 * Idempotent persistence: every write is keyed by an id the workflow made, so retrying is always
 * safe. It retries with capped backoff until the outage ends, bounded by a schedule-to-close in
 * hours, not by an attempt count: a database outage delays runs, it does not fail them.
 * Permanent faults (`domain/failures.ts`) fail on the first attempt.
 */
const durableWrite: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [...NON_RETRYABLE_STEP_FAILURES],
  },
};

/**
 * Compute over frozen inputs, then one write (prompt assembly, contract validation). The compute
 * is deterministic: its faults are permanent and typed, so they fail at once; only the write
 * retries, for as long as persistence does. A short start-to-close: the work takes milliseconds.
 */
const computeThenWrite: ActivityOptions = {
  ...durableWrite,
  startToCloseTimeout: '15 seconds',
};

/**
 * Recording that a run failed or ended must itself not fail: it retries for a day, so the row
 * cannot stay RUNNING through any outage we would sit out. If even that runs out the workflow
 * fails loudly (`Run:FailureUnrecorded`), visible in Temporal, instead of returning quietly.
 */
const runOutcome: ActivityOptions = {
  ...durableWrite,
  scheduleToCloseTimeout: '24 hours',
};

export const MODEL_CALL_MAX_ATTEMPTS = 3;

/**
 * A model call costs money and time: a few attempts per provider for transient faults, then the
 * workflow falls back to the next provider; permanent faults skip straight to the fallback. The
 * call heartbeats while it waits, so a crashed worker is noticed within the heartbeat timeout
 * instead of when the 3-minute start-to-close runs out.
 */
export const modelCallStep: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '20 seconds',
    maximumAttempts: MODEL_CALL_MAX_ATTEMPTS,
    nonRetryableErrorTypes: [...NON_RETRYABLE_MODEL_FAILURES],
  },
};

type StepName = keyof GenerationActivities;

/** The preset of every step, by activity name. A step missing here is a durable write. */
export const STEP_OPTIONS: Partial<Record<StepName, ActivityOptions>> = {
  recordRunRequested: durableWrite,
  resolveAuthority: durableWrite,
  freezeSnapshot: durableWrite,
  // The four intake steps in one: each an idempotent write keyed by a workflow-made id.
  admitRun: durableWrite,
  assemblePrompt: computeThenWrite,
  callModel: modelCallStep,
  recordFallback: durableWrite,
  generateContract: computeThenWrite,
  checkDuplicates: computeThenWrite,
  // Contract then duplicates in one: both compute then write, keyed by workflow-made ids.
  checkDraft: computeThenWrite,
  recordRunStatus: runOutcome,
  recordAdjudication: durableWrite,
  recordPromotion: durableWrite,
};

export function stepOptions(name: string): ActivityOptions {
  return STEP_OPTIONS[name as StepName] ?? durableWrite;
}

/**
 * Short database steps run as local activities (runs that started with the `local-db-steps`
 * patch): in the worker, inside the workflow task, with no task-queue round trip and one marker
 * event each instead of three events. Same retry policy, same schedule-to-close: a local activity
 * retries in the worker for `localRetryThreshold`, then on a durable timer, so a long database
 * outage still delays the run rather than failing it. The model call stays a regular activity: it
 * is long, heartbeats, and must survive a worker crash mid-call on another worker.
 */
function local(preset: ActivityOptions): LocalActivityOptions {
  return {
    startToCloseTimeout: preset.startToCloseTimeout,
    scheduleToCloseTimeout: preset.scheduleToCloseTimeout,
    localRetryThreshold: '10 seconds',
    retry: preset.retry,
  };
}

export const LOCAL_STEP_OPTIONS: Partial<Record<StepName, LocalActivityOptions>> = {
  recordRunRequested: local(durableWrite),
  resolveAuthority: local(durableWrite),
  freezeSnapshot: local(durableWrite),
  // The four intake steps in one (`merged-intake`): each an idempotent write keyed by a workflow-made id.
  admitRun: local(durableWrite),
  assemblePrompt: local(computeThenWrite),
  recordFallback: local(durableWrite),
  generateContract: local(computeThenWrite),
  checkDuplicates: local(computeThenWrite),
  // Contract then duplicates in one (`merged-intake`): both compute then write, keyed by workflow-made ids.
  checkDraft: local(computeThenWrite),
  recordRunStatus: local(runOutcome),
  recordAdjudication: local(durableWrite),
  recordPromotion: local(durableWrite),
};
