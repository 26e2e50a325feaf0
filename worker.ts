import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { systemClock, type ActivityDeps } from './activities/deps';
import { createModelRuntimes } from './providers/model';
import { registerPromptTemplates } from './activities/prompts/register';
import { attemptTelemetryInterceptor } from './activities/telemetry/attempt-interceptor';
import { createOpenTelemetryEmitter } from './activities/telemetry/emitter';
import { createDb } from './db/database';
import { recordConfigurationChanges } from './db/repositories/configuration-audit';
import { effectiveGenerationConfig, loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { heapGrowingFlag, loadOperationsConfig, type OperationsConfig } from './lib/operations-config';
import {
  installTemporalRuntimeTelemetry,
  OTEL_WORKFLOW_INTERCEPTOR_MODULES,
  startOpenTelemetry,
  type OpenTelemetry,
} from './lib/telemetry';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { openTelemetryActivityInterceptors } from './activities/telemetry/otel-interceptor';
import { temporalConnectionOptions } from './lib/temporal-connection';
import { dataConverterFor } from './lib/payload-codec';
import { TASK_QUEUE } from './workflows/ids';

/** A worker for the generation workflow and its activities; tests build theirs with this too. */
export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueue?: string;
  /** Cache and concurrency; defaults from `loadOperationsConfig()` (sized to the pool and the CPUs). */
  sizing?: OperationsConfig['worker'];
  /** With it, workflow spans are exported through the SDK's sink (interceptor modules + sinks). */
  otel?: OpenTelemetry;
  /** Encrypts payloads (lib/payload-codec.ts); defaults to the codec key in `deps.config`. */
  dataConverter?: ReturnType<typeof dataConverterFor>;
}): Promise<Worker> {
  const { deps } = opts;
  const sizing = opts.sizing ?? loadOperationsConfig().worker;
  await registerPromptTemplates(deps.db);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    // A prebuilt bundle (`npm run bundle:workflows`, WORKFLOW_BUNDLE_PATH) spares the worker
    // webpack at startup: faster, and ~100 MB less resident memory for the life of the process.
    ...workflowCode(),
    activities: createActivities(deps),
    dataConverter: opts.dataConverter ?? dataConverterFor(deps.config.payloadCodecKey),
    interceptors: {
      // OpenTelemetry first, so the activity's span is active inside every other interceptor.
      activity: [...openTelemetryActivityInterceptors(), attemptTelemetryInterceptor(deps)],
      ...(opts.otel ? { workflowModules: OTEL_WORKFLOW_INTERCEPTOR_MODULES } : {}),
    },
    ...(opts.otel ? { sinks: { exporter: workflowSpanSink(opts.otel) } } : {}),
    ...sizing,
    activityTaskPollerBehavior: activityPollerBehavior(sizing.maxConcurrentActivityTaskExecutions),
  });
}

/**
 * Fewer activity pollers than activity slots. A waiting poll holds a slot, and the SDK's default is
 * min(10, slots) pollers: with every slot held, no activity can be handed to the worker eagerly with
 * its workflow task, so each one waits on the server's matching. `npm run bench` (its reference,
 * 8 no-op regular activities, on our sizing of 8 slots): 835 ms with 8 pollers, 436 ms with 2.
 */
export function activityPollerBehavior(slots: number): { type: 'simple-maximum'; maximum: number } {
  return { type: 'simple-maximum', maximum: Math.max(1, Math.min(5, Math.floor(slots / 4))) };
}

/** Workflow spans leave the sandbox through this sink (the interceptor package's own exporter). */
function workflowSpanSink(otel: OpenTelemetry) {
  // The package builds its spans with OpenTelemetry 1.x types; the adapter makes them 2.x spans.
  type Processor = Parameters<typeof makeWorkflowExporter>[0];
  type PackageResource = Parameters<typeof makeWorkflowExporter>[1];
  return makeWorkflowExporter(
    otel.workflowSpanProcessor as unknown as Processor,
    otel.resource as unknown as PackageResource,
  );
}

