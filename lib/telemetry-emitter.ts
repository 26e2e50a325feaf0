import { metrics, trace, type Attributes } from '@opentelemetry/api';
import type { Logger } from './logger';
import type { TelemetryEvent } from '../domain/telemetry-event';
import { validateTelemetryEvent } from '../domain/telemetry-event-schema';

/** Where telemetry goes besides the ledger: OpenTelemetry span events, metrics and logs. */
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
    'ai_generation.event_id': event.id,
    'ai_generation.event_type': event.eventType,
    'ai_generation.step': event.step,
    'ai_generation.outcome': event.outcome,
  };
  flatten('ai_generation', event.fields, attrs);
  return attrs;
}

/** Run statuses that are an outcome of a run (counted once per run in `ai_generation.runs`). */
const RUN_OUTCOMES = new Set(['DENIED', 'FAILED', 'BLOCKED', 'REJECTED', 'DRAFT', 'ACTIVE']);

/**
 * The metric instruments. Labels are bounded on purpose: tenant, outcome, provider, and the
 * lifecycle step (a fixed set). Never the capability key or name, which users choose.
 */
export function telemetryInstruments() {
  const meter = metrics.getMeter('toolnexus-ai-generation');
  return {
    events: meter.createCounter('ai_generation.events', { description: 'Ledger events by step and outcome' }),
    runs: meter.createCounter('ai_generation.runs', { description: 'Runs by outcome (denied, failed, blocked, …)' }),
    modelCalls: meter.createCounter('ai_generation.model.calls', {
      description: 'Model call attempts by provider and outcome',
    }),
    fallbacks: meter.createCounter('ai_generation.model.fallbacks', {
      description: 'Fallbacks from a provider (fallback rate = fallbacks / runs)',
    }),
    duplicates: meter.createCounter('ai_generation.duplicate.outcomes', {
      description: 'Duplicate checks by outcome (NONE, POTENTIAL, BLOCKING)',
    }),
    tokens: meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Tokens used per model call attempt (GenAI semantic conventions)',
      unit: '{token}',
    }),
    stepDuration: meter.createHistogram('ai_generation.step.duration', {
      description: 'Duration of each lifecycle step attempt',
      unit: 'ms',
    }),
    retries: meter.createCounter('ai_generation.activity.retries', {
      description: 'Failed activity attempts that Temporal will retry',
    }),
    attemptFailures: meter.createCounter('ai_generation.activity.failures', {
      description: 'Failed activity attempts, retried or final',
    }),
    ledgerWriteFailures: meter.createCounter('ai_generation.ledger.write_failures', {
      description: 'Telemetry ledger writes that failed (the activity is retried)',
    }),
  };
}

let instruments: ReturnType<typeof telemetryInstruments> | null = null;
/** Instruments from the global meter provider, created on first use (after the SDK has started). */
export function telemetryMetrics(): ReturnType<typeof telemetryInstruments> {
  instruments ??= telemetryInstruments();
  return instruments;
}
/** For tests that install a new meter provider. */
export function resetTelemetryMetrics(): void {
  instruments = null;
}

export function createOpenTelemetryEmitter(logger: Logger): TelemetryEmitter {
  return {
    emit(event) {
      // A missing §9 field is a bug: say so loudly (the ledger row is already written).
      const problems = validateTelemetryEvent(event);
      if (problems) logger.error('telemetry event is incomplete', { eventType: event.eventType, problems });
      const attributes = toAttributes(event);
      // Ledger events are events on the span of the step that wrote them (the activity's span, or
      // the API request's), not spans of their own.
      const span = trace.getActiveSpan();
      if (span) {
        span.addEvent(event.eventType, attributes);
        if (event.fields.error) span.setAttribute('error.type', event.fields.error.type);
      }
      const m = telemetryMetrics();
      const tenant = event.fields.tenantId;
      m.events.add(1, { tenant, step: event.step, outcome: event.outcome });
      const status = event.eventType.startsWith('RUN_') ? event.eventType.slice(4) : null;
      if (status && RUN_OUTCOMES.has(status)) m.runs.add(1, { tenant, outcome: status });
      const provider = event.fields.runtimeIdentity?.provider ?? 'none';
      if (event.eventType === 'MODEL_CALL_SUCCEEDED' || event.eventType === 'MODEL_ATTEMPT_FAILED') {
        m.modelCalls.add(1, { tenant, provider, outcome: event.outcome });
        const usage = event.fields.details.usage as
          { promptTokens?: number | null; completionTokens?: number | null } | undefined;
        if (typeof usage?.promptTokens === 'number') {
          m.tokens.record(usage.promptTokens, {
            tenant,
            'gen_ai.provider.name': provider,
            'gen_ai.token.type': 'input',
          });
        }
        if (typeof usage?.completionTokens === 'number') {
          m.tokens.record(usage.completionTokens, {
            tenant,
            'gen_ai.provider.name': provider,
            'gen_ai.token.type': 'output',
          });
        }
      }
      if (event.eventType === 'MODEL_FALLBACK') {
        const from = (event.fields.details.fromProvider as string | undefined) ?? provider;
        m.fallbacks.add(1, { tenant, provider: from, outcome: event.outcome });
      }
      if (event.eventType === 'DUPLICATE_CHECKED') m.duplicates.add(1, { tenant, outcome: event.outcome });
      const level = event.fields.error ? 'warn' : 'info';
      logger.log(level, `ai_generation ${event.eventType} ${event.outcome}`, {
        runId: event.fields.generationRunId,
        correlationId: event.fields.correlationId,
        telemetry: event,
      });
    },
  };
}
