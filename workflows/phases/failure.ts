import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import { RUN_FAILURE } from '../../domain/failures';
import { GenerationStatusKey } from '../search-attributes';
import { persistence, type Run } from './run';

/**
 * A run that threw: record it FAILED with its failure type. Cancellation is recorded too (outside
 * the cancelled scope) and then rethrown so Temporal reports the workflow cancelled.
 */
export async function failOnError(run: Run, err: unknown): Promise<void> {
  if (isCancellation(err)) {
    await CancellationScope.nonCancellable(() => failRun(run, 'cancelled by an operator', RUN_FAILURE.cancelled));
    throw err;
  }
  const type =
    err instanceof ActivityFailure
      ? failureTypeOf(err)
      : err instanceof ApplicationFailure
        ? (err.type ?? RUN_FAILURE.workflowError)
        : RUN_FAILURE.workflowError;
  const message =
    err instanceof ActivityFailure
      ? (err.cause?.message ?? err.message)
      : err instanceof Error
        ? err.message
        : String(err);
  await failRun(run, `${type}: ${message}`, type);
}

/**
 * Records the run FAILED. The status write has its own preset (`runOutcome`: retries for a day),
 * so an outage delays the record instead of losing it. When the record cannot be written at all —
 * the request itself was never recorded, or the day ran out — the workflow fails loudly, visible
 * in Temporal, rather than ending as if the ledger agreed.
 */
async function failRun(run: Run, reason: string, type: string): Promise<void> {
  run.state.status = 'FAILED';
  run.state.failureReason = reason;
  upsertSearchAttributes([{ key: GenerationStatusKey, value: 'FAILED' }]);
  log.warn('generation run failed', { runId: run.input.runId, reason });
  if (!run.trace) {
    throw ApplicationFailure.nonRetryable(`the run request was never recorded: ${reason}`, type);
  }
  try {
    await persistence.recordRunStatus({
      eventId: uuid4(),
      status: 'FAILED',
      reason,
      terminal: true,
      error: { type, message: reason },
      trace: run.trace,
    });
  } catch (err) {
    throw ApplicationFailure.create({
      message: `could not record the run's failure (${reason})`,
      type: RUN_FAILURE.failureUnrecorded,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}

/** The namespaced failure type an activity failed with: what the workflow branches on. */
export function failureTypeOf(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'Activity:Error';
  if (cause instanceof TimeoutFailure) return `Activity:Timeout:${cause.timeoutType}`;
  return cause?.name ?? 'Activity:Error';
}
