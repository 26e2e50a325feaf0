import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The run-start outbox: `POST /runs` commits the accepted run here (its input, already
 * redacted by the API) and answers 202 at once; a starter in the API process starts the workflow
 * from the row, retrying with backoff while Temporal is unreachable. Starting is idempotent (the
 * workflow id is the run id's), so a row started twice is still one run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ai_generation_run_starts')
    .addColumn('run_id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('task_queue', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('accepted_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at_utc', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .execute();
  // The starter's scan: only rows not yet started, per task queue, oldest due first.
  await sql`create index ai_generation_run_starts_due_idx on ai_generation_run_starts
    (task_queue, next_attempt_at_utc) where started_at_utc is null`.execute(db);
  await sql`create index ai_generation_run_starts_tenant_pending_idx on ai_generation_run_starts
    (tenant_id) where started_at_utc is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ai_generation_run_starts').execute();
}
