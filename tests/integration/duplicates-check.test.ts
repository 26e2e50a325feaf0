import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sql } from 'kysely';
import { createCheckDuplicates, recordOfRow } from '../../activities/duplicates';
import { extractFeatures, identityKey } from '../../domain/duplicates/features';
import { FEATURES_VERSION, toStoredFeatures } from '../../domain/duplicates/stored-features';
import type { ActivityDeps } from '../../activities/deps';
import { insertGovernanceDecision } from '../../db/repositories/governance';
import { insertRun, updateRun } from '../../db/repositories/runs';
import { insertSnapshot } from '../../db/repositories/snapshots';
import { nearestActiveCatalog, vectorLiteral } from '../../db/repositories/catalog';
import type { TraceContext } from '../../domain/telemetry-event';
import type { Embedder } from '../../domain/duplicates/detector';
import { LocalLexicalEmbedder } from '../../providers/embedders/local';
import { importCatalog, readToolFile, SAMPLE_CATALOG } from '../../scripts/catalog-import';
import { TEST_DATABASE_URL, testDb } from '../helpers/db';
import { uniqueTenant } from '../helpers/stack';

const db = testDb();
afterAll(async () => db.destroy());
const thresholds = { potential: 0.8, blocking: 0.95 };
const sample = readToolFile(SAMPLE_CATALOG);
const embedder = new LocalLexicalEmbedder();

async function seedRun(tenant: string, capabilityKey: string): Promise<TraceContext> {
  const runId = randomUUID();
  const decisionId = randomUUID();
  const snapshotId = randomUUID();
  await insertRun(db, {
    id: runId,
    tenant_id: tenant,
    correlation_id: `corr-${runId}`,
    workflow_id: `ai-generation-run/${runId}`,
    requested_by: 'author-1',
    capability_key: capabilityKey,
    capability_name: capabilityKey,
    language: 'typescript',
    target_runtime: 'node20',
    intent: JSON.stringify({}),
    status: 'RUNNING',
  });
  await insertGovernanceDecision(db, {
    id: decisionId,
    tenant_id: tenant,
    correlation_id: `corr-${runId}`,
    run_id: runId,
    kind: 'AUTHORITY',
    decision: 'ADMIT',
    reason_code: 'ADMITTED',
    reason: 'test',
    subject: 'author-1',
    authority: JSON.stringify({}),
    policy_version: 'p',
  });
  await insertSnapshot(db, {
    id: snapshotId,
    tenant_id: tenant,
    correlation_id: `corr-${runId}`,
    run_id: runId,
    governance_decision_id: decisionId,
    capability_key: capabilityKey,
    capability_context: JSON.stringify({}),
    runtime_identity: JSON.stringify({}),
    prompt_template_id: 'capability-generation',
    prompt_template_version: 1,
    contract_strategy_version: 'c',
    effective_config: JSON.stringify({}),
  });
  return {
    runId,
    tenantId: tenant,
    correlationId: `corr-${runId}`,
    capabilityKey,
    language: 'typescript',
    targetRuntime: 'node20',
    authority: {
      subject: 'author-1',
      roles: ['capability-author'],
      decision: 'ADMIT',
      governanceDecisionId: decisionId,
      policyVersion: 'p',
    },
    executionSnapshotId: snapshotId,
    runtime: null,
    promptTemplate: null,
    duplicateOutcome: null,
    contractValidationOutcome: null,
    fallback: { used: false, reason: null },
  };
}

function check(e: Embedder = embedder) {
  const deps = { db, telemetry: { emit: () => undefined } } as unknown as ActivityDeps;
  return createCheckDuplicates(deps, e);
}

describe('catalog import', () => {
  it('is idempotent: importing the same file twice leaves one version and one vector per tool', async () => {
    const tenant = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    await importCatalog(db, tenant, sample, embedder);
    const rows = await db
      .selectFrom('capabilities')
      .select(['id', 'version'])
      .where('tenant_id', '=', tenant)
      .execute();
    expect(rows).toHaveLength(sample.length);
    const vecs = await sql<{
      n: number;
    }>`select count(*)::int as n from capability_embeddings where tenant_id = ${tenant}`.execute(db);
    expect(vecs.rows[0]!.n).toBe(sample.length);
  });
});

