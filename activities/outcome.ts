import { updateRun } from '../db/repositories/runs';
import type { RunStatus } from '../domain/types';
import type { ActivityDeps } from './deps';
import { commitStepOnce } from './telemetry/record';
import { RUN_FAILURE } from '../domain/failures';
import type { Db } from '../db/database';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';

export interface RecordRunStatusInput {
  eventId: string;
  status: RunStatus;
  reason: string | null;
  /** True when the run has reached an end (no further step or human decision expected). */
  terminal: boolean;
  error: { type: string; message: string } | null;
  trace: TraceContext;
}

/**
 * The policy gate's verdict, or a failure: the run's status and its telemetry event, together,
 * once: a retry after the commit changes nothing (not even the completion time), and a run's
 * cancellation is recorded once whatever event id a later call brings.
 */
export function createRecordRunStatus(deps: ActivityDeps) {
  return async function recordRunStatus(input: RecordRunStatusInput): Promise<void> {
    const { trace } = input;
    // A run is cancelled once: that record is keyed by the run, not the event, so a workflow task
    // that recorded the cancellation and was then retried down another path (the cancellation
    // racing it) gets the first record back instead of writing a second.
    const id = input.error?.type === RUN_FAILURE.cancelled ? `cancelled:${trace.runId}` : input.eventId;
    const key = { step: 'status', id, tenantId: trace.tenantId, runId: trace.runId };
    await commitStepOnce(deps, key, async () => ({
      result: { status: input.status },
      events: [
        buildTelemetryEvent(input.eventId, trace, `RUN_${input.status}`, 'policy', input.status, {
          error: input.error,
          details: { reason: input.reason, terminal: input.terminal },
        }),
      ],
      write: (trx: Db) =>
        updateRun(trx, trace.tenantId, trace.runId, {
          status: input.status,
          failure_reason: input.reason,
          ...(input.terminal ? { completed_at_utc: deps.clock.now() } : {}),
        }),
    }));
  };
}
