import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Capabilities that evolve (issue 6):
 * - Evidence is append-only: governance decisions, contract drafts, validations, promotions,
 *   duplicate checks and matches, telemetry events and the configuration audit refuse UPDATE,
 *   DELETE and TRUNCATE in the database itself, with the trigger function execution snapshots
 *   already use. State changes are new rows: a draft gets a new revision row, an adjudication is
 *   its own row per check and per match, a promotion names the evidence it relied on.
 * - Revisions: a run may revise an existing capability key (`revision_of`); drafts carry the
 *   version the server decided and an RFC 8785 content hash of the definition; validations keep
 *   the compatibility report against the previous Active version.
 * - Accepted breaks are governance decisions (`kind = 'ACCEPTED_BREAK'`, details: rule ids,
 *   reason, owner, expiry).
 * - One Active version per tenant + key: a partial unique index on the versioned catalog
 *   (`capabilities`, one row per tenant + key + version since 2026-11-24T0100); activation
 *   supersedes the previous Active row in the same transaction.
 * - Runs may end EXPIRED when a human window closes.
 */

const now = sql`now()`;

const APPEND_ONLY_TABLES = [
  'governance_decisions',
  'ai_generation_contract_drafts',
  'ai_generation_contract_validations',
  'ai_generation_contract_promotions',
  'ai_generation_duplicate_checks',
  'ai_generation_duplicate_matches',
  'telemetry_events',
  'configuration_audit',
  'ai_generation_promotion_evidence',
  'ai_generation_duplicate_adjudications',
];

