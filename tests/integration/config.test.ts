import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recordConfigurationChanges } from '../../db/repositories/configuration-audit';
import { getSnapshot } from '../../db/repositories/snapshots';
import { effectiveGenerationConfig } from '../../lib/config';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

const AUTHOR = ['capability-author'];
const ADMIN = ['admin'];
const body = {
  name: 'Invoice Parser',
  problemStatement: 'Extract totals and line items from an invoice PDF.',
  language: 'python',
  targetRuntime: 'python3.12',
};

let env: TestWorkflowEnvironment;
let stack: Stack;
// Configuration is per environment: a name of this file's own, so its changes touch no other test.
const environment = `test-config-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env, {
    AI_GENERATION_ENVIRONMENT: environment,
    OPENAI_API_KEY: 'sk-secret-never-shown',
    AI_MODEL_PROVIDERS: 'local',
  });
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

describe('governed configuration', () => {
  it('shows the effective values with where they came from, and masks secrets', async () => {
    const token = await stack.token(uniqueTenant(), ADMIN);
    const res = await api(stack, 'GET', '/config', { token });
    expect(res.status).toBe(200);
    expect(res.body.environment).toBe(environment);
    const byKey = Object.fromEntries(res.body.keys.map((k: { key: string }) => [k.key, k]));
    expect(byKey['AiGeneration:Review:ReviewWindow']).toMatchObject({ value: '30d', tunable: true, source: 'file' });
    expect(byKey['AiGeneration:DuplicateThresholds'].value).toEqual({ potential: 0.8, blocking: 0.95 });
    expect(byKey['Model:OpenAI:ApiKey']).toMatchObject({ value: '********', tunable: false, secret: true });
    expect(JSON.stringify(res.body)).not.toContain('sk-secret-never-shown');
    expect(Object.keys(byKey)).toEqual(
      expect.arrayContaining([
        'AiGeneration:Enabled',
        'AiGeneration:AllowedRuntimes',
        'AiGeneration:PromptTemplatePolicy',
        'AiGeneration:ContractValidation:StrictMode',
        'AiGeneration:Telemetry:EmitPromptHashes',
        'AiGeneration:Review:AdjudicationWindow',
      ]),
    );
  });

  it('refuses changes without an admin, a reason, a valid value, or to a fixed key', async () => {
    const admin = await stack.token(uniqueTenant(), ADMIN);
    const author = await stack.token(uniqueTenant(), AUTHOR);
    const key = encodeURIComponent('AiGeneration:Review:AdjudicationWindow');
    expect(
      (await api(stack, 'PUT', `/config/${key}`, { token: author, body: { value: '1d', reason: 'x'.repeat(5) } }))
        .status,
    ).toBe(403);
    const noReason = await api(stack, 'PUT', `/config/${key}`, { token: admin, body: { value: '1d' } });
    expect(noReason.status).toBe(400);
    const bad = await api(stack, 'PUT', `/config/${key}`, {
      token: admin,
      body: { value: 'soon', reason: 'faster reviews' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('AiGeneration:Review:AdjudicationWindow');
    const thresholds = await api(stack, 'PUT', `/config/${encodeURIComponent('AiGeneration:DuplicateThresholds')}`, {
      token: admin,
      body: { value: { potential: 0.99, blocking: 0.5 }, reason: 'try it' },
    });
    expect(thresholds.status).toBe(400);
    expect(thresholds.body.detail).toContain('potential threshold must not exceed blocking threshold');
    const template = await api(stack, 'PUT', `/config/${encodeURIComponent('AiGeneration:PromptTemplatePolicy')}`, {
      token: admin,
      body: { value: 'capability-generation@99', reason: 'new template' },
    });
    expect(template.status).toBe(400);
    const fixed = await api(stack, 'PUT', `/config/${encodeURIComponent('Model:OpenAI:Model')}`, {
      token: admin,
      body: { value: 'gpt-5', reason: 'upgrade' },
    });
    expect(fixed.status).toBe(409);
    const audit = await api(stack, 'GET', `/config/audit?key=${key}`, { token: admin });
    expect(audit.body.items).toEqual([]);
  });

  it('audits a change and applies it to runs started afterwards, while a run in flight keeps its frozen value', async () => {
    const tenant = uniqueTenant();
    const author = await stack.token(tenant, AUTHOR);
    const admin = await stack.token(tenant, ADMIN, 'ops-alice');

    // A run in flight: its snapshot froze the review window, and it now waits for reviewers.
    const before = await api(stack, 'POST', '/runs', { token: author, body });
    expect(before.status).toBe(202);
    const inFlight = await waitForStatus(stack, author, before.body.runId, ['DRAFT']);

    const key = encodeURIComponent('AiGeneration:Review:ReviewWindow');
    const change = await api(stack, 'PUT', `/config/${key}`, {
      token: admin,
      body: { value: '2d', reason: 'reviews must not wait a month' },
    });
    expect(change.status).toBe(200);
    expect(change.body).toMatchObject({
      environment,
      key: 'AiGeneration:Review:ReviewWindow',
      oldValue: '30d',
      newValue: '2d',
      changedBy: 'ops-alice',
      reason: 'reviews must not wait a month',
    });

    // A different capability, so the duplicate check has nothing to say about it.
    const after = await api(stack, 'POST', '/runs', {
      token: author,
      body: {
        name: 'Weather Forecast',
        problemStatement: 'Return the hourly weather forecast for a city for the next two days.',
        language: 'typescript',
        targetRuntime: 'node20',
      },
    });
    const later = await waitForStatus(stack, author, after.body.runId, ['DRAFT', 'AWAITING_ADJUDICATION', 'BLOCKED']);

    const frozenOld = await getSnapshot(stack.db, tenant, inFlight.body.executionSnapshotId);
    const frozenNew = await getSnapshot(stack.db, tenant, later.body.executionSnapshotId);
    expect(frozenOld!.effective_config).toMatchObject({
      'AiGeneration:Review:ReviewWindow': '30d',
      reviewWindowMs: 30 * 86_400_000,
    });
    expect(frozenNew!.effective_config).toMatchObject({
      'AiGeneration:Review:ReviewWindow': '2d',
      reviewWindowMs: 2 * 86_400_000,
    });
    // The run in flight still waits with its own window.
    expect((await api(stack, 'GET', `/runs/${before.body.runId}`, { token: author })).body.status).toBe('DRAFT');

    const effective = await api(stack, 'GET', '/config', { token: admin });
    expect(
      effective.body.keys.find((k: { key: string }) => k.key === 'AiGeneration:Review:ReviewWindow'),
    ).toMatchObject({ value: '2d', source: 'runtime' });
    const audit = await api(stack, 'GET', `/config/audit?key=${key}`, { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      environment,
      key: 'AiGeneration:Review:ReviewWindow',
      oldValue: '30d',
      newValue: '2d',
      changedBy: 'ops-alice',
      reason: 'reviews must not wait a month',
      source: 'admin',
    });
    expect(Date.parse(audit.body.items[0].changedAtUtc)).not.toBeNaN();
  });

  it('audits deployed values when a worker starts, once per change, apart from admin changes', async () => {
    const deployEnv = `${environment}-deploy`;
    const values = effectiveGenerationConfig(stack.config);
    const first = await recordConfigurationChanges(stack.db, deployEnv, values, 'worker-startup', new Date());
    expect(first.sort()).toEqual(Object.keys(values).sort());
    // A restart with the same deployment records nothing.
    expect(await recordConfigurationChanges(stack.db, deployEnv, values, 'worker-startup', new Date())).toEqual([]);
    const changed = { ...values, 'AiGeneration:Review:ReviewWindow': '10d' };
    expect(await recordConfigurationChanges(stack.db, deployEnv, changed, 'worker-startup', new Date())).toEqual([
      'AiGeneration:Review:ReviewWindow',
    ]);
    const rows = await stack.db
      .selectFrom('configuration_audit')
      .selectAll()
      .where('environment', '=', deployEnv)
      .where('config_key', '=', 'AiGeneration:Review:ReviewWindow')
      .orderBy('changed_at_utc')
      .execute();
    expect(rows.map((r) => [r.source, r.old_value, r.new_value, r.reason])).toEqual([
      ['deployment', null, '30d', null],
      ['deployment', '30d', '10d', null],
    ]);
  });
});