describe('duplicate check', () => {
  it('finds another vendor’s equivalent as BLOCKING with per-dimension scores, and never crosses tenants', async () => {
    const tenant = uniqueTenant();
    const other = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    const trace = await seedRun(other, 'internet-search');
    const candidate = {
      name: 'internet_search',
      description: 'Search the internet for a query and return result links and snippets.',
    };
    // The other tenant's catalog is empty: nothing matches there.
    const none = await check()({ duplicateCheckId: randomUUID(), capabilityName: candidate.name, thresholds, trace });
    expect(none.outcome).toBe('NONE');

    const trace2 = await seedRun(tenant, 'internet-search');
    const hit = await check()({
      duplicateCheckId: randomUUID(),
      capabilityName: 'brave_web_search',
      thresholds,
      trace: trace2,
    });
    expect(hit.outcome).toBe('BLOCKING');
    expect(hit.findings[0]!.capabilityKey).toBe('acme-web-web-search');
    const matches = await db
      .selectFrom('ai_generation_duplicate_matches')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', trace2.runId)
      .orderBy('match_rank')
      .execute();
    expect(matches[0]!.scores).toEqual(
      expect.objectContaining({
        identity: expect.any(Number),
        contract: expect.any(Number),
        semantic: expect.any(Number),
        runtime: expect.any(Number),
      }),
    );
    const checkRow = await db
      .selectFrom('ai_generation_duplicate_checks')
      .selectAll()
      .where('run_id', '=', trace2.runId)
      .executeTakeFirstOrThrow();
    expect(checkRow.detector_version).toBe('four-dimension/9');
    expect(checkRow.embedder_id).toBe(embedder.id);
    // every matched catalog entry belongs to the run's tenant
    const ids = matches.map((m) => m.matched_capability_id).filter((x): x is string => x !== null);
    const owners = await db.selectFrom('capabilities').select('tenant_id').where('id', 'in', ids).execute();
    expect(new Set(owners.map((o) => o.tenant_id))).toEqual(new Set([tenant]));
  });

  it('a sibling operation (read vs create on the same resource) is POTENTIAL at most', async () => {
    const tenant = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    const trace = await seedRun(tenant, 'get-calendar-event');
    const r = await check()({ duplicateCheckId: randomUUID(), capabilityName: 'delete_ticket', thresholds, trace });
    expect(r.outcome).not.toBe('BLOCKING');
  });

  it('two concurrent runs for the same job: the second sees the first', async () => {
    const tenant = uniqueTenant();
    const [a, b] = [await seedRun(tenant, 'summarize-podcast'), await seedRun(tenant, 'summarize-podcast-2')];
    const [ra, rb] = await Promise.all([
      check()({ duplicateCheckId: randomUUID(), capabilityName: 'summarize_podcast_episode', thresholds, trace: a }),
      check()({ duplicateCheckId: randomUUID(), capabilityName: 'summarize_podcast_episode', thresholds, trace: b }),
    ]);
    const outcomes = [ra.outcome, rb.outcome].sort();
    expect(outcomes).toEqual(['BLOCKING', 'NONE']);
    const second = ra.outcome === 'BLOCKING' ? ra : rb;
    const first = ra.outcome === 'BLOCKING' ? b : a;
    expect(second.findings[0]!.runId).toBe(first.runId);
  });

  it('a revision excludes its own capability key', async () => {
    const tenant = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    const trace = await seedRun(tenant, 'acme-web-web-search');
    const r = await check()({
      duplicateCheckId: randomUUID(),
      capabilityName: 'web_search',
      thresholds,
      trace,
      excludeCapabilityKey: 'acme-web-web-search',
    });
    expect(r.findings.map((f) => f.capabilityKey)).not.toContain('acme-web-web-search');
  });

  it('keeps an entry with the same identity key however far its vector ranks', async () => {
    const tenant = uniqueTenant();
    const a = ['north', 'south', 'east', 'west', 'upper', 'lower', 'inner', 'outer'];
    const b = ['harbour', 'valley', 'ridge', 'plain', 'coast', 'forest', 'delta', 'summit'];
    const fillers = a.flatMap((x) =>
      b.map((y) => ({
        name: `forecast_${x}_${y}`,
        description: `Get the weather forecast for the ${x} ${y} region.`,
        inputSchema: { type: 'object' },
      })),
    );
    const far = {
      name: 'git_status',
      server: 'git',
      description: 'Show the working tree status of a git repository.',
      inputSchema: { type: 'object' },
    };
    await importCatalog(db, tenant, [...fillers, far], embedder);
    const candidate = { name: 'git_status', description: 'Show the working tree status of a git repository.' };
    expect(identityKey(candidate.name)).toBe(identityKey(far.name, far.server));
    const vector = (await embedder.embed([candidate]))[0]!;
    // Its vector made the farthest of all (the opposite of the candidate's): only its identity key matches.
    await sql`update capability_embeddings e set embedding = ${vectorLiteral(vector.map((v) => -v))}::vector
      from capabilities c where c.id = e.capability_id and c.tenant_id = ${tenant} and c.name = 'git_status'`.execute(
      db,
    );
    const read = (k: number) =>
      db
        .transaction()
        .execute((trx) =>
          nearestActiveCatalog(trx, tenant, embedder, vector, k, { identityKey: identityKey(candidate.name) }),
        );
    // Ranked by vector alone it is last of 65: outside the 48 nearest, inside the 96 the scan reads.
    const all = await read(70);
    expect(all.findIndex((n) => n.name === 'git_status')).toBe(64);
    const nearest = await read(48);
    expect(nearest).toHaveLength(49);
    expect(nearest.filter((n) => n.name === 'git_status')).toHaveLength(1);
  });

  it('vectors of different embedders are never compared', async () => {
    const tenant = uniqueTenant();
    const other: Embedder = { id: 'other-embedder', version: '1', embed: (t) => embedder.embed(t) };
    await importCatalog(db, tenant, sample, other);
    const [v] = await embedder.embed([sample[0]!]);
    const viaLocal = await db.transaction().execute((trx) => nearestActiveCatalog(trx, tenant, embedder, v!, 10));
    expect(viaLocal).toHaveLength(0);
    const viaOther = await db.transaction().execute((trx) => nearestActiveCatalog(trx, tenant, other, v!, 10));
    expect(viaOther.length).toBeGreaterThan(0);
  });
});

