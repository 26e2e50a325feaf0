import { sql } from 'kysely';
import { createDb, type Db } from '../../db/database';
import { migrateDownAll, migrateToLatest } from '../../db/migrate';
import { insertGovernanceDecision } from '../../db/repositories/governance';
import { getRun, insertRun, listRunsByCorrelation, listRunsBySnapshot, updateRun } from '../../db/repositories/runs';
import { insertSnapshot } from '../../db/repositories/snapshots';
import { recordConfigurationChanges, listConfigurationAudit } from '../../db/repositories/configuration-audit';
import { registerPromptTemplates } from '../../activities/prompts/register';
import { createScratchDatabase, testDb } from '../helpers/db';
import { uniqueTenant } from '../helpers/stack';
import { randomUUID } from 'node:crypto';
import { insertTelemetryEvents, listTelemetryForRun } from '../../db/repositories/telemetry';
import { buildTelemetryEvent } from '../../domain/telemetry-event';
import { requestTrace } from '../../domain/trace';
import type { GenerationRunInput } from '../../domain/types';

describe('migrations', () => {
  let db: Db;
  afterAll(async () => db?.destroy());

  it('migrate down and up again on a fresh database, leaving every planned table and index', async () => {
    db = createDb(await createScratchDatabase('toolnexus_migration_test'), 2);
    // Later migrations land from parallel work; the initial one must be among them, first up and last down.
    const ups = await migrateToLatest(db);
    expect(ups[0]).toBe('Up 2026-11-23T0000_initial-schema');
    const downs = await migrateDownAll(db);
    expect(downs[downs.length - 1]).toBe('Down 2026-11-23T0000_initial-schema');
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%'`.execute(
      db,
    );
    expect(left.rows[0]!.n).toBe(0);
    await migrateToLatest(db);
    const tables = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'ai_generation_runs',
        'ai_generation_duplicate_checks',
        'ai_generation_duplicate_matches',
        'ai_generation_contract_drafts',
        'ai_generation_contract_validations',
        'ai_generation_contract_promotions',
        'ai_generation_prompt_runs',
        'ai_generation_prompt_artifacts',
        'execution_snapshots',
        'governance_decisions',
        'telemetry_events',
        'capabilities',
        'prompt_templates',
        'configuration_audit',
      ]),
    );
    const idx = await sql<{ indexdef: string }>`select indexdef from pg_indexes where schemaname = 'public'`.execute(
      db,
    );
    const defs = idx.rows.map((r) => r.indexdef);
    expect(defs.some((d) => d.includes('USING hnsw (embedding vector_cosine_ops)'))).toBe(true);
    for (const table of [
      'ai_generation_duplicate_checks',
      'ai_generation_contract_validations',
      'ai_generation_prompt_runs',
    ]) {
      for (const col of ['tenant_id', 'correlation_id', 'execution_snapshot_id']) {
        expect({
          table,
          col,
          indexed: defs.some((d) => d.includes(`ON public.${table} USING btree (${col})`)),
        }).toEqual({ table, col, indexed: true });
      }
    }
    expect(defs.some((d) => d.includes('ai_generation_contract_promotions USING btree (promoted_at_utc)'))).toBe(true);
    expect(
      defs.some((d) => d.includes('ai_generation_runs USING btree (tenant_id, status, created_at_utc DESC, id DESC)')),
    ).toBe(true);
  });
});

describe('execution snapshots', () => {
  const db = testDb();
  afterAll(async () => db.destroy());

  async function seedSnapshot(): Promise<{ snapshotId: string; tenant: string }> {
    const tenant = uniqueTenant();
    const runId = randomUUID();
    const decisionId = randomUUID();
    const snapshotId = randomUUID();
    await insertRun(db, {
      id: runId,
      tenant_id: tenant,
      correlation_id: 'corr-snapshot',
      workflow_id: `ai-generation-run/${runId}`,
      requested_by: 'u',
      capability_key: 'k',
      capability_name: 'K',
      language: 'typescript',
      target_runtime: 'node20',
      intent: JSON.stringify({}),
      status: 'REQUESTED',
    });
    await insertGovernanceDecision(db, {
      id: decisionId,
      tenant_id: tenant,
      correlation_id: 'corr-snapshot',
      run_id: runId,
      kind: 'AUTHORITY',
      decision: 'ADMIT',
      reason_code: 'ADMITTED',
      reason: 'test',
      subject: 'u',
      authority: JSON.stringify({}),
      policy_version: 'p',
    });
    const row = {
      id: snapshotId,
      tenant_id: tenant,
      correlation_id: 'corr-snapshot',
      run_id: runId,
      governance_decision_id: decisionId,
      capability_key: 'k',
      capability_context: JSON.stringify({}),
      runtime_identity: JSON.stringify({}),
      prompt_template_id: 'capability-generation',
      prompt_template_version: 1,
      contract_strategy_version: 'c',
      effective_config: JSON.stringify({}),
    };
    await insertSnapshot(db, row);
    await insertSnapshot(db, row); // a retried activity writes the same id again: still one row
    return { snapshotId, tenant };
  }

  it('are refused UPDATE and DELETE by the database itself', async () => {
    const { snapshotId } = await seedSnapshot();
    await expect(
      db.updateTable('execution_snapshots').set({ capability_key: 'tampered' }).where('id', '=', snapshotId).execute(),
    ).rejects.toThrow(/immutable/);
    await expect(db.deleteFrom('execution_snapshots').where('id', '=', snapshotId).execute()).rejects.toThrow(
      /immutable/,
    );
    const rows = await db
      .selectFrom('execution_snapshots')
      .select('capability_key')
      .where('id', '=', snapshotId)
      .execute();
    expect(rows).toEqual([{ capability_key: 'k' }]);
  });

  it('find runs by snapshot id and by correlation id, only within the tenant', async () => {
    const { snapshotId, tenant } = await seedSnapshot();
    const run = await db
      .selectFrom('ai_generation_runs')
      .select('id')
      .where('tenant_id', '=', tenant)
      .executeTakeFirstOrThrow();
    await updateRun(db, tenant, run.id, { execution_snapshot_id: snapshotId });
    expect((await listRunsBySnapshot(db, tenant, snapshotId)).map((r) => r.id)).toEqual([run.id]);
    expect((await listRunsByCorrelation(db, tenant, 'corr-snapshot')).map((r) => r.id)).toEqual([run.id]);
    expect(await listRunsBySnapshot(db, uniqueTenant(), snapshotId)).toEqual([]);
    expect(await listRunsByCorrelation(db, uniqueTenant(), 'corr-snapshot')).toEqual([]);
  });

  it('never let a query of one tenant read another tenant’s run', async () => {
    const { tenant } = await seedSnapshot();
    const run = await db
      .selectFrom('ai_generation_runs')
      .select('id')
      .where('tenant_id', '=', tenant)
      .executeTakeFirstOrThrow();
    expect(await getRun(db, tenant, run.id)).toBeDefined();
    expect(await getRun(db, uniqueTenant(), run.id)).toBeUndefined();
  });
});

