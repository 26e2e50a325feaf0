import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** Where Debian puts the server binaries; PG_BIN overrides it. pgvector is installed next to them. */
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A port nothing listens on right now (bind an ephemeral one, note it, release it). */
export async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** initdb and pg_ctl refuse to run as root: as root, run them as the `postgres` OS user. */
const OS_USER = process.env.PG_OS_USER ?? 'postgres';
function asRoot(): boolean {
  return process.getuid?.() === 0;
}

async function pgTool(tool: string, args: string[]): Promise<string> {
  const [command, argv] = asRoot()
    ? ['runuser', ['-u', OS_USER, '--', path.join(PG_BIN, tool), ...args]]
    : [path.join(PG_BIN, tool), args];
  const { stdout } = await run(command, argv, { timeout: 60_000 });
  return stdout;
}

/**
 * A throwaway PostgreSQL cluster of the tests' own: initdb into a temporary folder, a spare port on
 * loopback, trust auth, durability off (it dies with the test). Stopping and starting it is how
 * the fault tests restart "the database" without touching the machine's shared server.
 */
export class PgCluster {
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PgCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'toolnexus-pg-'));
    if (asRoot()) {
      const { stdout: uid } = await run('id', ['-u', OS_USER]);
      const { stdout: gid } = await run('id', ['-g', OS_USER]);
      chownSync(dir, Number(uid.trim()), Number(gid.trim()));
    }
    const cluster = new PgCluster(dir, await sparePort());
    await pgTool('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    await pgTool('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', 'start']);
    this.running = true;
  }

  /**
   * `fast`: the server terminates every session (clients see 57P01 / a cut socket) and shuts down
   * cleanly, as an orchestrator's restart does. `immediate` is a crash.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await pgTool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
    this.running = false;
  }

  async createDatabase(name: string, extensions: string[] = ['vector']): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    const db = new Client({ connectionString: this.url(name) });
    await db.connect();
    try {
      for (const ext of extensions) await db.query(`create extension if not exists ${ext}`);
    } finally {
      await db.end();
    }
    return this.url(name);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
