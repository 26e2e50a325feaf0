import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import winston from 'winston';
import { createOpenTelemetryEmitter, resetTelemetryMetrics } from '../../lib/telemetry-emitter';
import { validateTelemetryEvent } from '../../domain/telemetry-event-schema';
import { createLogger } from '../../lib/logger';
import { startOpenTelemetry, type OpenTelemetry } from '../../lib/telemetry';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/** A reader the test collects from on demand (real SDK, real instruments). */
class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const body = {
  name: 'Shipment Tracker',
  problemStatement: 'Track a parcel by its carrier tracking number and report its latest status.',
  language: 'typescript',
  targetRuntime: 'node20',
};

let env: TestWorkflowEnvironment;
let stack: Stack;
let otel: OpenTelemetry;
const spans = new InMemorySpanExporter();
const reader = new TestMetricReader();
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  otel = startOpenTelemetry('toolnexus-test', { spanExporter: spans, metricReader: reader });
  resetTelemetryMetrics();
  const logger = createLogger('info', 'test');
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    }),
  );
  env = await startTemporalDevServer();
  stack = await startStack(env, {}, { otel, emitter: createOpenTelemetryEmitter(logger) });
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
  await otel?.shutdown();
});

function byTrace(traceId: string): ReadableSpan[] {
  return spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

describe('OpenTelemetry end to end', () => {
  let runId: string;
  let tenant: string;
  let traceId: string;

  beforeAll(async () => {
    tenant = uniqueTenant('otel');
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const started = await api(stack, 'POST', '/runs', { token: author, body });
    expect(started.status).toBe(202);
    runId = started.body.runId;
    await waitForStatus(stack, author, runId, ['DRAFT']);
    for (const targetState of ['Review', 'Approved', 'Active']) {
      const res = await api(stack, 'POST', `/runs/${runId}/promote`, { token: reviewer, body: { targetState } });
      expect(res.status).toBe(200);
    }
    await waitForStatus(stack, author, runId, ['ACTIVE']);
    await stack.client.workflow.getHandle(`ai-generation-run/${runId}`).result();
    await otel.forceFlush();
    const root = spans.getFinishedSpans().find((s) => s.name === 'POST /api/admin/ai-generation/runs');
    expect(root).toBeDefined();
    traceId = root!.spanContext().traceId;
  });

  it('gives one run one trace from POST /runs through the workflow and every activity', () => {
    const trace = byTrace(traceId);
    const names = trace.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/admin/ai-generation/runs',
        'StartWorkflow:generationRun',
        'RunWorkflow:generationRun',
      ]),
    );
    // Every activity the workflow scheduled ran inside the same trace.
    const scheduled = names.filter((n) => n.startsWith('StartActivity:')).map((n) => n.slice('StartActivity:'.length));
    const ran = new Set(names.filter((n) => n.startsWith('RunActivity:')).map((n) => n.slice('RunActivity:'.length)));
    for (const activity of ['admitRun', 'callModel', 'checkDraft', 'recordRunStatus', 'recordPromotion']) {
      expect(scheduled).toContain(activity);
      expect(ran.has(activity)).toBe(true);
    }
    for (const a of scheduled) expect(ran.has(a)).toBe(true);
    // Parent links hold the trace together: every span but the root has its parent in the trace.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    const orphans = trace.filter((s) => {
      const parent = (s as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;
      return s.name !== 'POST /api/admin/ai-generation/runs' && (!parent || !ids.has(parent));
    });
    expect(orphans.map((s) => s.name)).toEqual([]);
    console.log(`one run's trace (${trace.length} spans):\n${[...new Set(names)].join('\n')}`);
  });

  it('puts ledger events on the activity span as span events, not spans of their own', () => {
    const trace = byTrace(traceId);
    expect(trace.some((s) => s.name.startsWith('ai_generation.'))).toBe(false);
    const snapshot = trace.find((s) => s.name === 'RunActivity:admitRun')!;
    expect(snapshot.events.map((e) => e.name)).toContain('SNAPSHOT_FROZEN');
    const frozen = snapshot.events.find((e) => e.name === 'SNAPSHOT_FROZEN')!;
    expect(frozen.attributes).toMatchObject({
      'ai_generation.generationRunId': runId,
      'ai_generation.tenantId': tenant,
    });
    // checkDraft's span carries both gate steps' events, in ledger order.
    const gates = trace.find((s) => s.name === 'RunActivity:checkDraft')!;
    expect(gates.events.map((e) => e.name).filter((n) => /^(CONTRACT|DUPLICATE)_/.test(n))).toEqual([
      'CONTRACT_DRAFTED',
      'CONTRACT_VALIDATED',
      'DUPLICATE_CHECKED',
    ]);
  });

  it('makes model calls GenAI spans under the callModel activity', () => {
    const trace = byTrace(traceId);
    const model = trace.find((s) => s.name === 'chat local-deterministic-v1');
    expect(model).toBeDefined();
    expect(model!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'local',
      'gen_ai.request.model': 'local-deterministic-v1',
      'gen_ai.response.model': 'local-deterministic-v1',
      'ai_generation.runtime_class': 'development',
      'ai_generation.fallback.used': false,
      'ai_generation.attempt': 1,
    });
    expect(model!.attributes['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    expect(model!.attributes['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
    const activity = trace.find((s) => s.name === 'RunActivity:callModel')!;
    expect((model as unknown as { parentSpanContext: { spanId: string } }).parentSpanContext.spanId).toBe(
      activity.spanContext().spanId,
    );
  });

  it('labels metrics with bounded values only: never the capability key or name', async () => {
    const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
    const points = resourceMetrics.scopeMetrics.flatMap((sm) =>
      sm.metrics.map((m) => ({ name: m.descriptor.name, points: m.dataPoints as Array<{ attributes: object }> })),
    );
    const names = points.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ai_generation.events',
        'ai_generation.runs',
        'ai_generation.model.calls',
        'ai_generation.duplicate.outcomes',
        'gen_ai.client.token.usage',
        'ai_generation.step.duration',
      ]),
    );
    const allowed = new Set(['tenant', 'outcome', 'provider', 'step', 'gen_ai.provider.name', 'gen_ai.token.type']);
    const capabilityKey = (await api(stack, 'GET', `/runs/${runId}`, { token: await stack.token(tenant, ['admin']) }))
      .body.capabilityKey as string;
    for (const p of points) {
      for (const dp of p.points) {
        for (const [k, v] of Object.entries(dp.attributes)) {
          expect({ metric: p.name, label: k, allowed: allowed.has(k) }).toEqual({
            metric: p.name,
            label: k,
            allowed: true,
          });
          expect([capabilityKey, body.name]).not.toContain(v);
        }
      }
    }
    const runs = points.find((p) => p.name === 'ai_generation.runs')!.points as Array<{
      attributes: Record<string, string>;
      value: number;
    }>;
    expect(runs.find((d) => d.attributes.tenant === tenant && d.attributes.outcome === 'DRAFT')?.value).toBe(1);
  });

  it('writes log lines that carry the trace id, correlation id and run id', () => {
    const lines = logLines.filter((l) => l.runId === runId);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) {
      expect(l.correlationId).toEqual(expect.any(String));
      expect(l.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(lines.some((l) => l.traceId === traceId)).toBe(true);
  });

  it('emits only complete events: every §9 field, filled for its step', () => {
    const events = stack.emitted.filter((e) => e.fields.generationRunId === runId);
    expect(events.length).toBeGreaterThan(8);
    for (const e of events)
      expect({ event: e.eventType, problems: validateTelemetryEvent(e) }).toEqual({
        event: e.eventType,
        problems: null,
      });
  });
});
