import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { seedDemoCatalog } from './catalog-import';
import { loadConfig } from '../lib/config';
import { WORKER_NODE_FLAGS } from '../lib/operations-config';
import { signToken } from '../lib/tokens';
import { temporalCliPath } from '../lib/tools';
import { Children } from './dev/children';
import { devServerArgs, ensureSearchAttributes } from './dev/temporal';
import { canConnect, httpOk, parseHostPort, waitUntil } from './dev/wait';

/**
 * `npm run dev`: starts what is missing, in order — a Temporal dev server (when TEMPORAL_ADDRESS
 * answers nothing), migrations, the worker, the API — then prints the URLs and an example request.
 * Ctrl-C (or SIGTERM, SIGHUP) stops everything it started, newest first; a second one kills at once,
 * and no child — the Temporal dev server included — outlives this script however it ends
 * (`dev/children.ts`). A child that dies by itself is restarted; a PostgreSQL or Temporal restart
 * kills none of them (pool error listeners, reconnecting clients).
 */

const ROOT = path.resolve(__dirname, '..');
const log = (message: string) => console.log(`[dev] ${message}`);

// `npm run dev` is a local development stack: it opts into the public development keys (and the
// API on loopback) unless a real JWT_SECRET or environment is configured. Children inherit this.
if (!process.env.JWT_SECRET && !process.env.JWT_JWKS_URL) {
  process.env.AI_GENERATION_ENVIRONMENT ??= 'development';
  process.env.ALLOW_DEV_JWT_SECRET ??= 'true';
}
const config = loadConfig();
const children = new Children((name, how) => void shutdown(`${name} ${how}`, 1));
let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${reason}; stopping what this started`);
  await children.stopAll(log);
  log('stopped');
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!shuttingDown) return void shutdown(`${signal} received`, 0);
    log(`${signal} again: killing everything now`);
    children.killAll();
    process.exit(130);
  });
}

async function ensureTemporal(): Promise<string | null> {
  const { host, port } = parseHostPort(config.temporalAddress, 7233);
  let webUi: string | null = null;
  if (await canConnect(host, port)) {
    log(`Temporal is already reachable at ${config.temporalAddress}; using it`);
  } else {
    if (!['127.0.0.1', 'localhost'].includes(host)) {
      throw new Error(`TEMPORAL_ADDRESS=${config.temporalAddress} is not reachable, and it is not this machine`);
    }
    const cli = temporalCliPath();
    if (!cli)
      throw new Error('the Temporal CLI is not installed: run `npm run setup` (it installs .tools/bin/temporal)');
    mkdirSync(path.join(ROOT, '.dev'), { recursive: true });
    const uiPort = port + 1000;
    const dbFile = path.join(ROOT, '.dev', 'temporal.db');
    log(`starting the Temporal dev server on ${host}:${port} (state in .dev/temporal.db)`);
    children.start('temporal', cli, devServerArgs({ port, uiPort, namespace: config.temporalNamespace, dbFile }));
    await waitUntil(`Temporal on ${host}:${port}`, () => canConnect(host, port), 60_000);
    webUi = `http://127.0.0.1:${uiPort}`;
  }
  // Also for a server we started: an older .dev/temporal.db may predate an attribute.
  let added: string[] = [];
  await waitUntil(
    `search attributes on ${config.temporalAddress}`,
    async () => {
      try {
        added = await ensureSearchAttributes(config.temporalAddress, config.temporalNamespace);
        return true;
      } catch (err) {
        log(`search attributes not registered yet: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
    },
    30_000,
  );
  log(added.length ? `registered search attributes: ${added.join(', ')}` : 'search attributes are registered');
  return webUi;
}

async function migrate(): Promise<void> {
  const db = createDb(config.databaseUrl, 1);
  try {
    const applied = await migrateToLatest(db);
    log(applied.length ? `migrations: ${applied.join(', ')}` : 'database schema is up to date');
    log(await seedDemoCatalog(db));
  } finally {
    await db.destroy();
  }
}

async function startApp(): Promise<string> {
  const apiUrl = `http://127.0.0.1:${config.port}`;
  if (await canConnect('127.0.0.1', config.port)) {
    throw new Error(`port ${config.port} is already in use (another API?); stop it or set PORT`);
  }
  // The admin UI: a watch build into dist/ui, which the API serves under /admin (reload to see a change).
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  children.start('ui', process.execPath, [
    vite,
    'build',
    '--config',
    'ui/vite.config.mts',
    '--watch',
    '--mode',
    'development',
  ]);
  // Node itself, not npx → tsx → node: one process per child, so signals reach it directly.
  children.start('worker', process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', 'worker.ts']);
  children.start('api', process.execPath, ['--import', 'tsx', 'api/main.ts']);
  await waitUntil(`the API at ${apiUrl}/readyz`, () => httpOk(`${apiUrl}/readyz`), 90_000);
  return apiUrl;
}

async function printWelcome(apiUrl: string, webUi: string | null): Promise<void> {
  if (!config.jwtSecret) {
    console.log('Tokens come from your identity provider (JWT_JWKS_URL); no example tokens printed.');
    return;
  }
  const jwt = { secret: config.jwtSecret, issuer: config.jwtIssuer, audience: config.security.jwtAudience };
  const author = await signToken({ tenantId: 'demo', roles: ['capability-author'], subject: 'author-1' }, jwt);
  const reviewer = await signToken({ tenantId: 'demo', roles: ['capability-reviewer'], subject: 'reviewer-1' }, jwt);
  const body = JSON.stringify({
    name: 'Weather Lookup',
    problemStatement: 'Return the current weather for a city',
    language: 'typescript',
    targetRuntime: 'node20',
  });
  const runs = `${apiUrl}/api/admin/ai-generation/runs`;
  console.log(`
ToolNexus AI Generation is running. Ctrl-C stops what npm run dev started.

  API           ${apiUrl}
  Admin UI      ${apiUrl}/admin   (rebuilt on every change under ui/; paste a token below to sign in)
  Temporal UI   ${webUi ?? `(not started here: use the Web UI of the server at ${config.temporalAddress})`}

Tokens for tenant "demo" (12 h; more with: npm run -s token -- --tenant demo --role capability-author):
  AUTHOR_TOKEN='${author}'
  REVIEWER_TOKEN='${reviewer}'

Start a run:
  curl -sS -X POST ${runs} \\
    -H "Authorization: Bearer $AUTHOR_TOKEN" \\
    -H 'X-Correlation-Id: ${randomUUID()}' \\
    -H 'Content-Type: application/json' \\
    -d '${body}'

Read it (runId from the answer above):
  curl -sS ${runs}/<runId> -H "Authorization: Bearer $REVIEWER_TOKEN"
`);
}

async function main(): Promise<void> {
  const webUi = await ensureTemporal();
  await migrate();
  const apiUrl = await startApp();
  await printWelcome(apiUrl, webUi);
}

main().catch((err: unknown) => void shutdown(`failed: ${err instanceof Error ? err.message : String(err)}`, 1));
