import { sql, type Kysely } from 'kysely';

/**
 * Frozen. What each lifecycle step returned when it first committed, keyed by the step's
 * workflow-made id. A retried activity (after a crash, a timeout or an outage) returns this stored
 * value instead of recomputing from live configuration and the live catalog, and a second attempt
 * that races the first cannot commit a second answer: the claim on `id` is taken in the step's own
 * transaction, so exactly one attempt's rows and events commit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ai_generation_step_results')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('committed_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index ai_generation_step_results_run_idx on ai_generation_step_results (tenant_id, run_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ai_generation_step_results').execute();
}
