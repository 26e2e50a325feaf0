import { updateRun } from '../db/repositories/runs';
import type { RunStatus } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

export interface RecordRunStatusInput {
  eventId: string;
  status: RunStatus;
  reason: string | null;
  /** True when the run has reached an end (no further step or human decision expected). */
  terminal: boolean;
  error: { type: string; message: string } | null;
  trace: TraceContext;
}

/** The policy gate's verdict, or a failure: the run's status and its telemetry event, together. */
export function createRecordRunStatus(deps: ActivityDeps) {
  return async function recordRunStatus(input: RecordRunStatusInput): Promise<void> {
    const { trace } = input;
    const event = buildTelemetryEvent(input.eventId, trace, `RUN_${input.status}`, 'policy', input.status, {
      error: input.error,
      details: { reason: input.reason, terminal: input.terminal },
    });
    await commitStep(deps, [event], (trx) =>
      updateRun(trx, trace.tenantId, trace.runId, {
        status: input.status,
        failure_reason: input.reason,
        ...(input.terminal ? { completed_at_utc: new Date() } : {}),
      }),
    );
  };
}
