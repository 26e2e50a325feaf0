import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The review inbox (issue 6): open runs of a tenant, oldest wait first. A partial index
 * on the runs still open keeps the inbox independent of how many runs have ended.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ai_generation_runs_inbox_idx on ai_generation_runs (tenant_id, updated_at_utc, id)
    where completed_at_utc is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists ai_generation_runs_inbox_idx`.execute(db);
}
