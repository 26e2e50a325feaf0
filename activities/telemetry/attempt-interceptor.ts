import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { insertTelemetryEvent, insertTelemetryEvents } from '../../db/repositories/telemetry';
import type { Db } from '../../db/database';
import { canonicalJson, deterministicUuid, sha256Hex } from '../../domain/deterministic-id';
import { RUN_FAILURE } from '../../domain/failures';
import type { Logger } from '../../lib/logger';
import { asPermanentFailure } from '../failures';
import { telemetryMetrics, type TelemetryEmitter } from './emitter';
import { willRetry as temporalWillRetry } from './retry';
import { ApplicationFailure } from '@temporalio/activity';
import { buildTelemetryEvent, type TelemetryEvent, type TraceContext } from '../../domain/telemetry-event';

/** Activities that record their own attempts, with richer evidence, in their own transaction. */
const SELF_RECORDING = new Set(['callModel']);

function traceOf(args: unknown[]): TraceContext | null {
  const first = args[0] as { trace?: TraceContext } | undefined;
  return first && typeof first === 'object' && first.trace ? first.trace : null;
}

/**
 * Inside a merged activity (admitRun, checkDraft), the step an error came from and the trace that
 * step ran under: the failed attempt is recorded under the activity Temporal retried, as its
 * history shows, with `details.failedStep` and that step's trace (a failed duplicate check carries
 * the contract's outcome).
 */
const failedSteps = new WeakMap<object, { step: string; trace: TraceContext }>();

/**
 * Errors an inner recorder (admitRun's, for the steps after the request) has already logged and
 * recorded, keyed to the attempt that did: the worker's own recorder does not repeat them. An error
 * object seen again in another attempt is that attempt's failure and is recorded again.
 */
const reportedIn = new WeakMap<object, string>();

function attemptKey(info: Context['info']): string {
  return `${info.workflowExecution?.runId ?? 'standalone'}:${info.activityId}:${info.attempt}`;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Runs one step of a merged activity; an error it throws is marked with the step and its trace. */
export async function asStep<T>(step: string, trace: TraceContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isObject(err) && !failedSteps.has(err)) failedSteps.set(err, { step, trace });
    throw err;
  }
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
 * The ledger id of attempt `attempt`'s failure. One id per attempt, whoever writes it: the attempt
 * itself when it fails in the open, or a later attempt when a crash or a timeout lost it. Keyed by
 * the step's input, not the activity id: a local activity that backs off past its local retry
 * threshold is scheduled again under a new id, with its attempt count carried on.
 */
export function attemptFailedEventId(info: Context['info'], args: unknown[], attempt: number): string {
  return deterministicUuid(
    info.workflowExecution?.runId ?? 'standalone',
    info.activityType,
    sha256Hex(canonicalJson(args)),
    attempt,
    'ACTIVITY_ATTEMPT_FAILED',
  );
}

/**
 * No silent retries. Every failed activity attempt is logged, emitted to OpenTelemetry and — when
 * the database is reachable — written to the telemetry ledger, saying whether Temporal will retry.
 * An attempt that finds it is a retry (`info.attempt > 1`) first writes a failure for every earlier
 * attempt that left none (a worker crash, a timeout, or the database itself being down), before it
 * does its work; the ids are per attempt, so an attempt already on record is not written twice and
 * the ledger matches Temporal's history attempt for attempt. Permanent faults are translated to
 * non-retryable failures with their namespaced type here, once for every activity.
 */
