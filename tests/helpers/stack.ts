import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createModelRuntimes } from '../../activities/model';
import type { TelemetryEmitter } from '../../activities/telemetry/emitter';
import type { TelemetryEvent } from '../../activities/telemetry/event';
import { createApp, startServer, stopServer } from '../../api/app';
import { createTemporalGateway } from '../../api/generation-gateway';
import type { Db } from '../../db/database';
import { loadConfig, type AppConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { signToken } from '../../lib/tokens';
import { createWorker } from '../../worker';
import { testDb } from './db';

export const TEST_JWT = { secret: 'test-secret-0123456789-0123456789-abcdef', issuer: 'toolnexus-test' };

export interface Stack {
  url: string;
  db: Db;
  config: AppConfig;
  taskQueue: string;
  emitted: TelemetryEvent[];
  token(tenantId: string, roles: string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole service for one test file: a worker on its own task queue with the given
 * environment (config), and the API on an ephemeral port, against real PostgreSQL and Temporal.
 */
export async function startStack(env: TestWorkflowEnvironment, configEnv: Record<string, string> = {}): Promise<Stack> {
  const config = loadConfig({ JWT_SECRET: TEST_JWT.secret, JWT_ISSUER: TEST_JWT.issuer, ...configEnv });
  const logger = createLogger('error', 'test');
  const db = testDb();
  const taskQueue = `test-${randomUUID()}`;
  const emitted: TelemetryEvent[] = [];
  const telemetry: TelemetryEmitter = { emit: (e) => emitted.push(e) };
  const worker: Worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: { db, config, models: createModelRuntimes(config), telemetry, logger },
  });
  const running = worker.run();
  const app = createApp({
    db,
    gateway: createTemporalGateway(env.client, taskQueue),
    logger,
    auth: TEST_JWT,
    development: false,
  });
  const { server, url } = await startServer(app, 0);
  return {
    url,
    db,
    config,
    taskQueue,
    emitted,
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
