import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKER_NODE_FLAGS, loadOperationsConfig } from '../../lib/operations-config';
import { temporalCliPath } from '../../lib/tools';
import { signToken } from '../../lib/tokens';
import { devServerArgs } from '../../scripts/dev/temporal';
import { canConnect, httpOk, waitUntil } from '../../scripts/dev/wait';
import { ServiceProcess } from '../../tests/helpers/processes';
import { TEST_JWT, TEST_SECURITY_ENV } from '../../tests/helpers/stack';
import { BENCH_DATABASE_URL, note } from './env';

export const NOOP_TASK_QUEUE = 'bench-noop-reference-v1';

/** The API as the bench sees it: where it listens, and tokens it accepts. */
export interface ApiEndpoint {
  url: string;
  token(tenantId: string, roles: string[], subject: string): Promise<string>;
}

export interface BenchServers {
  api: ApiEndpoint;
  client: Client;
  /** Process ids for CPU accounting. */
  pids: { temporal: number; worker: number; api: number; noopWorker: number };
  /** The worker's sizing and pool, as lib/operations-config.ts resolves it. */
  settings: Record<string, number>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `temporal server start-dev` as `npm run dev` starts it (same search attributes and dynamic
 * config), headless and in memory, on free ports. Its output goes to stderr, never stdout.
 */
async function startDevServer(): Promise<{ address: string; child: ChildProcess }> {
  const cli = temporalCliPath();
  if (!cli) throw new Error('the Temporal CLI is not installed: run `npm run setup` (it installs .tools/bin/temporal)');
  const port = await freePort();
  const args = devServerArgs({ port, uiPort: await freePort(), namespace: 'default', dbFile: '' });
  args.splice(args.indexOf('--db-filename'), 2); // in memory, like the tests' dev server: no disk syncs in the figures
  args.push('--headless', '--log-level', 'error');
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
  await waitUntil(
    `the Temporal dev server on 127.0.0.1:${port}`,
    async () => {
      if (exited) throw new Error(`the Temporal dev server ${exited}`);
      return canConnect('127.0.0.1', port);
    },
    60_000,
  );
  return { address: `127.0.0.1:${port}`, child };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Real servers, each a process of its own as in production: a Temporal dev server from the CLI
 * that `scripts/setup.sh` installs (lib/tools.ts); the worker (`worker.ts`, with WORKER_NODE_FLAGS
 * and a prebuilt workflow bundle) and the API (`api/main.ts`, on a free port) against the bench
 * database, with the offline model; and the no-op reference's worker (`bench/noop/worker.ts`) on
 * the same server with the same sizing and flags, its own task queue and bundle.
 * Set BENCH_CPU_PROF_DIR to write V8 CPU profiles of the worker and the API there.
 */
export async function startBenchServers(): Promise<BenchServers> {
  const dir = mkdtempSync(path.join(tmpdir(), 'toolnexus-bench-'));
  const processes: ServiceProcess[] = [];
  note('starting the Temporal dev server');
  const temporal = await startDevServer();
  const stopTemporal = async () => {
    temporal.child.kill('SIGTERM');
    if (temporal.child.exitCode === null) await new Promise((r) => temporal.child.once('exit', r));
  };
  try {
    note('bundling the workflow code (ours and the reference), as production runs it');
    const quiet = new DefaultLogger('WARN', (e) => note(`bundle ${e.level}: ${e.message}`));
    const ours = path.join(dir, 'workflow-bundle.js');
    const noop = path.join(dir, 'noop-bundle.js');
    writeFileSync(
      ours,
      (await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet })).code,
    );
    writeFileSync(
      noop,
      (await bundleWorkflowCode({ workflowsPath: require.resolve('../noop/workflows'), logger: quiet })).code,
    );

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...TEST_SECURITY_ENV,
      AI_GENERATION_ENVIRONMENT: 'test',
      DATABASE_URL: BENCH_DATABASE_URL,
      TEMPORAL_ADDRESS: temporal.address,
      PORT: String(port),
      HOST: '127.0.0.1',
      AI_MODEL_PROVIDERS: 'local',
      OPENAI_API_KEY: '',
      LOG_LEVEL: 'info', // 'worker started' is an info line
      LOG_SILENT: 'false',
      // The bench measures cost, not the per-tenant limits: lift them.
      RATE_LIMIT_RUNS_PER_MINUTE_PER_TENANT: '1000000',
      RATE_LIMIT_RUNS_PER_MINUTE_PER_PRINCIPAL: '1000000',
      MAX_RUNS_IN_FLIGHT_PER_TENANT: '1000000',
      WORKFLOW_BUNDLE_PATH: ours,
      NOOP_BUNDLE_PATH: noop,
      NOOP_TASK_QUEUE,
    };
    const prof = process.env.BENCH_CPU_PROF_DIR;
    const profFlags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
    const worker = ServiceProcess.node('worker', 'worker.ts', env, path.join(dir, 'worker.log'), [
      ...WORKER_NODE_FLAGS,
      ...profFlags,
    ]);
    const api = ServiceProcess.node('api', 'api/main.ts', env, path.join(dir, 'api.log'), profFlags);
    const noopWorker = ServiceProcess.node(
      'noop-worker',
      'bench/noop/worker.ts',
      env,
      path.join(dir, 'noop-worker.log'),
      WORKER_NODE_FLAGS,
    );
    processes.push(api, worker, noopWorker);
    note('starting the worker, the API and the reference worker');
    for (const p of processes) p.start();
    const url = `http://127.0.0.1:${port}`;
    const alive = () => {
      const dead = processes.find((p) => p.exits.length > 0);
      if (dead) throw new Error(`${dead.name} exited at startup:\n${tail(dead.logFile)}`);
    };
    await waitUntil(
      'the API to be ready',
      async () => {
        alive();
        return httpOk(`${url}/readyz`);
      },
      120_000,
    );
    for (const p of [worker, noopWorker]) {
      await waitUntil(
        `the ${p.name} to start`,
        async () => {
          alive();
          return /worker started/.test(readFileSync(p.logFile, 'utf8'));
        },
        120_000,
      );
    }
    const ops = loadOperationsConfig(env);
    const settings = { ...ops.worker, dbPoolMax: ops.dbPoolMax };
    note(`worker settings (both workers): ${JSON.stringify(settings)}`);
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: 'default' });
    return {
      api: {
        url,
        token: (tenantId, roles, subject) => signToken({ subject, tenantId, roles }, TEST_JWT),
      },
      client,
      pids: { temporal: temporal.child.pid!, worker: worker.pid!, api: api.pid!, noopWorker: noopWorker.pid! },
      settings,
      async close() {
        const died = processes.filter((p) => p.unexpectedExits > 0);
        await connection.close();
        for (const p of processes) await p.close();
        await stopTemporal();
        if (died.length) note(`unexpected exits: ${died.map((p) => `${p.name}\n${tail(p.logFile)}`).join('\n')}`);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const p of processes) {
      note(`${p.name} log (tail):\n${tail(p.logFile)}`);
      await p.close();
    }
    await stopTemporal();
    throw err;
  }
}