describe('registries and audit', () => {
  const db = testDb();
  afterAll(async () => db.destroy());

  it('registers prompt templates idempotently and refuses to change a registered version', async () => {
    await registerPromptTemplates(db);
    await registerPromptTemplates(db);
    const rows = await db
      .selectFrom('prompt_templates')
      .selectAll()
      .where('template_id', '=', 'capability-generation')
      .execute();
    expect(rows.map((r) => r.version)).toEqual([1]);
    await expect(
      db
        .updateTable('prompt_templates')
        .set({ description: 'changed' })
        .where('template_id', '=', 'capability-generation')
        .execute(),
    ).rejects.toThrow(/immutable/);
  });

  it('records a configuration value only when it changes, with its previous value', async () => {
    const envName = `test-${randomUUID()}`;
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(
      await recordConfigurationChanges(
        db,
        envName,
        { 'AiGeneration:Enabled': true, 'AiGeneration:AllowedRuntimes': ['node20'] },
        'tester',
        t0,
      ),
    ).toEqual(['AiGeneration:Enabled', 'AiGeneration:AllowedRuntimes']);
    expect(
      await recordConfigurationChanges(
        db,
        envName,
        { 'AiGeneration:Enabled': true, 'AiGeneration:AllowedRuntimes': ['node20'] },
        'tester',
        new Date('2026-01-02T00:00:00Z'),
      ),
    ).toEqual([]);
    expect(
      await recordConfigurationChanges(
        db,
        envName,
        { 'AiGeneration:Enabled': false, 'AiGeneration:AllowedRuntimes': ['node20'] },
        'tester',
        new Date('2026-01-03T00:00:00Z'),
      ),
    ).toEqual(['AiGeneration:Enabled']);
    const audit = await listConfigurationAudit(db, envName);
    expect(audit.map((a) => [a.config_key, a.old_value, a.new_value])).toEqual([
      ['AiGeneration:Enabled', true, false],
      ['AiGeneration:AllowedRuntimes', null, ['node20']],
      ['AiGeneration:Enabled', null, true],
    ]);
  });
});

describe('telemetry events', () => {
  const db = testDb();
  afterAll(async () => db.destroy());

  it('commit a step’s several events in one statement, in their order, and a replay adds none', async () => {
    const tenant = uniqueTenant();
    const runId = randomUUID();
    await insertRun(db, {
      id: runId,
      tenant_id: tenant,
      correlation_id: `corr-${runId}`,
      workflow_id: `wf-${runId}`,
      requested_by: 'a',
      capability_key: 'k',
      capability_name: 'K',
      language: 'python',
      target_runtime: 'python3.12',
      intent: JSON.stringify({}),
      status: 'RUNNING',
    });
    const trace = requestTrace(
      {
        runId,
        tenantId: tenant,
        correlationId: `corr-${runId}`,
        principal: { subject: 'a', tenantId: tenant, roles: [] },
        intent: { language: 'python', targetRuntime: 'python3.12' },
      } as unknown as GenerationRunInput,
      'k',
    );
    // Types chosen so their order is neither alphabetical nor the ids' order.
    const events = ['RUN_REQUESTED', 'AUTHORITY_RESOLVED', 'SNAPSHOT_FROZEN', 'PROMPT_ASSEMBLED'].map((type) =>
      buildTelemetryEvent(randomUUID(), trace, type, 'intake', 'OK'),
    );
    await insertTelemetryEvents(db, events);
    await insertTelemetryEvents(db, events.slice(1, 3));
    const rows = await listTelemetryForRun(db, tenant, runId);
    expect(rows.map((r) => [r.id, r.event_type])).toEqual(events.map((e) => [e.id, e.eventType]));
  });
});
