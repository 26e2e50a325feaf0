import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { testDb } from '../helpers/db';

/**
 * Evidence can't be rewritten: the database itself refuses UPDATE, DELETE and TRUNCATE on every
 * evidence table, whoever connects. One row of each is written with plain SQL, then edited.
 */

let db: Db;
const tenant = `evidence-${randomUUID().slice(0, 8)}`;
const ids = {
  run: randomUUID(),
  decision: randomUUID(),
  snapshot: randomUUID(),
  draft: randomUUID(),
  validation: randomUUID(),
  promotion: randomUUID(),
  check: randomUUID(),
  match: randomUUID(),
  capability: randomUUID(),
  event: randomUUID(),
  audit: randomUUID(),
  adjudication: randomUUID(),
};

async function exec(q: ReturnType<typeof sql>): Promise<void> {
  await q.execute(db);
}

beforeAll(async () => {
  db = testDb();
  const linked = sql`${tenant}, 'corr-1', ${ids.run}::uuid, ${ids.snapshot}::uuid, ${ids.decision}::uuid`;
  await exec(sql`insert into ai_generation_runs (id, tenant_id, correlation_id, workflow_id, requested_by, capability_key,
      capability_name, language, target_runtime, intent, status)
    values (${ids.run}::uuid, ${tenant}, 'corr-1', 'wf', 'alice', 'get-weather', 'Get Weather', 'typescript', 'node20', '{}', 'RUNNING')`);
  await exec(sql`insert into governance_decisions (id, tenant_id, correlation_id, run_id, kind, decision, reason_code, reason,
      subject, authority, policy_version)
    values (${ids.decision}::uuid, ${tenant}, 'corr-1', ${ids.run}::uuid, 'AUTHORITY', 'ADMIT', 'OK', 'ok', 'alice', '{}', 'p/1')`);
  await exec(sql`insert into execution_snapshots (id, tenant_id, correlation_id, run_id, governance_decision_id, capability_key,
      capability_context, runtime_identity, prompt_template_id, prompt_template_version, contract_strategy_version, effective_config)
    values (${ids.snapshot}::uuid, ${tenant}, 'corr-1', ${ids.run}::uuid, ${ids.decision}::uuid, 'get-weather', '{}', '{}', 't', 1, 'c/1', '{}')`);
  await exec(sql`insert into ai_generation_contract_drafts (tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, id, capability_key, revision, lifecycle_state, manifest, input_schema, output_schema,
      runtime_constraints, conformance_metadata, scaffold)
    values (${linked}, ${ids.draft}::uuid, 'get-weather', 1, 'Draft', '{}', '{}', '{}', '{}', '{}', '{}')`);
  await exec(sql`insert into ai_generation_contract_validations (tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, id, contract_draft_id, outcome, strict_mode, gates)
    values (${linked}, ${ids.validation}::uuid, ${ids.draft}::uuid, 'PASSED', false, '[]')`);
  await exec(sql`insert into ai_generation_contract_promotions (tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, id, contract_draft_id, from_state, to_state, requested_by)
    values (${linked}, ${ids.promotion}::uuid, ${ids.draft}::uuid, 'Draft', 'Review', 'bob')`);
  await exec(sql`insert into ai_generation_promotion_evidence (promotion_id, governance_decision_id, tenant_id, role)
    values (${ids.promotion}::uuid, ${ids.decision}::uuid, ${tenant}, 'AUTHORITY')`);
  await exec(sql`insert into ai_generation_duplicate_checks (tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, id, outcome, strategies, thresholds, adjudication_state)
    values (${linked}, ${ids.check}::uuid, 'POTENTIAL', '[]', '{}', 'PENDING')`);
  await exec(sql`insert into capabilities (id, tenant_id, capability_key, name, normalized_name, description, input_schema,
      manifest, lifecycle_state, source)
    values (${ids.capability}::uuid, ${tenant}, 'weather-now', 'Weather Now', 'weather now', 'd', '{}', '{}', 'Active', 'IMPORTED')`);
  await exec(sql`insert into ai_generation_duplicate_matches (tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, id, duplicate_check_id, matched_capability_id, matched_capability_key, dimension, score, tier, rationale)
    values (${linked}, ${ids.match}::uuid, ${ids.check}::uuid, ${ids.capability}::uuid, 'weather-now', 'semantic', 0.8, 'POTENTIAL', 'r')`);
  await exec(sql`insert into ai_generation_duplicate_adjudications (id, tenant_id, correlation_id, run_id, execution_snapshot_id,
      governance_decision_id, duplicate_check_id, duplicate_match_id, decision, verdict, adjudicated_by, comment)
    values (${ids.adjudication}::uuid, ${linked}, ${ids.check}::uuid, ${ids.match}::uuid, 'ACCEPTED', 'NOT_DUPLICATE', 'bob', 'distinct')`);
  await exec(sql`insert into telemetry_events (id, tenant_id, correlation_id, run_id, execution_snapshot_id, event_type, step,
      outcome, capability_key, fields)
    values (${ids.event}::uuid, ${tenant}, 'corr-1', ${ids.run}::uuid, ${ids.snapshot}::uuid, 'RUN_REQUESTED', 'request', 'OK', 'get-weather', '{}')`);
  await exec(sql`insert into configuration_audit (id, environment, config_key, old_value, new_value, changed_by)
    values (${ids.audit}::uuid, ${`test-${tenant}`}, 'AiGeneration:ReviewWindow', null, '"P30D"', 'ops')`);
});

