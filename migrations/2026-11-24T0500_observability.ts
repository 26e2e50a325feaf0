import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Governed configuration and trends:
 * - `configuration_values`: the runtime value of each tunable key per environment, changed only
 *   through the admin API; `configuration_audit` gains the reason and the source of every change.
 * - Covering indexes for the telemetry summary, so trends over a million runs are index-only scans
 *   of one tenant's (or, for platform admins, everyone's) time range.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('configuration_values')
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('config_key', 'text', (c) => c.notNull())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('configuration_values_pk', ['environment', 'config_key'])
    .execute();

  await db.schema.alterTable('configuration_audit').addColumn('reason', 'text').execute();
  await db.schema
    .alterTable('configuration_audit')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('deployment'))
    .execute();
  await sql`alter table configuration_audit add constraint configuration_audit_source_check
    check (source in ('deployment', 'admin'))`.execute(db);
  await sql`create index configuration_audit_env_time_idx on configuration_audit (environment, changed_at_utc desc, id)`.execute(
    db,
  );

  await sql`create index ai_generation_runs_summary_tenant_idx on ai_generation_runs (tenant_id, created_at_utc)
    include (status, capability_key, fallback_used, duplicate_outcome, contract_validation_outcome, updated_at_utc, completed_at_utc)`.execute(
    db,
  );
  await sql`create index ai_generation_runs_summary_time_idx on ai_generation_runs (created_at_utc)
    include (tenant_id, status, capability_key, fallback_used, duplicate_outcome, contract_validation_outcome, updated_at_utc, completed_at_utc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists ai_generation_runs_summary_time_idx`.execute(db);
  await sql`drop index if exists ai_generation_runs_summary_tenant_idx`.execute(db);
  await sql`drop index if exists configuration_audit_env_time_idx`.execute(db);
  await db.schema.alterTable('configuration_audit').dropColumn('source').execute();
  await db.schema.alterTable('configuration_audit').dropColumn('reason').execute();
  await db.schema.dropTable('configuration_values').execute();
}
