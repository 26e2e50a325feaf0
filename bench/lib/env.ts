import os from 'node:os';
import { Client } from 'pg';
import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';

/**
 * The bench's own database: created (migrated) at the start and dropped at the end. It is never
 * the development or a test database; the name is checked before anything is dropped.
 */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus_bench';

const PROTECTED = /^(toolnexus|toolnexus_test.*|postgres|template[01]|test)$/;

function databaseName(url: string): string {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing bench database name ${JSON.stringify(name)}`);
  if (PROTECTED.test(name))
    throw new Error(`refusing to use ${name} as the bench database: it belongs to dev or tests`);
  return name;
}

async function withAdmin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const name = databaseName(url);
  await withAdmin(url, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
  const db = createDb(url, 1);
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

export async function dropBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const name = databaseName(url);
  await withAdmin(url, (c) => c.query(`drop database if exists ${name} with (force)`));
}

export function machine(): { machine: string; cpus: number } {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown cpu').replace(/\s+/g, ' ').trim();
  const gb = (os.totalmem() / 1024 ** 3).toFixed(1);
  return {
    machine: `${model}, ${cpus.length} vCPU, ${gb} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    cpus: cpus.length,
  };
}

/** Progress and notes: always stderr, so `--json` leaves stdout to the one JSON object. */
export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
