import { Client, Connection } from '@temporalio/client';
import { createDb } from '../db/database';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startOpenTelemetry } from '../lib/telemetry';
import { createApp, startServer, stopServer } from './app';
import { createTemporalGateway } from './generation-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  const otel = startOpenTelemetry('toolnexus-ai-generation-api');
  const logger = createLogger(config.logLevel, 'api');
  const db = createDb(config.databaseUrl);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const app = createApp({
    db,
    gateway: createTemporalGateway(client),
    logger,
    auth: { secret: config.jwtSecret, issuer: config.jwtIssuer },
    development: config.environment === 'development',
  });
  const { server, url } = await startServer(app, config.port, process.env.HOST ?? '127.0.0.1');
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
