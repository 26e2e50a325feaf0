import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { insertTelemetryEvent } from '../../db/repositories/telemetry';
import type { Db } from '../../db/database';
import { deterministicUuid } from '../../lib/deterministic-id';
import type { Logger } from '../../lib/logger';
import type { TelemetryEmitter } from './emitter';
import { buildTelemetryEvent, type TraceContext } from './event';

/** Activities that record their own failed attempts, with richer evidence, in their own transaction. */
const SELF_RECORDING = new Set(['callModel']);

function traceOf(args: unknown[]): TraceContext | null {
  const first = args[0] as { trace?: TraceContext } | undefined;
  return first && typeof first === 'object' && first.trace ? first.trace : null;
}

function errorType(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { type?: unknown; name?: unknown };
    if (typeof e.type === 'string') return e.type;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

/**
 * No silent retries: every failed activity attempt is logged, emitted to OpenTelemetry, and —
 * when the database is reachable — written to the telemetry ledger, saying whether Temporal will
 * retry. (When the database itself is what failed, the log and the span are the record.)
 */
export function attemptTelemetryInterceptor(deps: {
  db: Db;
  telemetry: TelemetryEmitter;
  logger: Logger;
}): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          const info = ctx.info;
          const maxAttempts = info.retryPolicy?.maximumAttempts ?? 0;
          const nonRetryable = Boolean((err as { nonRetryable?: unknown })?.nonRetryable);
          const willRetry = !nonRetryable && (maxAttempts === 0 || info.attempt < maxAttempts);
          const message = err instanceof Error ? err.message : String(err);
          deps.logger.warn('activity attempt failed', {
            activityType: info.activityType,
            workflowId: info.workflowExecution?.workflowId,
            attempt: info.attempt,
            willRetry,
            errorType: errorType(err),
            error: message,
          });
          const trace = traceOf(input.args);
          if (trace && !SELF_RECORDING.has(info.activityType)) {
            const event = buildTelemetryEvent(
              deterministicUuid(
                info.workflowExecution?.runId ?? 'standalone',
                info.activityId,
                info.attempt,
                'ACTIVITY_ATTEMPT_FAILED',
              ),
              trace,
              'ACTIVITY_ATTEMPT_FAILED',
              info.activityType,
              willRetry ? 'RETRYING' : 'FAILED',
              { attempt: info.attempt, error: { type: errorType(err), message }, details: { willRetry } },
            );
            deps.telemetry.emit(event);
            await insertTelemetryEvent(deps.db, event).catch((writeErr: unknown) =>
              deps.logger.warn('could not write attempt failure to the telemetry ledger', { error: String(writeErr) }),
            );
          }
          throw err;
        }
      },
    };
    return { inbound };
  };
}
