import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Catalog entries written without a vector (activated by a run, or written directly) get
 * one lazily at the next duplicate check of their tenant; `embedding_model` names the embedder of
 * an entry's vector (null: none yet), and this partial index finds the unembedded ones without
 * scanning the tenant's catalog.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index capabilities_tenant_unembedded_idx on capabilities (tenant_id, updated_at_utc desc) where embedding_model is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists capabilities_tenant_unembedded_idx`.execute(db);
}
