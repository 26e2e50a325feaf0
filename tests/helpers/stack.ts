import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createModelRuntimes } from '../../providers/model';
import { systemClock } from '../../activities/deps';
import type { TelemetryEmitter } from '../../activities/telemetry/emitter';
import type { TelemetryEvent } from '../../domain/telemetry-event';
import { createApp, startServer, stopServer } from '../../api/app';
import { Client } from '@temporalio/client';
import { createTemporalGateway } from '../../api/generation-gateway';
import { dataConverterFor } from '../../lib/payload-codec';
import { appSecurityFrom, authOptionsFrom } from '../../api/security';
import type { Db } from '../../db/database';
import { loadConfig, type AppConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { signToken } from '../../lib/tokens';
import { createWorker } from '../../worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { OpenTelemetry } from '../../lib/telemetry';
import { testDb } from './db';
import { TEST_CODEC_KEY } from './security';

export const TEST_JWT = {
  secret: 'test-secret-0123456789-0123456789-abcdef',
  issuer: 'toolnexus-test',
  audience: 'toolnexus-ai-generation-test',
};

/**
 * What a production deployment must configure (lib/config.ts refuses to start without it); the
 * stack runs with the strict defaults, so tests exercise the real security settings.
 */
export const TEST_SECURITY_ENV: Record<string, string> = {
  JWT_SECRET: TEST_JWT.secret,
  JWT_ISSUER: TEST_JWT.issuer,
  JWT_AUDIENCE: TEST_JWT.audience,
  TEMPORAL_PAYLOAD_CODEC_KEY: TEST_CODEC_KEY.key.toString('base64'),
  TEMPORAL_PAYLOAD_CODEC_KEY_ID: TEST_CODEC_KEY.id,
  DECISION_SIGNING_KEY: 'test-decision-signing-key-0123456789-abcdef',
};

export interface Stack {
  url: string;
  db: Db;
  config: AppConfig;
  taskQueue: string;
  emitted: TelemetryEvent[];
  /** The API's Temporal client (with the payload codec). */
  client: Client;
  token(tenantId: string, roles: string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole service for one test file: a worker on its own task queue with the given
 * environment (config), and the API on an ephemeral port, against real PostgreSQL and Temporal.
 */
export async function startStack(
  env: TestWorkflowEnvironment,
  configEnv: Record<string, string> = {},
  /** OpenTelemetry tests: the SDK (workflow spans' sink) and the real emitter besides `emitted`. */
  observability: { otel?: OpenTelemetry; emitter?: TelemetryEmitter } = {},
): Promise<Stack> {
  // `test`: a development environment (the local runtime's drafts may be promoted); the security
  // settings above are set explicitly, so they are as strict as in production.
  const config = loadConfig({ AI_GENERATION_ENVIRONMENT: 'test', ...TEST_SECURITY_ENV, ...configEnv });
  // Quiet by default; a test that inspects log lines (the planted-secret sweep) passes LOG_LEVEL.
  const logger = createLogger(configEnv.LOG_LEVEL ?? 'error', 'test');
  const db = testDb();
  const taskQueue = `test-${randomUUID()}`;
  const emitted: TelemetryEvent[] = [];
  const telemetry: TelemetryEmitter = {
    emit: (e) => {
      emitted.push(e);
      observability.emitter?.emit(e);
    },
  };
  const worker: Worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: { db, config, models: createModelRuntimes(config), telemetry, logger, clock: systemClock },
    otel: observability.otel,
  });
  const running = worker.run();
  // The API's own client, with the payload codec: payloads in Temporal are encrypted as in production.
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: dataConverterFor(config.payloadCodecKey),
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  const app = createApp({
    db,
    gateway: createTemporalGateway(client, taskQueue, { updateTimeoutMs: config.security.updateTimeoutMs }),
    logger,
    auth: authOptionsFrom(config),
    exposeStackTraces: false,
    security: appSecurityFrom(config),
    emitTelemetry: (e) => telemetry.emit(e),
    config,
  });
  const { server, url } = await startServer(app, 0);
  return {
    url,
    db,
    config,
    taskQueue,
    emitted,
    client,
    token: (tenantId, roles, subject = `user-${tenantId}`) => signToken({ subject, tenantId, roles }, TEST_JWT),
    async close() {
      await stopServer(server as Server);
      worker.shutdown();
      await running;
      await db.destroy();
    },
  };
}

export function uniqueTenant(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function api(
  stack: Pick<Stack, 'url'>,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; correlationId?: string | null; rawBody?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.rawBody !== undefined) headers['content-type'] = 'application/json';
  if (opts.correlationId !== null && (opts.correlationId || method !== 'GET')) {
    headers['x-correlation-id'] = opts.correlationId ?? `corr-${randomUUID()}`;
  }
  const res = await fetch(`${stack.url}/api/admin/ai-generation${path}`, {
    method,
    headers,
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Polls the API until the run reaches one of the statuses; fails with the last body otherwise. */
export async function waitForStatus(
  stack: Stack,
  token: string,
  runId: string,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<ApiResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResponse | null = null;
  while (Date.now() < deadline) {
    last = await api(stack, 'GET', `/runs/${runId}`, { token });
    if (last.status === 200 && statuses.includes(last.body.status)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `run ${runId} did not reach ${statuses.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last?.body)}`,
  );
}
