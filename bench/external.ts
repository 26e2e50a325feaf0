import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../db/database';
import { DEFAULT_EF_SEARCH } from '../db/repositories/catalog';
import { BENCH_DATABASE_URL, note } from './lib/env';

/**
 * Parts whose measuring code other engineers own: the duplicate check at catalog scale
 * (`bench/duplicates.ts`, issue 5) and the worker's memory with runs waiting
 * (`bench/worker-memory.ts`, issue 7b). Loaded by path when present, so `npm run bench` works
 * before they land; otherwise their keys are null and stderr says why.
 */

async function load<T>(file: string): Promise<T | null> {
  const full = path.join(__dirname, file);
  if (!existsSync(`${full}.ts`) && !existsSync(`${full}.js`)) return null;
  return (await import(full)) as T;
}

export interface DuplicatesFigures {
  dupCheckP95Ms: number;
  rawTopkP95Ms: number;
  recallAt10: number | null;
}

interface MeasuredRow {
  check: { p50: number; p95: number };
  rawTopK: { p50: number; p95: number };
  hnswRecallAt10: number;
}

/** What bench/duplicates.ts exports (issue 5's code: catalog synthesis, HNSW build, the measuring loop). */
interface DuplicatesModule {
  loadTools: () => { tools: unknown[]; queries: unknown[]; source: string };
  bulkInsert: (db: Db, from: number, to: number, tools: unknown[], embedder: unknown) => Promise<void>;
  rebuildIndex: (db: Db, m: number, efConstruction: number) => Promise<number>;
  measure: (db: Db, size: number, queries: unknown[], embedder: unknown, efs: number[]) => Promise<MeasuredRow[]>;
}

/**
 * HNSW settings: the index parameters of the latest migration that builds it
 * (`migrations/2026-11-24T0602_hnsw-ef-construction.ts`) and the check's own ef_search (db/repositories/catalog.ts).
 */
const HNSW = { m: 16, efConstruction: 128, efSearch: DEFAULT_EF_SEARCH };

/**
 * One full duplicate check (advisory lock, pgvector top-k, identity lookups, four dimensions) against
 * raw pgvector top-k on the same data, and HNSW recall@10 against exact search, on a synthetic
 * catalog of `catalogSize` Active entries built from the real tools in ../shared/data/mcp-tools, in
 * the bench database. The catalog, the index build and the loop are bench/duplicates.ts's.
 */
export async function benchDuplicates(opts: {
  catalogSize: number;
  queries: number;
}): Promise<DuplicatesFigures | null> {
  const mod = await load<Partial<DuplicatesModule>>('duplicates');
  if (!mod?.loadTools || !mod.bulkInsert || !mod.rebuildIndex || !mod.measure) {
    note(
      'duplicates: bench/duplicates.ts (its exported functions) has not landed; dup_check_* and hnsw_recall_at_10 are null',
    );
    return null;
  }
  const { LocalLexicalEmbedder } = await import('../providers/embedders/local');
  const db = createDb(BENCH_DATABASE_URL, 4);
  try {
    const { tools, queries, source } = mod.loadTools();
    const embedder = new LocalLexicalEmbedder();
    note(
      `duplicates: loading a ${opts.catalogSize.toLocaleString('en')}-entry catalog from ${source} (${tools.length} real tools, varied)`,
    );
    await sql`drop index if exists capability_embeddings_hnsw_idx`.execute(db);
    const loadStarted = Date.now();
    await mod.bulkInsert(db, 0, opts.catalogSize, tools, embedder);
    const buildMs = await mod.rebuildIndex(db, HNSW.m, HNSW.efConstruction);
    note(
      `duplicates: loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s (HNSW m=${HNSW.m}, ef_construction=${HNSW.efConstruction}, built in ${buildMs} ms)`,
    );
    const [row] = await mod.measure(db, opts.catalogSize, queries.slice(0, opts.queries), embedder, [HNSW.efSearch]);
    if (!row) throw new Error('bench/duplicates.ts measured nothing');
    note(`duplicates: ${JSON.stringify(row)} (ef_search=${HNSW.efSearch})`);
    return { dupCheckP95Ms: row.check.p95, rawTopkP95Ms: row.rawTopK.p95, recallAt10: row.hnswRecallAt10 };
  } finally {
    await db.destroy();
  }
}

interface WorkerMemoryModule {
  measureWorkerRss?: (opts: { runs?: number; log?: (m: string) => void }) => Promise<number>;
}

/** Worker RSS (MB) with `waiting` runs at rest, measured by bench/worker-memory.ts in a worker process of its own. */
export async function benchMemory(opts: { waiting: number }): Promise<number | null> {
  const mod = await load<WorkerMemoryModule>('worker-memory');
  if (!mod?.measureWorkerRss) {
    note('memory: bench/worker-memory.ts (measureWorkerRss) has not landed; worker_rss_mb_500_waiting is null');
    return null;
  }
  note(`memory: ${opts.waiting} runs brought to rest, worker RSS read from /proc (bench/worker-memory.ts)`);
  return mod.measureWorkerRss({ runs: opts.waiting, log: (m) => note(`memory: ${m}`) });
}
