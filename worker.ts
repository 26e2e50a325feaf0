import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import type { ActivityDeps } from './activities/deps';
import { createModelRuntimes } from './activities/model';
import { registerPromptTemplates } from './activities/prompts/register';
import { attemptTelemetryInterceptor } from './activities/telemetry/attempt-interceptor';
import { createOpenTelemetryEmitter } from './activities/telemetry/emitter';
import { createDb } from './db/database';
import { recordConfigurationChanges } from './db/repositories/configuration-audit';
import { effectiveGenerationConfig, loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { startOpenTelemetry } from './lib/telemetry';
import { TASK_QUEUE } from './workflows/ids';

/** A worker for the generation workflow and its activities; tests build theirs with this too. */
export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueue?: string;
}): Promise<Worker> {
  const { deps } = opts;
  await registerPromptTemplates(deps.db);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities(deps),
    interceptors: { activity: [attemptTelemetryInterceptor(deps)] },
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const otel = startOpenTelemetry('toolnexus-ai-generation-worker');
  const logger = createLogger(config.logLevel, 'worker');
  const db = createDb(config.databaseUrl);
  const deps: ActivityDeps = {
    db,
    config,
    models: createModelRuntimes(config),
    telemetry: createOpenTelemetryEmitter(logger),
    logger,
  };
  const changed = await recordConfigurationChanges(
    db,
    config.environment,
    effectiveGenerationConfig(config),
    'worker-startup',
    new Date(),
  );
  if (changed.length > 0) logger.info('configuration changed since last recorded', { keys: changed });

  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker({ connection, namespace: config.temporalNamespace, deps });
  logger.info('worker started', {
    taskQueue: TASK_QUEUE,
    temporalAddress: config.temporalAddress,
    namespace: config.temporalNamespace,
    modelProviders: config.modelProviders,
  });
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM (the SDK installs those handlers).
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
