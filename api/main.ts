import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { createDb } from '../db/database';
import { loadConfig } from '../lib/config';
import { loadOperationsConfig } from '../lib/operations-config';
import { createLogger } from '../lib/logger';
import { startOpenTelemetry } from '../lib/telemetry';
import { createOpenTelemetryEmitter } from '../lib/telemetry-emitter';
import { temporalConnectionOptions } from '../lib/temporal-connection';
import { dataConverterFor } from '../lib/payload-codec';
import { createApp, startServer, stopServer } from './app';
import { appSecurityFrom, authOptionsFrom } from './security';
import { createTemporalGateway } from './generation-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  const otel = startOpenTelemetry('toolnexus-ai-generation-api');
  const logger = createLogger(config.logLevel, 'api');
  const ops = loadOperationsConfig();
  const db = createDb(config.databaseUrl, ops.dbPoolMax, {
    connectionTimeoutMillis: ops.dbConnectTimeoutMs,
    idleTimeoutMillis: ops.dbIdleTimeoutMs,
    onError: (err) => logger.warn('idle database connection failed; the pool reconnects', { error: err.message }),
  });
  // Lazy: the API starts (and answers /healthz, and 503 on /readyz) while Temporal is still down,
  // and the channel reconnects by itself after a Temporal restart.
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config),
    connectTimeout: ops.temporalConnectTimeoutMs,
  });
  // The OpenTelemetry client interceptor carries the request's trace into the workflow's headers.
  const client = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    dataConverter: dataConverterFor(config.payloadCodecKey),
  });
  const emitter = createOpenTelemetryEmitter(logger);
  const app = createApp({
    db,
    gateway: createTemporalGateway(client, undefined, {
      rpcTimeoutMs: ops.temporalRpcTimeoutMs,
      updateTimeoutMs: config.security.updateTimeoutMs,
    }),
    logger,
    auth: authOptionsFrom(config),
    exposeStackTraces: config.security.exposeStackTraces,
    security: appSecurityFrom(config),
    emitTelemetry: (event) => emitter.emit(event),
    config,
  });
  const { server, url } = await startServer(app, config.port, config.security.host);
  logger.info('api listening', { url, admin: `${url}/admin` });

  const shutdown = async () => {
    logger.info('api stopping');
    await stopServer(server);
    await connection.close();
    await db.destroy();
    await otel.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  console.error('api failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
