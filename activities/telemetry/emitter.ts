import { metrics, trace, type Attributes } from '@opentelemetry/api';
import type { Logger } from '../../lib/logger';
import type { TelemetryEvent } from './event';

/** Where telemetry goes besides the ledger: OpenTelemetry spans, metrics and logs. */
export interface TelemetryEmitter {
  emit(event: TelemetryEvent): void;
}

function flatten(prefix: string, value: unknown, out: Attributes): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    out[prefix] = value as string[];
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(`${prefix}.${k}`, v, out);
  } else {
    out[prefix] = JSON.stringify(value);
  }
}

export function toAttributes(event: TelemetryEvent): Attributes {
  const attrs: Attributes = {
    'ai_generation.event_type': event.eventType,
    'ai_generation.step': event.step,
    'ai_generation.outcome': event.outcome,
  };
  flatten('ai_generation', event.fields, attrs);
  return attrs;
}

export function createOpenTelemetryEmitter(logger: Logger): TelemetryEmitter {
  const tracer = trace.getTracer('toolnexus-ai-generation');
  const meter = metrics.getMeter('toolnexus-ai-generation');
  // Per-tenant and per-capability trend analysis: these are the counter's dimensions.
  const events = meter.createCounter('ai_generation.events', { description: 'AI generation lifecycle events' });
  return {
    emit(event) {
      const attributes = toAttributes(event);
      const span = tracer.startSpan(`ai_generation.${event.step}`, { attributes });
      if (event.fields.error)
        span.recordException({ name: event.fields.error.type, message: event.fields.error.message });
      span.end();
      events.add(1, {
        tenant_id: event.fields.tenantId,
        capability: event.fields.capability,
        event_type: event.eventType,
        outcome: event.outcome,
        fallback_used: event.fields.fallback.used,
      });
      const level = event.fields.error ? 'warn' : 'info';
      logger.log(level, `ai_generation ${event.eventType} ${event.outcome}`, { telemetry: event });
    },
  };
}
