import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The catalog's HNSW index rebuilt with ef_construction 128 (was 64), m unchanged at 16.
 * On a 100,000-entry synthetic catalog built from the real MCP tools, recall@10 at the check's
 * ef_search of 200 was 0.9735–0.9885 across five builds at 64, twice below the 0.98 the check
 * needs; three builds at 128 gave 0.9905–0.995, for 22–32 s of build instead of 17–20. A denser
 * graph costs inserts a little more, not queries.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists capability_embeddings_hnsw_idx`.execute(db);
  await sql`create index capability_embeddings_hnsw_idx on capability_embeddings using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 128)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists capability_embeddings_hnsw_idx`.execute(db);
  await sql`create index capability_embeddings_hnsw_idx on capability_embeddings using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 64)`.execute(
    db,
  );
}