export function attemptTelemetryInterceptor(deps: {
  db: Db;
  telemetry: TelemetryEmitter;
  logger: Logger;
}): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const info = ctx.info;
        const trace = traceOf(input.args);
        const recordsItself = SELF_RECORDING.has(info.activityType);
        if (info.attempt > 1 && trace && !recordsItself) {
          await recordLostAttempts(deps, info, input.args, trace);
        }
        try {
          return await next(input);
        } catch (caught) {
          if (isObject(caught) && reportedIn.get(caught) === attemptKey(info)) throw caught;
          const failed = isObject(caught) ? failedSteps.get(caught) : undefined;
          const err = asPermanentFailure(caught);
          if (isObject(err)) reportedIn.set(err, attemptKey(info));
          // From the activity's real retry policy: attempt limit and non-retryable error types.
          const willRetry = temporalWillRetry(info, err);
          const message = err instanceof Error ? err.message : String(err);
          deps.logger.warn('activity attempt failed', {
            activityType: info.activityType,
            workflowId: info.workflowExecution?.workflowId,
            attempt: info.attempt,
            ...(failed && { failedStep: failed.step }),
            willRetry,
            errorType: errorType(err),
            error: message,
          });
          if (trace && !recordsItself) {
            const event = buildTelemetryEvent(
              attemptFailedEventId(info, input.args, info.attempt),
              failed?.trace ?? trace,
              'ACTIVITY_ATTEMPT_FAILED',
              info.activityType,
              willRetry ? 'RETRYING' : 'FAILED',
              {
                attempt: info.attempt,
                error: { type: errorType(err), message },
                details: { willRetry, ...(failed && { failedStep: failed.step }) },
              },
            );
            deps.telemetry.emit(event);
            await insertTelemetryEvent(deps.db, event).catch((writeErr: unknown) => {
              // A failed ledger write is visible: a metric, a log line, and a retry of the activity,
              // whose next attempt records this one as lost before it does its work.
              telemetryMetrics().ledgerWriteFailures.add(1, { tenant: trace.tenantId, step: info.activityType });
              deps.logger.warn('could not write attempt failure to the telemetry ledger; the next attempt will', {
                error: String(writeErr),
              });
              if (!willRetry) {
                throw ApplicationFailure.retryable(
                  `recording the failure of ${info.activityType} failed: ${String(writeErr)}`,
                  'Telemetry:LedgerWriteFailed',
                );
              }
            });
          }
          throw err;
        }
      },
    };
    return { inbound };
  };
}

/** Writes a failure for each earlier attempt of this activity that has none on the ledger. */
async function recordLostAttempts(
  deps: { db: Db; telemetry: TelemetryEmitter; logger: Logger },
  info: Context['info'],
  args: unknown[],
  trace: TraceContext,
): Promise<void> {
  const events: TelemetryEvent[] = [];
  for (let attempt = 1; attempt < info.attempt; attempt++) {
    events.push(
      buildTelemetryEvent(
        attemptFailedEventId(info, args, attempt),
        trace,
        'ACTIVITY_ATTEMPT_FAILED',
        info.activityType,
        'RETRYING',
        {
          attempt,
          error: {
            type: RUN_FAILURE.attemptLost,
            message: `attempt ${attempt} ended without recording itself (worker crash, timeout or database outage)`,
          },
          details: { willRetry: true, recordedByAttempt: info.attempt },
        },
      ),
    );
  }
  const written = await insertTelemetryEventsIfAbsent(deps.db, trace.tenantId, events);
  for (const e of written) deps.telemetry.emit(e);
  if (written.length > 0) {
    deps.logger.warn('recorded activity attempts lost before they could record themselves', {
      activityType: info.activityType,
      workflowId: info.workflowExecution?.workflowId,
      attempts: written.map((e) => e.fields.attempt),
    });
  }
}

/** Inserts the events whose ids are not on the ledger yet; returns the ones it wrote. */
async function insertTelemetryEventsIfAbsent(
  db: Db,
  tenantId: string,
  events: TelemetryEvent[],
): Promise<TelemetryEvent[]> {
  if (events.length === 0) return [];
  const present = new Set(
    (
      await db
        .selectFrom('telemetry_events')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          events.map((e) => e.id),
        )
        .execute()
    ).map((r) => r.id),
  );
  const missing = events.filter((e) => !present.has(e.id));
  await insertTelemetryEvents(db, missing);
  return missing;
}
