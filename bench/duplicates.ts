import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Client } from 'pg';
import { createDb, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { vectorLiteral } from '../db/repositories/catalog';
import { importedFeatures, runDuplicateCheck } from '../activities/duplicates';
import { FEATURES_VERSION } from '../domain/duplicates/stored-features';
import { FourDimensionDetector } from '../domain/duplicates/detector';
import { identityKey, type ToolRecord } from '../domain/duplicates/features';
import { capabilityKeyFor } from '../domain/duplicates/normalize';
import { deterministicUuid } from '../domain/deterministic-id';
import { LocalLexicalEmbedder } from '../providers/embedders/local';
import { NEIGHBOURS_K } from '../domain/duplicates/screen';

/**
 * `npm run bench:duplicates`: synthetic catalogs built from the real tools in
 * ../shared/data/mcp-tools (catalog.json and dev-candidates.json; never the held-out
 * candidates.json), or from data/sample-catalog.json when absent, with varied names and
 * descriptions. In its own database (created and dropped) it measures, at each catalog size:
 * p50/p95 of one full duplicate check (lock, pgvector top-k, identity lookups, four dimensions)
 * against raw pgvector top-k on the same data in the same run, and HNSW recall@10 against exact
 * search, for several hnsw.ef_search values (and m at the smaller size).
 *
 * Options: --sizes 1000,10000,100000  --queries 200  --keep (leave the database)
 */

const BASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus';
const DATA_DIR = process.env.MCP_TOOLS_DIR ?? join(__dirname, '..', '..', 'shared', 'data', 'mcp-tools');
const TENANT = 'bench';
/** The reference fetches as many neighbours as the check does: the same top-k, without the rest. */
const K = NEIGHBOURS_K;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

export function loadTools(): { tools: ToolRecord[]; queries: ToolRecord[]; source: string } {
  const read = (p: string) => {
    const v = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    return (Array.isArray(v) ? v : (v as { tools: ToolRecord[] }).tools) as ToolRecord[];
  };
  if (existsSync(join(DATA_DIR, 'catalog.json'))) {
    const tools = read(join(DATA_DIR, 'catalog.json'));
    const extra = existsSync(join(DATA_DIR, 'dev-candidates.json')) ? read(join(DATA_DIR, 'dev-candidates.json')) : [];
    // Queries: the development candidates (tools of other servers), then the catalog's own tools,
    // all distinct, so a p95 over 200 checks is not the third-worst of a few dozen.
    return { tools: [...tools, ...extra], queries: [...extra, ...tools], source: DATA_DIR };
  }
  const sample = read(join(__dirname, '..', 'data', 'sample-catalog.json'));
  return { tools: sample, queries: sample, source: 'data/sample-catalog.json' };
}

// Deterministic pseudo-random variation.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 0x100000000;
  };
}
const VENDORS = ['acme', 'zenith', 'orbit', 'nimbus', 'quartz', 'helio', 'vertex', 'lumen', 'cobalt', 'sable'];
const NOUNS = [
  'invoice',
  'customer',
  'shipment',
  'order',
  'ledger',
  'account',
  'contact',
  'campaign',
  'asset',
  'device',
  'sensor',
  'policy',
  'contract',
  'vendor',
  'product',
  'catalog',
  'warehouse',
  'payment',
  'refund',
  'tenant',
  'region',
  'cluster',
  'volume',
  'snapshot',
  'certificate',
  'domain',
  'record',
  'pipeline',
  'build',
  'release',
];
const PHRASES = [
  'for the {n} service',
  'in the {n} workspace',
  'scoped to one {n}',
  'with {n} filters',
  'across {n} partitions',
  'using the {n} index',
];