describe('stored duplicate features', () => {
  it('are written with each imported entry, equal to what a check would derive from its row', async () => {
    const tenant = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    const rows = await db
      .selectFrom('capabilities as c')
      .leftJoin('capability_duplicate_features as f', (j) =>
        j.onRef('f.capability_id', '=', 'c.id').on('f.features_version', '=', FEATURES_VERSION),
      )
      .select(['c.name', 'c.description', 'c.input_schema', 'c.output_schema', 'c.annotations', 'c.provenance'])
      .select(['c.runtime', 'f.features', 'f.tenant_id as features_tenant'])
      .where('c.tenant_id', '=', tenant)
      .execute();
    expect(rows).toHaveLength(sample.length);
    for (const r of rows) {
      expect(r.features_tenant).toBe(tenant);
      const derived = JSON.parse(JSON.stringify(toStoredFeatures(extractFeatures(recordOfRow(r)))));
      expect({ name: r.name, features: r.features }).toEqual({ name: r.name, features: derived });
    }
  });

  it('are what the check reads for its neighbours, and only those of the detector version that wrote them', async () => {
    const tenant = uniqueTenant();
    await importCatalog(db, tenant, sample, embedder);
    const target = await db
      .selectFrom('capabilities')
      .select(['id', 'capability_key'])
      .where('tenant_id', '=', tenant)
      .where('name', '=', 'web_search')
      .executeTakeFirstOrThrow();
    const vector = (await embedder.embed([{ name: 'brave_web_search', description: 'Search the web.' }]))[0]!;
    const read = (version?: string) =>
      db
        .transaction()
        .execute((trx) => nearestActiveCatalog(trx, tenant, embedder, vector, 10, { featuresVersion: version }));
    expect((await read(FEATURES_VERSION)).every((n) => n.stored_features)).toBe(true);
    expect((await read('four-dimension/0')).every((n) => n.stored_features === null)).toBe(true);

    const run = async () =>
      check()({
        duplicateCheckId: randomUUID(),
        capabilityName: 'brave_web_search',
        thresholds,
        trace: await seedRun(tenant, 'brave-web-search'),
      });
    const before = await run();
    expect(before.outcome).toBe('BLOCKING');
    expect(before.findings[0]!.capabilityKey).toBe(target.capability_key);
    // Give web_search the stored features of send_email: the check now judges it by those.
    const email = sample.find((t) => t.name === 'send_email')!;
    await db
      .updateTable('capability_duplicate_features')
      .set({ features: JSON.stringify(toStoredFeatures(extractFeatures({ ...email, runtime: 'mcp' }))) })
      .where('capability_id', '=', target.id)
      .where('features_version', '=', FEATURES_VERSION)
      .execute();
    const after = await run();
    expect(
      after.findings.find((f) => f.capabilityKey === target.capability_key && f.tier === 'BLOCKING'),
    ).toBeUndefined();
  });
});