afterAll(async () => db?.destroy());

const EVIDENCE: Array<[table: string, id: keyof typeof ids, column: string, idColumn?: string]> = [
  ['governance_decisions', 'decision', 'reason'],
  ['ai_generation_contract_drafts', 'draft', 'lifecycle_state'],
  ['ai_generation_contract_validations', 'validation', 'outcome'],
  ['ai_generation_contract_promotions', 'promotion', 'to_state'],
  ['ai_generation_promotion_evidence', 'promotion', 'role', 'promotion_id'],
  ['ai_generation_duplicate_checks', 'check', 'adjudication_state'],
  ['ai_generation_duplicate_matches', 'match', 'tier'],
  ['ai_generation_duplicate_adjudications', 'adjudication', 'decision'],
  ['telemetry_events', 'event', 'outcome'],
  ['configuration_audit', 'audit', 'changed_by'],
  ['execution_snapshots', 'snapshot', 'capability_key'],
];

describe('evidence tables are append-only in the database', () => {
  it.each(EVIDENCE)('refuses UPDATE on %s', async (table, key, column, idColumn = 'id') => {
    await expect(
      sql`update ${sql.table(table)} set ${sql.ref(column)} = ${sql.ref(column)} where ${sql.ref(idColumn)} = ${ids[key]}::uuid`.execute(
        db,
      ),
    ).rejects.toThrow(new RegExp(`${table} is immutable: UPDATE refused`));
  });

  it.each(EVIDENCE)('refuses DELETE on %s', async (table, key, _column, idColumn = 'id') => {
    await expect(
      sql`delete from ${sql.table(table)} where ${sql.ref(idColumn)} = ${ids[key]}::uuid`.execute(db),
    ).rejects.toThrow(new RegExp(`${table} is immutable: DELETE refused`));
  });

  it.each(EVIDENCE)('refuses TRUNCATE on %s', async (table) => {
    await expect(sql`truncate ${sql.table(table)} cascade`.execute(db)).rejects.toThrow(
      /is immutable: TRUNCATE refused/,
    );
  });

  it('leaves every row as it was written', async () => {
    const counts = await Promise.all(
      EVIDENCE.map(async ([table, key, , idColumn = 'id']) => {
        const r = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(idColumn)} = ${ids[key]}::uuid`.execute(
          db,
        );
        return [table, r.rows[0]!.n] as const;
      }),
    );
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(EVIDENCE.map(([t]) => [t, 1])));
    const check = await sql<{
      adjudication_state: string;
    }>`select adjudication_state from ai_generation_duplicate_checks where id = ${ids.check}::uuid`.execute(db);
    expect(check.rows[0]!.adjudication_state).toBe('PENDING');
  });

  it('keeps one Active version per tenant and key: a second Active row is refused', async () => {
    await expect(
      sql`insert into capabilities (id, tenant_id, capability_key, name, normalized_name, description, input_schema,
          manifest, lifecycle_state, source, version)
        values (${randomUUID()}::uuid, ${tenant}, 'weather-now', 'Weather Now', 'weather now', 'd', '{}', '{}', 'Active', 'IMPORTED', '2.0.0')`.execute(
        db,
      ),
    ).rejects.toThrow(/capabilities_one_active_per_key/);
  });
});
