import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Db } from '../db/database';
import type { Logger } from '../lib/logger';
import type { TelemetryEvent } from '../domain/telemetry-event';
import { adminUi } from './admin-ui';
import { requirePrincipal, type AuthOptions } from './auth';
import { authorize } from './authorization';
import { securityHeaders, noStore } from './security-headers';
import type { AppSecurity } from './security';
import { correlationId } from './correlation';
import { codecRouter } from './codec-router';
import { openApiDocument } from './openapi';
import { NotFoundError, problemMiddleware } from './errors';
import type { GenerationGateway } from './generation-gateway';
import { healthRouter } from './health-router';
import { promptsRouter } from './prompts-router';
import { catalogRouter } from './catalog-router';
import { configRouter } from './config-router';
import { promotionGuard } from './promotion-guard';
import { correlationToTrace, requestTracing } from './tracing';
import { telemetryRouter } from './telemetry-router';
import type { AppConfig } from '../lib/config';
import { runsRouter } from './runs-router';
import { inboxRouter } from './inbox-router';
import { createRunStarter, type RunStarter } from './run-starter';

export interface AppDeps {
  db: Db;
  gateway: GenerationGateway;
  logger: Logger;
  auth: AuthOptions;
  /** Stack traces in 5xx bodies: their own flag (EXPOSE_STACK_TRACES), never the environment name. */
  exposeStackTraces: boolean;
  clock?: () => Date;
  /** Security settings (limits, codec, decision signing); defaults suit tests. */
  security: AppSecurity;
  /** Telemetry for what the API itself records (a POST /runs denied at the edge). */
  emitTelemetry?: (event: TelemetryEvent) => void;
  /** The deployed configuration; with it the API serves …/config (governed, audited changes). */
  config?: AppConfig;
}

export const API_BASE = '/api/admin/ai-generation';

/** The run starter of each app, so starting and stopping the server start and stop it too. */
const startersOfApps = new WeakMap<express.Express, RunStarter>();
const startersOfServers = new WeakMap<Server, RunStarter>();

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const starter = createRunStarter({ db: deps.db, gateway: deps.gateway, logger: deps.logger });
  startersOfApps.set(app, starter);
  app.disable('x-powered-by');
  // Every API response is no-store (per caller, tenant data): an ETag would only cost a hash of each body.
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(healthRouter({ db: deps.db, gateway: deps.gateway }));
  app.use(securityHeaders());
  app.use('/admin', adminUi());
  if (deps.security.codec) app.use('/codec', codecRouter({ auth: deps.auth, codec: deps.security.codec }));
  // The API contract is public: it describes routes and roles, never data.
  const openapi = openApiDocument(API_BASE);
  app.get('/api/openapi.json', noStore, (_req, res) => void res.json(openapi));

  const api = express.Router();
  api.use(requestTracing(API_BASE));
  api.use(noStore);
  api.use(correlationId);
  api.use(correlationToTrace);
  api.use(requirePrincipal(deps.auth));
  api.use(express.json({ limit: '64kb' }));
  api.use(authorize);
  if (deps.config) api.use(promotionGuard({ db: deps.db, environment: deps.config.environment }));
  api.use(
    runsRouter({
      db: deps.db,
      gateway: deps.gateway,
      starter,
      clock: deps.clock ?? (() => new Date()),
      security: deps.security,
      emitTelemetry: deps.emitTelemetry,
    }),
  );
  api.use(promptsRouter({ db: deps.db }));
  api.use(inboxRouter({ db: deps.db, clock: deps.clock ?? (() => new Date()) }));
  api.use(catalogRouter({ db: deps.db }));
  if (deps.config) api.use(configRouter({ db: deps.db, config: deps.config, clock: deps.clock ?? (() => new Date()) }));
  api.use(telemetryRouter({ db: deps.db, clock: deps.clock ?? (() => new Date()) }));
  app.use(API_BASE, api);

  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(problemMiddleware(deps.logger, deps.exposeStackTraces));
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
      const starter = startersOfApps.get(app);
      if (starter) {
        startersOfServers.set(server, starter);
        starter.start();
      }
      resolve({ server, url: `http://${host}:${actual}` });
    });
  });
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  await startersOfServers.get(server)?.stop();
}