describe('duplicates:screen', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('npx', ['tsx', join(__dirname, '../../scripts/duplicates-screen.ts'), ...args], {
      env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, ...env },
      encoding: 'utf8',
    });

  it('prints only the JSON array, best matches first, and removes its tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'screen-'));
    const cand = join(dir, 'c.json');
    writeFileSync(
      cand,
      JSON.stringify([
        {
          id: 'x/search_the_web',
          name: 'search_the_web',
          description: 'Search the web for a query.',
          inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
        },
        { id: 'x/tell_joke', name: 'tell_joke', description: 'Tell a knock-knock joke.' },
      ]),
    );
    const before = await sql<{
      n: number;
    }>`select count(*)::int as n from capabilities where tenant_id like 'screen-%'`.execute(db);
    const r = run(['--catalog', SAMPLE_CATALOG, '--candidates', cand]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Array<{ candidateId: string; tier: string; matches: string[] }>;
    expect(out[0]).toEqual({
      candidateId: 'x/search_the_web',
      tier: 'BLOCKING',
      matches: expect.arrayContaining(['acme-web/web_search']),
    });
    expect(out[0]!.matches[0]).toBe('acme-web/web_search');
    expect(out[1]).toEqual({ candidateId: 'x/tell_joke', tier: 'NONE', matches: [] });
    const after = await sql<{
      n: number;
    }>`select count(*)::int as n from capabilities where tenant_id like 'screen-%'`.execute(db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('decides with the deployed AiGeneration:DuplicateThresholds, and refuses invalid ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'screen-'));
    const cand = join(dir, 'c.json');
    writeFileSync(
      cand,
      JSON.stringify([{ id: 'x/search_the_web', name: 'search_the_web', description: 'Search the web for a query.' }]),
    );
    const strict = run(['--catalog', SAMPLE_CATALOG, '--candidates', cand], {
      AiGeneration__DuplicateThresholds: '{"potential":0.99,"blocking":0.999}',
    });
    expect(strict.status).toBe(0);
    expect(JSON.parse(strict.stdout)).toEqual([{ candidateId: 'x/search_the_web', tier: 'NONE', matches: [] }]);
    const invalid = run(['--catalog', SAMPLE_CATALOG, '--candidates', cand], {
      AiGeneration__DuplicateThresholds: '{"potential":2}',
    });
    expect(invalid.status).toBe(2);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/AiGeneration:DuplicateThresholds .*potential/);
  });

  it('exits non-zero with a clear message on malformed input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'screen-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[{"description": "no name"}]');
    const r = run(['--catalog', bad, '--candidates', bad]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/"name" must be a non-empty string/);
  });
});

void updateRun;
