import { context, metrics, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
} from '@opentelemetry/sdk-metrics';
import { node } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { Runtime } from '@temporalio/worker';

/**
 * OpenTelemetry for the API and the worker, always on: a tracer provider (so every log line and
 * span carries a trace id and context propagates from `POST /runs` through Temporal to every
 * activity), a meter provider, and the W3C trace-context propagator. Where spans and metrics go is
 * chosen with the standard variables:
 *
 * - `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`: `otlp`, `console` or `none` (comma lists
 *   allowed). Unset, they are `otlp` when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the signal's own
 *   endpoint) is set, and `none` otherwise.
 * - `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT`,
 *   `OTEL_EXPORTER_OTLP_HEADERS`: read by the OTLP/HTTP exporters themselves.
 * - `OTEL_SERVICE_NAME` overrides the service name; `OTEL_METRIC_EXPORT_INTERVAL` (ms) the period.
 *
 * Tests pass their own in-memory exporter and reader instead.
 */

/**
 * Temporal's workflow interceptors for OpenTelemetry (run, activity-scheduling and update spans,
 * exported through the worker's `exporter` sink). Also passed to `bundleWorkflowCode` for a
 * prebuilt bundle.
 */
export const OTEL_WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

export interface OpenTelemetry {
  resource: Resource;
  /** The span processor workflow spans are exported through (the worker's sink). */
  spanProcessor: SpanProcessor;
  /**
   * The same, for spans rebuilt from the workflow sandbox by `makeWorkflowExporter`: it speaks
   * the 1.x span shape (`parentSpanId`, `instrumentationLibrary`), which this adapts to 2.x.
   */
  workflowSpanProcessor: SpanProcessor;
  /** Which exporters are active, for the startup log. */
  exporters: { traces: string[]; metrics: string[] };
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface OpenTelemetryOptions {
  env?: NodeJS.ProcessEnv;
  /** Replaces the exporters chosen from the environment (tests: an in-memory exporter). */
  spanExporter?: SpanExporter;
  metricReader?: IMetricReader;
}

function exportersFor(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): string[] {
  const listed = env[`OTEL_${signal}_EXPORTER`];
  if (listed && listed.trim()) {
    return listed
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter((x) => x && x !== 'none');
  }
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`] ? ['otlp'] : [];
}

/** A span processor that hands each finished span to every processor given. */
class FanOutProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}
  onStart(...args: Parameters<SpanProcessor['onStart']>): void {
    for (const p of this.processors) p.onStart(...args);
  }
  onEnd(...args: Parameters<SpanProcessor['onEnd']>): void {
    for (const p of this.processors) p.onEnd(...args);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

/** Adapts spans in the 1.x shape (rebuilt from the workflow sandbox) to the 2.x SDK's processors. */
class WorkflowSpanAdapter implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}
  onStart(): void {
    // Workflow spans arrive finished, through the sink.
  }
  onEnd(span: Parameters<SpanProcessor['onEnd']>[0]): void {
    const s = span as unknown as Record<string, unknown> & {
      spanContext(): SpanContext;
      parentSpanId?: string;
      instrumentationLibrary?: { name: string; version?: string };
    };
    const ctx = s.spanContext();
    const adapted = {
      ...s,
      parentSpanContext:
        s.parentSpanContext ??
        (s.parentSpanId ? { traceId: ctx.traceId, spanId: s.parentSpanId, traceFlags: ctx.traceFlags } : undefined),
      instrumentationScope: s.instrumentationScope ??
        s.instrumentationLibrary ?? { name: '@temporalio/interceptors-opentelemetry' },
      droppedAttributesCount: s.droppedAttributesCount ?? 0,
      droppedEventsCount: s.droppedEventsCount ?? 0,
      droppedLinksCount: s.droppedLinksCount ?? 0,
    };
    this.inner.onEnd(adapted as unknown as Parameters<SpanProcessor['onEnd']>[0]);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function startOpenTelemetry(serviceName: string, opts: OpenTelemetryOptions = {}): OpenTelemetry {
  const env = opts.env ?? process.env;
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || serviceName,
    [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0',
  });

  const traceExporters = opts.spanExporter ? ['custom'] : exportersFor(env, 'TRACES');
  const processors: SpanProcessor[] = [];
  if (opts.spanExporter) processors.push(new SimpleSpanProcessor(opts.spanExporter));
  else {
    for (const name of traceExporters) {
      if (name === 'otlp') processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
      else if (name === 'console') processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
      else throw new Error(`OTEL_TRACES_EXPORTER: unsupported exporter "${name}" (want otlp, console or none)`);
    }
  }
  const spanProcessor = new FanOutProcessor(processors);
  const tracerProvider = new node.NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Sets the global tracer provider, the AsyncLocalStorage context manager and the propagator.
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });

  const metricExporters = opts.metricReader ? ['custom'] : exportersFor(env, 'METRICS');
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
  const readers: IMetricReader[] = [];
  if (opts.metricReader) readers.push(opts.metricReader);
  else {
    for (const name of metricExporters) {
      if (name === 'otlp') {
        readers.push(
          new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: interval }),
        );
      } else if (name === 'console') {
        readers.push(
          new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: interval }),
        );
      } else throw new Error(`OTEL_METRICS_EXPORTER: unsupported exporter "${name}" (want otlp, console or none)`);
    }
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    resource,
    spanProcessor,
    workflowSpanProcessor: new WorkflowSpanAdapter(spanProcessor),
    exporters: { traces: traceExporters, metrics: metricExporters },
    async forceFlush() {
      await tracerProvider.forceFlush();
      await meterProvider.forceFlush();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** The active trace and span ids, for log lines (empty outside a span). */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ctx = span.spanContext();
  if (!trace.isSpanContextValid(ctx)) return {};
  return { traceId: ctx.traceId, spanId: ctx.spanId };
}

/**
 * The Temporal SDK's own metrics (workflow and activity task latencies, schedule-to-start, sticky
 * cache, polls…) go through the Runtime's telemetry options: to the same OTLP endpoint as ours
 * when metrics are exported over OTLP, otherwise nowhere. Call before creating any connection.
 */
export function installTemporalRuntimeTelemetry(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!exportersFor(env, 'METRICS').includes('otlp')) return null;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  const http = protocol !== 'grpc';
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || (http ? `${base}/v1/metrics` : base);
  if (!url) return null;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        metricPrefix: 'temporal_',
        otel: { url, http, metricsExportInterval: Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000 },
      },
    },
  });
  return url;
}
