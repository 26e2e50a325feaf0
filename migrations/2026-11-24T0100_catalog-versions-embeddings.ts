import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The catalog becomes first-class (issue 5):
 * - `capabilities` stays the entry table and is versioned by capability key: one row per
 *   tenant + key + semver `version` (the old tenant + key uniqueness is replaced), with MCP
 *   annotations, provenance, the input record's id and an identity key for index lookups.
 *   "One Active version per tenant + key" is left to the contracts/versions work (a partial
 *   unique index on top of `lifecycle_state`).
 * - `capability_embeddings`: one vector per catalog version per embedder (id + version), HNSW
 *   cosine index; queries always filter by embedder so vectors of different embedders are never
 *   compared. The old `capabilities.embedding` columns are left unused.
 * - duplicate checks record the detector, combination and embedder identity plus the candidate and
 *   its vector (so later runs compare against in-flight candidates); matches carry per-dimension
 *   scores, evidence, a rank, the in-flight run they point at (instead of a catalog entry), and the
 *   reviewer's verdict per match for calibration.
 */

const EMBEDDING_DIMENSIONS = 256;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('capabilities')
    .addColumn('version', 'text', (c) => c.notNull().defaultTo('1.0.0'))
    .addColumn('annotations', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('provenance', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('external_id', 'text')
    .addColumn('identity_key', 'text')
    .execute();
  await sql`alter table capabilities drop constraint capabilities_tenant_key_key`.execute(db);
  await sql`alter table capabilities add constraint capabilities_tenant_key_version_key unique (tenant_id, capability_key, version)`.execute(
    db,
  );
  await sql`alter table capabilities add constraint capabilities_version_semver_check check (version ~ '^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]*)?$')`.execute(
    db,
  );
  await sql`create index capabilities_tenant_identity_key_idx on capabilities (tenant_id, identity_key)`.execute(db);
  await sql`create index capabilities_tenant_state_key_idx on capabilities (tenant_id, lifecycle_state, capability_key, id)`.execute(
    db,
  );
  await sql`create index capabilities_tenant_external_id_idx on capabilities (tenant_id, external_id)`.execute(db);

  await db.schema
    .createTable('capability_embeddings')
    .addColumn('capability_id', 'uuid', (c) => c.notNull().references('capabilities.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('embedder_id', 'text', (c) => c.notNull())
    .addColumn('embedder_version', 'text', (c) => c.notNull())
    .addColumn('embedding', sql`vector(${sql.raw(String(EMBEDDING_DIMENSIONS))})`, (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('capability_embeddings_pkey', ['capability_id', 'embedder_id', 'embedder_version'])
    .execute();
  await sql`create index capability_embeddings_tenant_embedder_idx on capability_embeddings (tenant_id, embedder_id, embedder_version)`.execute(
    db,
  );
  await sql`create index capability_embeddings_hnsw_idx on capability_embeddings using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 64)`.execute(
    db,
  );

  await db.schema
    .alterTable('ai_generation_duplicate_checks')
    .addColumn('capability_key', 'text')
    .addColumn('candidate_identity_key', 'text')
    .addColumn('candidate', 'jsonb')
    .addColumn('detector_version', 'text')
    .addColumn('combination_version', 'text')
    .addColumn('embedder_id', 'text')
    .addColumn('embedder_version', 'text')
    .addColumn('embedding', sql`vector(${sql.raw(String(EMBEDDING_DIMENSIONS))})`)
    .execute();
  await sql`create index ai_generation_duplicate_checks_identity_idx on ai_generation_duplicate_checks (tenant_id, candidate_identity_key)`.execute(
    db,
  );

  await sql`alter table ai_generation_duplicate_matches alter column matched_capability_id drop not null`.execute(db);
  await db.schema
    .alterTable('ai_generation_duplicate_matches')
    .addColumn('matched_run_id', 'uuid', (c) => c.references('ai_generation_runs.id'))
    .addColumn('matched_external_id', 'text')
    .addColumn('match_rank', 'integer')
    .addColumn('scores', 'jsonb')
    .addColumn('evidence', 'jsonb')
    .addColumn('verdict', 'text', (c) => c.check(sql`verdict is null or verdict in ('DUPLICATE','NOT_DUPLICATE')`))
    .addColumn('verdict_by', 'text')
    .addColumn('verdict_at_utc', 'timestamptz')
    .execute();
  await sql`alter table ai_generation_duplicate_matches add constraint ai_generation_duplicate_matches_target_check check (matched_capability_id is not null or matched_run_id is not null)`.execute(
    db,
  );
  await sql`create index ai_generation_duplicate_matches_check_idx on ai_generation_duplicate_matches (duplicate_check_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists ai_generation_duplicate_matches_check_idx`.execute(db);
  await sql`alter table ai_generation_duplicate_matches drop constraint ai_generation_duplicate_matches_target_check`.execute(
    db,
  );
  for (const col of [
    'matched_run_id',
    'matched_external_id',
    'match_rank',
    'scores',
    'evidence',
    'verdict',
    'verdict_by',
    'verdict_at_utc',
  ]) {
    await db.schema.alterTable('ai_generation_duplicate_matches').dropColumn(col).execute();
  }
  await sql`delete from ai_generation_duplicate_matches where matched_capability_id is null`.execute(db);
  await sql`alter table ai_generation_duplicate_matches alter column matched_capability_id set not null`.execute(db);
  await sql`drop index if exists ai_generation_duplicate_checks_identity_idx`.execute(db);
  for (const col of [
    'capability_key',
    'candidate_identity_key',
    'candidate',
    'detector_version',
    'combination_version',
    'embedder_id',
    'embedder_version',
    'embedding',
  ]) {
    await db.schema.alterTable('ai_generation_duplicate_checks').dropColumn(col).execute();
  }
  await db.schema.dropTable('capability_embeddings').execute();
  await sql`drop index if exists capabilities_tenant_external_id_idx`.execute(db);
  await sql`drop index if exists capabilities_tenant_state_key_idx`.execute(db);
  await sql`drop index if exists capabilities_tenant_identity_key_idx`.execute(db);
  await sql`alter table capabilities drop constraint capabilities_version_semver_check`.execute(db);
  await sql`alter table capabilities drop constraint capabilities_tenant_key_version_key`.execute(db);
  await sql`alter table capabilities add constraint capabilities_tenant_key_key unique (tenant_id, capability_key)`.execute(
    db,
  );
  for (const col of ['version', 'annotations', 'provenance', 'external_id', 'identity_key']) {
    await db.schema.alterTable('capabilities').dropColumn(col).execute();
  }
}
