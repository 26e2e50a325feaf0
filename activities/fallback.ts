import { updateRun } from '../db/repositories/runs';
import type { FallbackRecord } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

export interface RecordFallbackInput {
  eventId: string;
  fallback: FallbackRecord;
  trace: TraceContext;
}

/** A provider gave up: the switch to the next one (or the end of the chain) is a recorded decision. */
export function createRecordFallback(deps: ActivityDeps) {
  return async function recordFallback({ eventId, fallback, trace }: RecordFallbackInput): Promise<void> {
    // Only an actual switch of provider is a fallback; the end of the chain is recorded, not counted.
    const switched = fallback.toProvider !== null;
    const t: TraceContext = switched ? { ...trace, fallback: { used: true, reason: fallback.reason } } : trace;
    const event = buildTelemetryEvent(
      eventId,
      t,
      'MODEL_FALLBACK',
      'model',
      fallback.toProvider ? 'FALLING_BACK' : 'CHAIN_EXHAUSTED',
      {
        error: { type: fallback.failureType, message: fallback.reason },
        details: { fromProvider: fallback.fromProvider, toProvider: fallback.toProvider },
      },
    );
    await commitStep(deps, [event], async (trx) => {
      if (switched) await updateRun(trx, trace.tenantId, trace.runId, { fallback_used: true });
    });
  };
}