function workflowCode(): { workflowBundle: { code: string } } | { workflowsPath: string } {
  const codePath = loadOperationsConfig().workflowBundlePath;
  if (!codePath) return { workflowsPath: require.resolve('./workflows') };
  return { workflowBundle: { code: withoutSourcesContent(readFileSync(codePath, 'utf8'), path.resolve(codePath)) } };
}

const INLINE_SOURCE_MAP = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';

/**
 * The bundle's inline source map without `sourcesContent` (the TypeScript of every bundled module,
 * ~1.2 MB of its ~1.7 MB). The SDK keeps the bundle and its map alive in the workflow thread for
 * the life of the worker (the code as one two-byte string, the map parsed), and uses the map only to
 * turn workflow stack traces into TypeScript positions, which needs `mappings`, `sources` and
 * `names`, not the sources themselves. Saves ~10 MB resident (the workflow thread's heap at start:
 * 34 MB with them, 21 MB without). A bundle without an inline map is
 * returned as is (the SDK refuses it with its own message). `file` names the bundle in the map, as
 * the SDK does when it reads the bundle from a path (debuggers match the script by it).
 */
export function withoutSourcesContent(code: string, file?: string): string {
  const at = code.lastIndexOf(INLINE_SOURCE_MAP);
  if (at < 0) return code;
  const map = JSON.parse(Buffer.from(code.slice(at + INLINE_SOURCE_MAP.length).trim(), 'base64').toString('utf8')) as {
    sourcesContent?: unknown;
    file?: string;
  };
  delete map.sourcesContent;
  if (file) map.file = file;
  return `${code.slice(0, at)}${INLINE_SOURCE_MAP}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

async function main(): Promise<void> {
  const ops = loadOperationsConfig();
  // First, so that the workflow thread's isolate (created by Worker.create) starts with it too.
  const heapFlag = heapGrowingFlag(ops.workerHeapGrowingPercent);
  if (heapFlag) setFlagsFromString(heapFlag);
  const config = loadConfig();
  const otel = startOpenTelemetry('toolnexus-ai-generation-worker');
  const sdkMetrics = installTemporalRuntimeTelemetry();
  const logger = createLogger(config.logLevel, 'worker');
  const db = createDb(config.databaseUrl, ops.dbPoolMax, {
    connectionTimeoutMillis: ops.dbConnectTimeoutMs,
    idleTimeoutMillis: ops.dbIdleTimeoutMs,
    onError: (err) => logger.warn('idle database connection failed; the pool reconnects', { error: err.message }),
  });
  const deps: ActivityDeps = {
    db,
    config,
    models: createModelRuntimes(config),
    telemetry: createOpenTelemetryEmitter(logger),
    logger,
    clock: systemClock,
  };
  const changed = await recordConfigurationChanges(
    db,
    config.environment,
    effectiveGenerationConfig(config),
    'worker-startup',
    new Date(),
  );
  if (changed.length > 0) logger.info('configuration changed since last recorded', { keys: changed });

  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createWorker({
    connection,
    namespace: config.temporalNamespace,
    deps,
    sizing: ops.worker,
    otel,
  });
  logger.info('worker started', {
    taskQueue: TASK_QUEUE,
    temporalAddress: config.temporalAddress,
    namespace: config.temporalNamespace,
    modelProviders: config.modelProviders,
    otelExporters: otel.exporters,
    temporalSdkMetrics: sdkMetrics,
    dbPoolMax: ops.dbPoolMax,
    ...ops.worker,
    nodeFlags: [...process.execArgv, ...(heapFlag ? [heapFlag] : [])],
  });
  // Worker.run() returns after SIGINT/SIGTERM (the SDK installs those handlers): it stops polling,
  // finishes the workflow tasks in hand and cancels running activities once `shutdownGraceTime`
  // (default 0) has passed. Nothing is drained: Temporal retries a cancelled activity on another
  // worker, and that attempt records the one it replaced (activities/telemetry/attempt-interceptor.ts).
  await worker.run();
  await connection.close();
  await db.destroy();
  await otel.shutdown();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
