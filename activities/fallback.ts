import { updateRun } from '../db/repositories/runs';
import type { FallbackRecord } from '../domain/types';
import type { ActivityDeps } from './deps';
import { commitStepOnce } from './telemetry/record';
import { traceAfterFallback } from '../domain/trace';
import type { Db } from '../db/database';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';

export interface RecordFallbackInput {
  eventId: string;
  fallback: FallbackRecord;
  trace: TraceContext;
}

export interface RecordFallbackResult {
  /** The trace with the fallback on it (unchanged at the end of the chain). */
  trace: TraceContext;
}

/** A provider gave up: the switch to the next one (or the end of the chain) is a recorded decision. */
export function createRecordFallback(deps: ActivityDeps) {
  return async function recordFallback({
    eventId,
    fallback,
    trace,
  }: RecordFallbackInput): Promise<RecordFallbackResult> {
    const key = { step: 'fallback', id: eventId, tenantId: trace.tenantId, runId: trace.runId };
    return commitStepOnce(deps, key, async () => {
      // Only an actual switch of provider is a fallback; the end of the chain is recorded, not counted.
      const switched = fallback.toProvider !== null;
      const t = traceAfterFallback(trace, fallback);
      const event = buildTelemetryEvent(
        eventId,
        t,
        'MODEL_FALLBACK',
        'model',
        switched ? 'FALLING_BACK' : 'CHAIN_EXHAUSTED',
        {
          error: { type: fallback.failureType, message: fallback.reason },
          details: { fromProvider: fallback.fromProvider, toProvider: fallback.toProvider },
        },
      );
      return {
        result: { trace: t },
        events: [event],
        write: async (trx: Db) => {
          if (switched) await updateRun(trx, trace.tenantId, trace.runId, { fallback_used: true });
        },
      };
    });
  };
}
