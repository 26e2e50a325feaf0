import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A catalog entry's duplicate features (verb, resources, effect, property signatures,
 * weighted terms), written with the entry by the detector version that derived them, so a check
 * reads its neighbours' features instead of deriving them again. A table of its own, not columns of
 * capability_embeddings: the HNSW scan reads that table's rows, which must stay small.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('capability_duplicate_features')
    .addColumn('capability_id', 'uuid', (c) => c.notNull().references('capabilities.id').onDelete('cascade'))
    .addColumn('features_version', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('features', 'jsonb', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('capability_duplicate_features_pk', ['capability_id', 'features_version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('capability_duplicate_features').execute();
}
