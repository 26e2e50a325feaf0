import { trace } from '@opentelemetry/api';
import type { Context } from '@temporalio/activity';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { withLogContext } from '../../lib/logger';
import { telemetryMetrics } from './emitter';
import { willRetry } from './retry';

/** The ids an activity's first argument carries: a trace, or the run input itself (intake). */
function idsOf(args: unknown[]): { runId?: string; tenantId?: string; correlationId?: string } {
  const first = args[0] as
    | { trace?: { runId: string; tenantId: string; correlationId: string }; runId?: string; tenantId?: string }
    | undefined;
  if (!first || typeof first !== 'object') return {};
  if (first.trace) return first.trace;
  const run = first as { runId?: unknown; tenantId?: unknown; correlationId?: unknown };
  return {
    runId: typeof run.runId === 'string' ? run.runId : undefined,
    tenantId: typeof run.tenantId === 'string' ? run.tenantId : undefined,
    correlationId: typeof run.correlationId === 'string' ? run.correlationId : undefined,
  };
}

/**
 * Temporal's OpenTelemetry activity interceptors (a `RunActivity:<type>` span, child of the
 * workflow's `StartActivity:<type>`, so the trace runs on from the API), then ours: the run's ids
 * on the span and on every log line, and the step duration, failure and retry metrics. Listed
 * first among the worker's activity interceptors, so the span is active for everything inside.
 */
export function openTelemetryActivityInterceptors(): ActivityInterceptorsFactory[] {
  const temporal: ActivityInterceptorsFactory = (ctx: Context) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
  const ours: ActivityInterceptorsFactory = (ctx: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const info = ctx.info;
        const ids = idsOf(input.args);
        const span = trace.getActiveSpan();
        span?.setAttributes({
          'ai_generation.step': info.activityType,
          'ai_generation.attempt': info.attempt,
          ...(ids.runId ? { 'ai_generation.run_id': ids.runId } : {}),
          ...(ids.tenantId ? { 'ai_generation.tenant_id': ids.tenantId } : {}),
          ...(ids.correlationId ? { 'ai_generation.correlation_id': ids.correlationId } : {}),
        });
        const m = telemetryMetrics();
        const tenant = ids.tenantId ?? 'unknown';
        const started = performance.now();
        try {
          const result = await withLogContext(ids, () => next(input));
          m.stepDuration.record(performance.now() - started, { tenant, step: info.activityType, outcome: 'SUCCEEDED' });
          return result;
        } catch (err) {
          const retry = willRetry(info, err);
          const outcome = retry ? 'RETRYING' : 'FAILED';
          m.stepDuration.record(performance.now() - started, { tenant, step: info.activityType, outcome });
          m.attemptFailures.add(1, { tenant, step: info.activityType, outcome });
          if (retry) m.retries.add(1, { tenant, step: info.activityType });
          span?.setAttribute('ai_generation.will_retry', retry);
          throw err;
        }
      },
    };
    return { inbound };
  };
  return [temporal, ours];
}