export async function up(db: Kysely<any>): Promise<void> {
  // -- runs: revisions, the version they propose, and a terminal EXPIRED
  await sql`alter table ai_generation_runs drop constraint ai_generation_runs_status_check`.execute(db);
  await sql`alter table ai_generation_runs add constraint ai_generation_runs_status_check check (status in
    ('REQUESTED','RUNNING','DENIED','FAILED','BLOCKED','AWAITING_ADJUDICATION','REJECTED','DRAFT','REVIEW','APPROVED','ACTIVE','EXPIRED'))`.execute(
    db,
  );
  await db.schema
    .alterTable('ai_generation_runs')
    .addColumn('revision_of', 'text')
    .addColumn('capability_version', 'text')
    .execute();

  // -- governance decisions: accepted breaks, with their details
  await sql`alter table governance_decisions drop constraint governance_decisions_kind_check`.execute(db);
  await sql`alter table governance_decisions add constraint governance_decisions_kind_check
    check (kind in ('AUTHORITY','ADJUDICATION','PROMOTION','ACCEPTED_BREAK'))`.execute(db);
  await db.schema
    .alterTable('governance_decisions')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();

  // -- drafts: revisioned, versioned, content-addressed
  await db.schema
    .alterTable('ai_generation_contract_drafts')
    .addColumn('version', 'text')
    .addColumn('definition_hash', 'text')
    .addColumn('supersedes_draft_id', 'uuid', (c) => c.references('ai_generation_contract_drafts.id'))
    .addColumn('revision_reason', 'text')
    .execute();
  await sql`create unique index ai_generation_contract_drafts_run_revision_key on ai_generation_contract_drafts (run_id, revision)`.execute(
    db,
  );

  // -- validations: the compatibility report against the previous Active version
  await db.schema
    .alterTable('ai_generation_contract_validations')
    .addColumn('compatibility', 'jsonb')
    .addColumn('previous_capability_id', 'uuid', (c) => c.references('capabilities.id'))
    .addColumn('previous_version', 'text')
    .addColumn('accepted_break_decision_id', 'uuid', (c) => c.references('governance_decisions.id'))
    .execute();

  // -- promotions: what they relied on, and the pinned definition
  await db.schema
    .alterTable('ai_generation_contract_promotions')
    .addColumn('contract_validation_id', 'uuid', (c) => c.references('ai_generation_contract_validations.id'))
    .addColumn('definition_hash', 'text')
    .addColumn('capability_version', 'text')
    .addColumn('conformance_evidence', 'jsonb')
    .addColumn('capability_id', 'uuid', (c) => c.references('capabilities.id'))
    .execute();
  await db.schema
    .createTable('ai_generation_promotion_evidence')
    .addColumn('promotion_id', 'uuid', (c) => c.notNull().references('ai_generation_contract_promotions.id'))
    .addColumn('governance_decision_id', 'uuid', (c) => c.notNull().references('governance_decisions.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('AUTHORITY','ADJUDICATION','ACCEPTED_BREAK','REVIEW','APPROVAL','ACTIVATION')`),
    )
    .addColumn('created_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('ai_generation_promotion_evidence_pkey', ['promotion_id', 'governance_decision_id'])
    .execute();
  await sql`create index ai_generation_promotion_evidence_tenant_idx on ai_generation_promotion_evidence (tenant_id, promotion_id)`.execute(
    db,
  );

  // -- adjudications: one row per check (and per match), never an update of the check
  await db.schema
    .createTable('ai_generation_duplicate_adjudications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('ai_generation_runs.id'))
    .addColumn('execution_snapshot_id', 'uuid', (c) => c.notNull().references('execution_snapshots.id'))
    .addColumn('governance_decision_id', 'uuid', (c) => c.notNull().references('governance_decisions.id'))
    .addColumn('duplicate_check_id', 'uuid', (c) => c.notNull().references('ai_generation_duplicate_checks.id'))
    .addColumn('duplicate_match_id', 'uuid', (c) => c.references('ai_generation_duplicate_matches.id'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('ACCEPTED','REJECTED')`))
    .addColumn('verdict', 'text', (c) => c.check(sql`verdict is null or verdict in ('DUPLICATE','NOT_DUPLICATE')`))
    .addColumn('adjudicated_by', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('adjudicated_at_utc', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create index ai_generation_duplicate_adjudications_check_idx on ai_generation_duplicate_adjudications (tenant_id, duplicate_check_id)`.execute(
    db,
  );
  await sql`create index ai_generation_duplicate_adjudications_run_idx on ai_generation_duplicate_adjudications (tenant_id, run_id)`.execute(
    db,
  );
  // One adjudication of a check as a whole (match id null), and at most one verdict per match.
  await sql`create unique index ai_generation_duplicate_adjudications_check_key on ai_generation_duplicate_adjudications (duplicate_check_id) where duplicate_match_id is null`.execute(
    db,
  );
  await sql`create unique index ai_generation_duplicate_adjudications_match_key on ai_generation_duplicate_adjudications (duplicate_match_id) where duplicate_match_id is not null`.execute(
    db,
  );

  // -- catalog: at most one Active version per tenant + key; the pinned definition; supersession
  await db.schema
    .alterTable('capabilities')
    .addColumn('definition_hash', 'text')
    .addColumn('promotion_id', 'uuid')
    .addColumn('accepted_break_decision_id', 'uuid', (c) => c.references('governance_decisions.id'))
    .addColumn('supersedes_id', 'uuid', (c) => c.references('capabilities.id'))
    .addColumn('superseded_at_utc', 'timestamptz')
    .execute();
  // Existing data: keep the newest Active row of each key Active, mark older ones Superseded.
  await sql`
    update capabilities c set lifecycle_state = 'Superseded', superseded_at_utc = now()
    where c.lifecycle_state = 'Active' and exists (
      select 1 from capabilities n
      where n.tenant_id = c.tenant_id and n.capability_key = c.capability_key and n.lifecycle_state = 'Active'
        and (n.created_at_utc, n.id) > (c.created_at_utc, c.id))`.execute(db);
  await sql`create unique index capabilities_one_active_per_key on capabilities (tenant_id, capability_key) where lifecycle_state = 'Active'`.execute(
    db,
  );

  // -- append-only evidence (refuse_mutation() comes from the initial schema)
  for (const table of APPEND_ONLY_TABLES) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function refuse_mutation()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function refuse_mutation()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...APPEND_ONLY_TABLES].reverse()) {
    await sql`drop trigger if exists ${sql.raw(`${table}_no_truncate`)} on ${sql.table(table)}`.execute(db);
    await sql`drop trigger if exists ${sql.raw(`${table}_append_only`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop index if exists capabilities_one_active_per_key`.execute(db);
  for (const col of [
    'superseded_at_utc',
    'supersedes_id',
    'accepted_break_decision_id',
    'promotion_id',
    'definition_hash',
  ]) {
    await db.schema.alterTable('capabilities').dropColumn(col).execute();
  }
  await db.schema.dropTable('ai_generation_duplicate_adjudications').execute();
  await db.schema.dropTable('ai_generation_promotion_evidence').execute();
  for (const col of [
    'capability_id',
    'conformance_evidence',
    'capability_version',
    'definition_hash',
    'contract_validation_id',
  ]) {
    await db.schema.alterTable('ai_generation_contract_promotions').dropColumn(col).execute();
  }
  for (const col of ['accepted_break_decision_id', 'previous_version', 'previous_capability_id', 'compatibility']) {
    await db.schema.alterTable('ai_generation_contract_validations').dropColumn(col).execute();
  }
  await sql`drop index if exists ai_generation_contract_drafts_run_revision_key`.execute(db);
  for (const col of ['revision_reason', 'supersedes_draft_id', 'definition_hash', 'version']) {
    await db.schema.alterTable('ai_generation_contract_drafts').dropColumn(col).execute();
  }
  await db.schema.alterTable('governance_decisions').dropColumn('details').execute();
  await sql`alter table governance_decisions drop constraint governance_decisions_kind_check`.execute(db);
  await sql`alter table governance_decisions add constraint governance_decisions_kind_check
    check (kind in ('AUTHORITY','ADJUDICATION','PROMOTION'))`.execute(db);
  await db.schema.alterTable('ai_generation_runs').dropColumn('capability_version').execute();
  await db.schema.alterTable('ai_generation_runs').dropColumn('revision_of').execute();
  await sql`alter table ai_generation_runs drop constraint ai_generation_runs_status_check`.execute(db);
  await sql`alter table ai_generation_runs add constraint ai_generation_runs_status_check check (status in
    ('REQUESTED','RUNNING','DENIED','FAILED','BLOCKED','AWAITING_ADJUDICATION','REJECTED','DRAFT','REVIEW','APPROVED','ACTIVE'))`.execute(
    db,
  );
}
