import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The whole Phase 5 schema plus the domains this project owns (execution snapshots,
 * governance decisions, telemetry ledger, capability catalog, prompt templates, configuration audit).
 */

const EMBEDDING_DIMENSIONS = 256;
const now = sql`now()`;

async function createIndexes(db: Kysely<any>, table: string, columns: string[]): Promise<void> {
  for (const column of columns) {
    await db.schema.createIndex(`${table}_${column}_idx`).on(table).column(column).execute();
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists vector`.execute(db);

  // -- runs: one row per generation attempt, written first (denied attempts included)
  await db.schema
    .createTable('ai_generation_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('capability_key', 'text', (c) => c.notNull())
    .addColumn('capability_name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('target_runtime', 'text', (c) => c.notNull())
    .addColumn('intent', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lifecycle_state', 'text')
    .addColumn('governance_decision_id', 'uuid')
    .addColumn('execution_snapshot_id', 'uuid')
    .addColumn('runtime_provider', 'text')
    .addColumn('model_identity', 'text')
    .addColumn('fallback_used', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('duplicate_outcome', 'text')
    .addColumn('contract_validation_outcome', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('completed_at_utc', 'timestamptz')
    .addCheckConstraint(
      'ai_generation_runs_status_check',
      sql`status in ('REQUESTED','RUNNING','DENIED','FAILED','BLOCKED','AWAITING_ADJUDICATION','REJECTED','DRAFT','REVIEW','APPROVED','ACTIVE')`,
    )
    .addCheckConstraint(
      'ai_generation_runs_lifecycle_check',
      sql`lifecycle_state is null or lifecycle_state in ('Draft','Review','Approved','Active')`,
    )
    .execute();

  await db.schema
    .createTable('governance_decisions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('ai_generation_runs.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('AUTHORITY','ADJUDICATION','PROMOTION')`))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('ADMIT','DENY')`))
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('authority', 'jsonb', (c) => c.notNull())
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('decided_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  // -- execution snapshots: immutable trace root of everything after authority
  await db.schema
    .createTable('execution_snapshots')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('ai_generation_runs.id'))
    .addColumn('governance_decision_id', 'uuid', (c) => c.notNull().references('governance_decisions.id'))
    .addColumn('capability_key', 'text', (c) => c.notNull())
    .addColumn('capability_context', 'jsonb', (c) => c.notNull())
    .addColumn('runtime_identity', 'jsonb', (c) => c.notNull())
    .addColumn('prompt_template_id', 'text', (c) => c.notNull())
    .addColumn('prompt_template_version', 'integer', (c) => c.notNull())
    .addColumn('contract_strategy_version', 'text', (c) => c.notNull())
    .addColumn('effective_config', 'jsonb', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`
    create function refuse_mutation() returns trigger language plpgsql as $$
    begin
      raise exception '% is immutable: % refused', tg_table_name, tg_op using errcode = 'restrict_violation';
    end $$`.execute(db);
  await sql`
    create trigger execution_snapshots_immutable before update or delete on execution_snapshots
    for each row execute function refuse_mutation()`.execute(db);
  await sql`
    create trigger execution_snapshots_no_truncate before truncate on execution_snapshots
    for each statement execute function refuse_mutation()`.execute(db);

  await db.schema
    .alterTable('ai_generation_runs')
    .addForeignKeyConstraint('ai_generation_runs_governance_fk', ['governance_decision_id'], 'governance_decisions', [
      'id',
    ])
    .execute();
  await db.schema
    .alterTable('ai_generation_runs')
    .addForeignKeyConstraint('ai_generation_runs_snapshot_fk', ['execution_snapshot_id'], 'execution_snapshots', ['id'])
    .execute();

  // -- prompt template registry: immutable versions
  await db.schema
    .createTable('prompt_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('sections', 'jsonb', (c) => c.notNull())
    .addColumn('parameter_slots', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('prompt_templates_template_version_key', ['template_id', 'version'])
    .execute();
  await sql`
    create trigger prompt_templates_immutable before update or delete on prompt_templates
    for each row execute function refuse_mutation()`.execute(db);

  const snapshotLinked = (t: ReturnType<Kysely<any>['schema']['createTable']>) =>
    t
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('correlation_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('ai_generation_runs.id'))
      .addColumn('execution_snapshot_id', 'uuid', (c) => c.notNull().references('execution_snapshots.id'))
      .addColumn('governance_decision_id', 'uuid', (c) => c.notNull().references('governance_decisions.id'));

  await snapshotLinked(db.schema.createTable('ai_generation_prompt_runs'))
    .addColumn('prompt_template_ref', 'uuid', (c) => c.notNull().references('prompt_templates.id'))
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('template_version', 'integer', (c) => c.notNull())
    .addColumn('prompt_hash', 'text', (c) => c.notNull())
    .addColumn('prompt_sections', 'jsonb', (c) => c.notNull())
    .addColumn('redactions', 'jsonb', (c) => c.notNull())
    .addColumn('token_estimate', 'integer', (c) => c.notNull())
    .addColumn('token_budget', 'integer', (c) => c.notNull())
    .addColumn('runtime_provider', 'text', (c) => c.notNull())
    .addColumn('model_identity', 'text', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  // One row per model attempt (failed or not) and per completion: the prompt/completion evidence.
  await snapshotLinked(db.schema.createTable('ai_generation_prompt_artifacts'))
    .addColumn('prompt_run_id', 'uuid', (c) => c.notNull().references('ai_generation_prompt_runs.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('COMPLETION','FAILED_ATTEMPT')`))
    .addColumn('runtime_provider', 'text', (c) => c.notNull())
    .addColumn('model_identity', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('error_type', 'text')
    .addColumn('error_message', 'text')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await snapshotLinked(db.schema.createTable('ai_generation_contract_drafts'))
    .addColumn('capability_key', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('lifecycle_state', 'text', (c) => c.notNull())
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('input_schema', 'jsonb', (c) => c.notNull())
    .addColumn('output_schema', 'jsonb', (c) => c.notNull())
    .addColumn('runtime_constraints', 'jsonb', (c) => c.notNull())
    .addColumn('conformance_metadata', 'jsonb', (c) => c.notNull())
    .addColumn('scaffold', 'jsonb', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await snapshotLinked(db.schema.createTable('ai_generation_contract_validations'))
    .addColumn('contract_draft_id', 'uuid', (c) => c.notNull().references('ai_generation_contract_drafts.id'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('PASSED','FAILED')`))
    .addColumn('strict_mode', 'boolean', (c) => c.notNull())
    .addColumn('gates', 'jsonb', (c) => c.notNull())
    .addColumn('validated_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await snapshotLinked(db.schema.createTable('ai_generation_contract_promotions'))
    .addColumn('contract_draft_id', 'uuid', (c) => c.notNull().references('ai_generation_contract_drafts.id'))
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('promoted_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await snapshotLinked(db.schema.createTable('ai_generation_duplicate_checks'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('NONE','POTENTIAL','BLOCKING')`))
    .addColumn('strategies', 'jsonb', (c) => c.notNull())
    .addColumn('thresholds', 'jsonb', (c) => c.notNull())
    .addColumn('adjudication_state', 'text', (c) =>
      c.notNull().check(sql`adjudication_state in ('NOT_REQUIRED','PENDING','ACCEPTED','REJECTED')`),
    )
    .addColumn('adjudicated_by', 'text')
    .addColumn('adjudication_comment', 'text')
    .addColumn('adjudication_decision_id', 'uuid', (c) => c.references('governance_decisions.id'))
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('adjudicated_at_utc', 'timestamptz')
    .execute();

  // -- capability catalog; embeddings of different models are never compared (embedding_model)
  await db.schema
    .createTable('capabilities')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('capability_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('normalized_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('runtime', 'text')
    .addColumn('input_schema', 'jsonb', (c) => c.notNull())
    .addColumn('output_schema', 'jsonb')
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('lifecycle_state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('IMPORTED','GENERATED')`))
    .addColumn('source_run_id', 'uuid', (c) => c.references('ai_generation_runs.id'))
    .addColumn('embedding', sql`vector(${sql.raw(String(EMBEDDING_DIMENSIONS))})`)
    .addColumn('embedding_model', 'text')
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('capabilities_tenant_key_key', ['tenant_id', 'capability_key'])
    .execute();
  await createIndexes(db, 'capabilities', ['tenant_id']);
  await db.schema
    .createIndex('capabilities_tenant_normalized_name_idx')
    .on('capabilities')
    .columns(['tenant_id', 'normalized_name'])
    .execute();
  await sql`create index capabilities_embedding_hnsw_idx on capabilities using hnsw (embedding vector_cosine_ops)`.execute(
    db,
  );

  await snapshotLinked(db.schema.createTable('ai_generation_duplicate_matches'))
    .addColumn('duplicate_check_id', 'uuid', (c) => c.notNull().references('ai_generation_duplicate_checks.id'))
    .addColumn('matched_capability_id', 'uuid', (c) => c.notNull().references('capabilities.id'))
    .addColumn('matched_capability_key', 'text', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull().check(sql`tier in ('NONE','POTENTIAL','BLOCKING')`))
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  // -- telemetry ledger: one row per lifecycle event, written with the step's rows
  await db.schema
    .createTable('telemetry_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // Total order of the ledger: events of one transaction share now().
    .addColumn('sequence', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('ai_generation_runs.id'))
    .addColumn('execution_snapshot_id', 'uuid', (c) => c.references('execution_snapshots.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('capability_key', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('occurred_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('configuration_audit')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('config_key', 'text', (c) => c.notNull())
    .addColumn('old_value', 'jsonb')
    .addColumn('new_value', 'jsonb', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('configuration_audit_env_key_idx')
    .on('configuration_audit')
    .columns(['environment', 'config_key', 'changed_at_utc'])
    .execute();

  const evidenceTables: Array<[string, string]> = [
    ['governance_decisions', 'decided_at_utc'],
    ['execution_snapshots', 'created_at_utc'],
    ['ai_generation_prompt_runs', 'created_at_utc'],
    ['ai_generation_prompt_artifacts', 'created_at_utc'],
    ['ai_generation_contract_drafts', 'created_at_utc'],
    ['ai_generation_contract_validations', 'validated_at_utc'],
    ['ai_generation_contract_promotions', 'promoted_at_utc'],
    ['ai_generation_duplicate_checks', 'created_at_utc'],
    ['ai_generation_duplicate_matches', 'created_at_utc'],
    ['telemetry_events', 'occurred_at_utc'],
  ];
  for (const [table, ts] of evidenceTables) {
    const cols = ['tenant_id', 'correlation_id', 'run_id', ts];
    if (table !== 'governance_decisions' && table !== 'execution_snapshots') cols.push('execution_snapshot_id');
    await createIndexes(db, table, cols);
  }
  await createIndexes(db, 'ai_generation_runs', [
    'tenant_id',
    'correlation_id',
    'execution_snapshot_id',
    'created_at_utc',
  ]);
  // The ledger's filter and keyset paths: newest first within a tenant, by status or capability.
  await sql`create index ai_generation_runs_ledger_idx on ai_generation_runs (tenant_id, created_at_utc desc, id desc)`.execute(
    db,
  );
  await sql`create index ai_generation_runs_status_idx on ai_generation_runs (tenant_id, status, created_at_utc desc, id desc)`.execute(
    db,
  );
  await sql`create index ai_generation_runs_capability_idx on ai_generation_runs (tenant_id, capability_key, created_at_utc desc, id desc)`.execute(
    db,
  );
  await sql`create index telemetry_events_ledger_idx on telemetry_events (tenant_id, run_id, occurred_at_utc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'configuration_audit',
    'telemetry_events',
    'ai_generation_duplicate_matches',
    'capabilities',
    'ai_generation_duplicate_checks',
    'ai_generation_contract_promotions',
    'ai_generation_contract_validations',
    'ai_generation_contract_drafts',
    'ai_generation_prompt_artifacts',
    'ai_generation_prompt_runs',
    'prompt_templates',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('ai_generation_runs').dropConstraint('ai_generation_runs_snapshot_fk').execute();
  await db.schema.alterTable('ai_generation_runs').dropConstraint('ai_generation_runs_governance_fk').execute();
  // Row triggers don't fire on DROP TABLE, so dropping the immutable table is allowed here.
  await db.schema.dropTable('execution_snapshots').execute();
  await db.schema.dropTable('governance_decisions').execute();
  await db.schema.dropTable('ai_generation_runs').execute();
  await sql`drop function refuse_mutation()`.execute(db);
}