function variant(base: ToolRecord, i: number): ToolRecord & { id: string } {
  const r = rng(i * 2654435761);
  const vendor = VENDORS[Math.floor(r() * VENDORS.length)]!;
  const noun = NOUNS[Math.floor(r() * NOUNS.length)]!;
  const noun2 = NOUNS[Math.floor(r() * NOUNS.length)]!;
  const phrase = PHRASES[Math.floor(r() * PHRASES.length)]!.replace('{n}', noun2);
  const name = r() < 0.5 ? `${vendor}_${base.name}_${noun}` : `${noun}_${base.name}`;
  return {
    ...base,
    id: `synthetic-${i}/${name}`,
    name,
    description: `${base.description} (${phrase}; ${noun} edition ${i % 97})`,
    server: `${vendor}-${i % 50}`,
  };
}

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const admin = new URL(BASE_URL);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function bulkInsert(
  db: Db,
  from: number,
  to: number,
  tools: ToolRecord[],
  embedder: LocalLexicalEmbedder,
) {
  const batch = 500;
  for (let start = from; start < to; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(to, start + batch); i++) rows.push(variant(tools[i % tools.length]!, i));
    const vectors = await embedder.embed(rows);
    const caps = rows.map((t) => ({
      id: deterministicUuid('bench', t.id),
      tenant_id: TENANT,
      capability_key: capabilityKeyFor(t.id),
      version: '1.0.0',
      name: t.name,
      normalized_name: capabilityKeyFor(t.name),
      description: t.description,
      runtime: 'mcp',
      input_schema: JSON.stringify(t.inputSchema ?? {}),
      output_schema: t.outputSchema ? JSON.stringify(t.outputSchema) : null,
      manifest: JSON.stringify({ name: t.name }),
      lifecycle_state: 'Active',
      source: 'IMPORTED' as const,
      source_run_id: null,
      embedding: null,
      embedding_model: `${embedder.id}@${embedder.version}`,
      annotations: JSON.stringify(t.annotations ?? {}),
      provenance: JSON.stringify({ server: t.server }),
      external_id: t.id,
      identity_key: identityKey(t.name, t.server),
    }));
    await db.insertInto('capabilities').values(caps).execute();
    const values = caps.map(
      (c, j) => sql`(${c.id}, ${TENANT}, ${embedder.id}, ${embedder.version}, ${vectorLiteral(vectors[j]!)}::vector)`,
    );
    await sql`insert into capability_embeddings (capability_id, tenant_id, embedder_id, embedder_version, embedding)
      values ${sql.join(values)}`.execute(db);
    // As catalog:import does: each entry's duplicate features, derived once from the stored entry.
    const features = rows.map(
      (t, j) =>
        sql`(${caps[j]!.id}, ${FEATURES_VERSION}, ${TENANT}, ${JSON.stringify(importedFeatures({ ...t, runtime: 'mcp' }))}::jsonb)`,
    );
    await sql`insert into capability_duplicate_features (capability_id, features_version, tenant_id, features)
      values ${sql.join(features)}`.execute(db);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
}

