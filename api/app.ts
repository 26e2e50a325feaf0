import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Logger } from '../lib/logger';
import { requirePrincipal } from './auth';
import { correlationId } from './correlation';
import { NotFoundError, problemMiddleware } from './errors';
import type { GenerationGateway } from './generation-gateway';
import { promptsRouter } from './prompts-router';
import { runsRouter } from './runs-router';

export interface AppDeps {
  db: Db;
  gateway: GenerationGateway;
  logger: Logger;
  auth: { secret: string; issuer: string };
  development: boolean;
  clock?: () => Date;
}

export const API_BASE = '/api/admin/ai-generation';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', async (_req, res) => {
    await sql`select 1`.execute(deps.db);
    res.json({ status: 'ok' });
  });
  app.use('/admin', express.static(path.join(__dirname, 'public'), { index: 'index.html' }));

  const api = express.Router();
  api.use(correlationId);
  api.use(requirePrincipal(deps.auth));
  api.use(express.json({ limit: '64kb' }));
  api.use(runsRouter({ db: deps.db, gateway: deps.gateway, clock: deps.clock ?? (() => new Date()) }));
  api.use(promptsRouter({ db: deps.db }));
  app.use(API_BASE, api);

  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(problemMiddleware(deps.logger, deps.development));
  return app;
}

export async function startServer(
  app: express.Express,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const { port: actual } = server.address() as AddressInfo;
      resolve({ server, url: `http://${host}:${actual}` });
    });
  });
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
