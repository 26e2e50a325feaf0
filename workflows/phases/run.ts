import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { GenerationActivities } from '../../activities';
import type { AssembledPromptResult } from '../../activities/prompt';
import type { TraceContext } from '../../domain/telemetry-event';
import type { GenerationRunInput, RunState, RunStatus } from '../../domain/types';
import { LOCAL_STEP_OPTIONS, stepOptions } from '../activity-options';
import { GenerationStatusKey } from '../search-attributes';

/**
 * Runs that start on this code run their short database steps as local activities
 * (`LOCAL_STEP_OPTIONS`); runs that started before keep regular ones, so their histories replay.
 * Decided once, at the start of the run (module state is per workflow execution in the sandbox).
 * Once no run older than this patch is open, `patched` becomes `deprecatePatch` (see README).
 */
export const LOCAL_STEPS_PATCH = 'local-db-steps';
let localSteps = false;

/**
 * Runs that start on this code do intake (request, authority, snapshot, prompt) in one local
 * activity, `admitRun`: one workflow activation and one marker instead of four; and the contract
 * and duplicates gates in one, `checkDraft`: one instead of two. Runs that started before keep
 * the single steps, so their histories replay. Decided once, in `newRun`.
 */
export const MERGED_INTAKE_PATCH = 'merged-intake';

function regularStep(name: string) {
  return proxyActivities<GenerationActivities>(stepOptions(name))[name as keyof GenerationActivities];
}

function localStep(name: string) {
  const options = LOCAL_STEP_OPTIONS[name as keyof GenerationActivities];
  if (!options) return regularStep(name);
  return proxyLocalActivities<GenerationActivities>(options)[name as keyof GenerationActivities];
}

/**
 * The run's activities, each scheduled with its own step's preset (`STEP_OPTIONS`, or
 * `LOCAL_STEP_OPTIONS` for short database steps of runs that started with `local-db-steps`):
 * reading `persistence.freezeSnapshot` gives the snapshot step's proxy, and so on for every step.
 */
export const persistence: GenerationActivities = new Proxy({} as GenerationActivities, {
  get(_target, name) {
    if (typeof name !== 'string') return undefined;
    return localSteps ? localStep(name) : regularStep(name);
  },
});
export const model: Pick<GenerationActivities, 'callModel'> = persistence;

/**
 * What every phase of one run shares: the input, the live state the query reports, and the trace
 * that each step's telemetry carries. Phases read and update it in order; nothing else holds state.
 */
export interface Run {
  readonly input: GenerationRunInput;
  readonly state: RunState;
  /** Set once the request is recorded; every later step carries it. */
  trace: TraceContext | null;
  /** Whether the run started with `merged-intake`: intake assembles the prompt too, gates are one step. */
  readonly mergedIntake: boolean;
  /** The prompt's id, when intake made it (`merged-intake`); otherwise generate makes it. */
  promptRunId: string | null;
  /** The prompt, when intake assembled it (`merged-intake`); otherwise generate assembles it. */
  prompt: AssembledPromptResult | null;
}

export function newRun(input: GenerationRunInput): Run {
  localSteps = patched(LOCAL_STEPS_PATCH);
  return {
    input,
    trace: null,
    mergedIntake: patched(MERGED_INTAKE_PATCH),
    promptRunId: null,
    prompt: null,
    state: {
      runId: input.runId,
      tenantId: input.tenantId,
      status: 'REQUESTED',
      lifecycleState: null,
      capabilityKey: '',
      governanceDecisionId: null,
      executionSnapshotId: null,
      runtime: null,
      fallbacks: [],
      duplicateOutcome: null,
      contractValidationOutcome: null,
      contractDraftId: null,
      failureReason: null,
      steps: [],
    },
  };
}

/** The trace, once the request is recorded (every phase after intake's first step). */
export function traceOf(run: Run): TraceContext {
  if (!run.trace) throw ApplicationFailure.nonRetryable('trace read before the request was recorded', 'Workflow:Bug');
  return run.trace;
}

/**
 * The trace a step's activity returned; results recorded before activities returned it (histories
 * of v1 runs still in flight) carry none, and then the same domain transition builds it here.
 */
export function carriedTrace(result: object, legacy: () => TraceContext): TraceContext {
  return (result as { trace?: TraceContext }).trace ?? legacy();
}

export function step(run: Run, name: string): void {
  run.state.steps.push(name);
}

/** Moves the run to a status: live state, search attribute, then the recorded row and event. */
export async function setStatus(
  run: Run,
  status: RunStatus,
  reason: string | null,
  terminal: boolean,
  error: { type: string; message: string } | null = null,
): Promise<void> {
  run.state.status = status;
  run.state.failureReason = reason;
  upsertSearchAttributes([{ key: GenerationStatusKey, value: status }]);
  await persistence.recordRunStatus({ eventId: uuid4(), status, reason, terminal, error, trace: traceOf(run) });
}

/** Cancelled during a merged activity: recover only what the failure record needs, run no further step. */
export const CANCEL_RECOVERS_TRACE_ONLY_PATCH = 'cancel-recovers-trace-only';

/**
 * Runs a merged activity (`merged-intake`) and applies its result. Should it fail for good, the
 * run takes the same steps one at a time with the same ids (`singly`): each returns what the merged
 * activity committed and the one that failed fails again on its own, so the run ends with the
 * state, trace and failure record it would have had without the merge. Cancelled, only
 * `recoverTrace` runs (the request's record, when intake had not returned it yet), so no step's
 * work or evidence follows an operator's cancellation; runs from before the patch ran `singly`.
 */
export async function mergedOrSingly<M, R>(
  merged: () => Promise<M>,
  apply: (result: M) => R,
  singly: () => Promise<R>,
  recoverTrace: () => Promise<void>,
): Promise<R> {
  let result: M;
  try {
    result = await merged();
  } catch (err) {
    if (!isCancellation(err)) return singly();
    const recover: () => Promise<unknown> = patched(CANCEL_RECOVERS_TRACE_ONLY_PATCH) ? recoverTrace : singly;
    await CancellationScope.nonCancellable(recover).catch(() => undefined);
    throw err;
  }
  return apply(result);
}
