import { sql, type Kysely } from 'kysely';

/**
 * Frozen. `Idempotency-Key` on `POST /runs`: one row per (tenant, key) holding the run id derived
 * from them, an HMAC of the request body (never the body: it may carry secrets), and the answer
 * given, so a retry gets the original 202 and a reused key with another body gets a 409.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull())
    .addColumn('request_hmac', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('api_idempotency_keys_pk', ['tenant_id', 'idempotency_key'])
    .execute();
  await sql`create index api_idempotency_keys_created_idx on api_idempotency_keys (created_at_utc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_idempotency_keys').execute();
}