async function rawTopK(db: Db, embedder: LocalLexicalEmbedder, v: number[], k: number, ef: number, exact = false) {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('hnsw.ef_search', ${String(ef)}, true)`.execute(trx);
    await sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(trx);
    if (exact) await sql`set local enable_indexscan = off`.execute(trx);
    const lit = vectorLiteral(v);
    const r = await sql<{ capability_id: string }>`
      select capability_id from capability_embeddings
      where tenant_id = ${TENANT} and embedder_id = ${embedder.id} and embedder_version = ${embedder.version}
      order by embedding <=> ${lit}::vector limit ${k}`.execute(trx);
    return r.rows.map((x) => x.capability_id);
  });
}

export async function measure(
  db: Db,
  size: number,
  queries: ToolRecord[],
  embedder: LocalLexicalEmbedder,
  efs: number[],
) {
  const qv = await embedder.embed(queries);
  const detector = new FourDimensionDetector();
  // warm-up
  for (let i = 0; i < Math.min(5, queries.length); i++) await rawTopK(db, embedder, qv[i]!, K, 64);
  const exact = [];
  for (let i = 0; i < queries.length; i++) exact.push(await rawTopK(db, embedder, qv[i]!, 10, 64, true));
  const rows: Record<string, unknown>[] = [];
  for (const ef of efs) {
    const full: number[] = [];
    const raw: number[] = [];
    let hits = 0;
    for (let i = 0; i < queries.length; i++) {
      let t = performance.now();
      const ids = await rawTopK(db, embedder, qv[i]!, K, ef);
      raw.push(performance.now() - t);
      const top10 = ids.slice(0, 10);
      hits += exact[i]!.filter((id) => top10.includes(id)).length;
      t = performance.now();
      // As the activity runs it: the check takes the tenant's advisory lock itself.
      await db.transaction().execute(async (trx) =>
        runDuplicateCheck(trx, embedder, detector, {
          tenantId: TENANT,
          runId: null,
          candidate: queries[i]!,
          vector: qv[i]!,
          thresholds: { potential: 0.8, blocking: 0.95 },
          includeInFlight: false,
          efSearch: ef,
        }),
      );
      full.push(performance.now() - t);
    }
    const recall = hits / exact.reduce((s, e) => s + e.length, 0);
    rows.push({
      size,
      efSearch: ef,
      check: { p50: pct(full, 50), p95: pct(full, 95) },
      rawTopK: { p50: pct(raw, 50), p95: pct(raw, 95) },
      p95Ratio: +(pct(full, 95) / pct(raw, 95)).toFixed(2),
      hnswRecallAt10: +recall.toFixed(4),
    });
    console.error(JSON.stringify(rows[rows.length - 1]));
  }
  return rows;
}

export async function rebuildIndex(db: Db, m: number, efConstruction: number): Promise<number> {
  const t = performance.now();
  await sql`drop index if exists capability_embeddings_hnsw_idx`.execute(db);
  await sql
    .raw(
      `create index capability_embeddings_hnsw_idx on capability_embeddings using hnsw (embedding vector_cosine_ops) with (m = ${m}, ef_construction = ${efConstruction})`,
    )
    .execute(db);
  await sql`analyze capability_embeddings`.execute(db);
  await sql`analyze capabilities`.execute(db);
  return Math.round(performance.now() - t);
}

/** The migration's ef_construction (`migrations/2026-11-24T0602_hnsw-ef-construction.ts`). */
const EF_CONSTRUCTION = 128;

async function main(): Promise<void> {
  const sizes = arg('--sizes', '1000,10000,100000').split(',').map(Number);
  const nq = Number(arg('--queries', '200'));
  const keep = process.argv.includes('--keep');
  const { tools, queries: allQueries, source } = loadTools();
  const queries = allQueries.slice(0, nq);
  const name = `toolnexus_bench_dup_${process.pid}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), 4);
  const embedder = new LocalLexicalEmbedder();
  const results: Record<string, unknown>[] = [];
  try {
    await migrateToLatest(db);
    await sql`set maintenance_work_mem = '512MB'`.execute(db).catch(() => undefined);
    let have = 0;
    for (const size of sizes) {
      // Load without the index, then build it once (faster than maintaining it row by row).
      await sql`drop index if exists capability_embeddings_hnsw_idx`.execute(db);
      const t = performance.now();
      await bulkInsert(db, have, size, tools, embedder);
      const loadMs = Math.round(performance.now() - t);
      have = size;
      const mVariants = size <= 10_000 ? [16, 32] : [16];
      for (const m of mVariants) {
        const buildMs = await rebuildIndex(db, m, EF_CONSTRUCTION);
        console.error(`size ${size}: loaded in ${loadMs} ms, HNSW m=${m} built in ${buildMs} ms`);
        const rows = await measure(db, size, queries, embedder, [40, 64, 100, 200]);
        for (const r of rows) results.push({ ...r, m, efConstruction: EF_CONSTRUCTION, indexBuildMs: buildMs });
      }
    }
    const firstOver100 = results.find((r) => (r.check as { p50: number }).p50 > 100);
    const firstP95Over100 = results.find((r) => (r.check as { p95: number }).p95 > 100);
    console.log(
      JSON.stringify(
        {
          source,
          queries: queries.length,
          k: K,
          embedder: `${embedder.id}@${embedder.version}`,
          results,
          firstSizeWithCheckP50Over100ms: firstOver100 ? firstOver100.size : null,
          firstSizeWithCheckP95Over100ms: firstP95Over100 ? firstP95Over100.size : null,
          loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
        },
        null,
        2,
      ),
    );
  } finally {
    await db.destroy();
    if (!keep) await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

// `npm run bench` (issue 11) imports the functions above; run main only as a script.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`bench:duplicates: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}
