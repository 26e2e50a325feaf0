import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { systemClock } from '../../activities/deps';
import { createModelRuntimes } from '../../providers/model';
import { getRun } from '../../db/repositories/runs';
import { listTelemetryForRun } from '../../db/repositories/telemetry';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { deterministicUuid } from '../../domain/deterministic-id';
import type { GenerationRunInput, RunState } from '../../domain/types';
import { createWorker } from '../../worker';
import { generationRunWorkflowId } from '../../workflows/ids';
import { testDb } from '../helpers/db';
import { TEST_SECURITY_ENV, uniqueTenant } from '../helpers/stack';
import { startTimeSkippingServer } from '../helpers/temporal';
import { insertCityWeatherLookup } from '../helpers/catalog-fixtures';

/**
 * Every wait ends on the record: on the time-skipping server the review window (30 days by
 * default) and the window for an accepted break pass in skipped time, and the run ends EXPIRED
 * in Temporal and in PostgreSQL alike, with its event.
 */

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const db = testDb();
const taskQueue = `expiry-${randomUUID()}`;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  // Only an exact double blocks: a near match waits for a reviewer (the adjudication window case).
  const config = loadConfig({
    ...TEST_SECURITY_ENV,
    AI_GENERATION_ENVIRONMENT: 'test',
    AiGeneration__DuplicateThresholds: 'potential=0.5,blocking=0.999',
  });
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: {
      db,
      config,
      models: createModelRuntimes(config),
      telemetry: { emit: () => undefined },
      clock: systemClock,
      logger: createLogger('error', 'test'),
    },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db.destroy();
});

function input(tenant: string, over: Partial<GenerationRunInput> = {}): GenerationRunInput {
  return {
    runId: randomUUID(),
    tenantId: tenant,
    correlationId: `corr-${randomUUID()}`,
    principal: { subject: 'alice', tenantId: tenant, roles: ['capability-author'] },
    intent: {
      name: 'Weather Now',
      problemStatement: 'Return the current temperature for a city by name.',
      language: 'typescript',
      targetRuntime: 'node20',
      seedInputSchema: {
        type: 'object',
        properties: { city: { type: 'string', description: 'City' } },
        required: ['city'],
      },
      examples: [],
    },
    requestedAtUtc: new Date().toISOString(),
    ...over,
  };
}

async function run(i: GenerationRunInput): Promise<RunState> {
  return env.client.workflow.execute('generationRun', {
    taskQueue,
    workflowId: generationRunWorkflowId(i.runId),
    args: [i],
  });
}

describe('closed windows end the run EXPIRED, in Temporal and PostgreSQL', () => {
  it('expires a Draft nobody reviewed within the review window', async () => {
    const tenant = uniqueTenant('exp');
    const i = input(tenant);
    const state = await run(i);
    expect(state).toMatchObject({ status: 'EXPIRED', lifecycleState: 'Draft' });
    expect(state.failureReason).toMatch(/review window closed in Draft/);
    const row = await getRun(db, tenant, i.runId);
    expect(row).toMatchObject({ status: 'EXPIRED', lifecycle_state: 'Draft', failure_reason: state.failureReason });
    expect(row?.completed_at_utc).not.toBeNull();
    const events = await listTelemetryForRun(db, tenant, i.runId);
    expect(events.map((e) => e.event_type)).toContain('RUN_EXPIRED');
    expect(events.find((e) => e.event_type === 'RUN_EXPIRED')?.fields.details).toMatchObject({ terminal: true });
  });

  it('expires a potential duplicate nobody adjudicated within the adjudication window', async () => {
    const tenant = uniqueTenant('exp');
    await insertCityWeatherLookup(db, tenant);
    const i = input(tenant, {
      intent: { ...input(tenant).intent, name: 'Lookup City Weather', problemStatement: 'Weather for a city by name.' },
    });
    const state = await run(i);
    expect(state).toMatchObject({
      status: 'EXPIRED',
      duplicateOutcome: 'POTENTIAL',
      failureReason: 'no adjudication within the adjudication window',
    });
    const row = await getRun(db, tenant, i.runId);
    expect(row).toMatchObject({ status: 'EXPIRED', duplicate_outcome: 'POTENTIAL' });
    expect(row?.completed_at_utc).not.toBeNull();
    const events = (await listTelemetryForRun(db, tenant, i.runId)).map((e) => e.event_type);
    expect(events).toEqual(expect.arrayContaining(['RUN_AWAITING_ADJUDICATION', 'RUN_EXPIRED']));
  });

  it('expires a breaking revision nobody accepted within the window', async () => {
    const tenant = uniqueTenant('exp');
    // The Active 1.0.0 the revision breaks: it takes a city; the revision also requires units.
    await db
      .insertInto('capabilities')
      .values({
        id: deterministicUuid('cap', tenant, 'weather-now'),
        tenant_id: tenant,
        capability_key: 'weather-now',
        version: '1.0.0',
        name: 'Weather Now',
        normalized_name: 'weather-now',
        description: 'Current temperature for a city.',
        runtime: 'node20',
        input_schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
        output_schema: null,
        manifest: JSON.stringify({ name: 'Weather Now' }),
        lifecycle_state: 'Active',
        source: 'IMPORTED',
        source_run_id: null,
        embedding: null,
        embedding_model: null,
      })
      .execute();
    const i = input(tenant, {
      revisionOf: 'weather-now',
      intent: {
        ...input(tenant).intent,
        seedInputSchema: {
          type: 'object',
          properties: {
            city: { type: 'string', description: 'City' },
            units: { type: 'string', description: 'Units' },
          },
          required: ['city', 'units'],
        },
      },
    });
    const state = await run(i);
    expect(state.status).toBe('EXPIRED');
    expect(state.failureReason).toMatch(
      /no accepted break within the window; breaking changes against weather-now 1\.0\.0: required-added/,
    );
    const row = await getRun(db, tenant, i.runId);
    expect(row).toMatchObject({ status: 'EXPIRED', revision_of: 'weather-now', capability_version: '2.0.0' });
    expect(row?.completed_at_utc).not.toBeNull();
    const statuses = (await listTelemetryForRun(db, tenant, i.runId)).map((e) => e.event_type);
    expect(statuses).toEqual(expect.arrayContaining(['RUN_BLOCKED', 'RUN_EXPIRED']));
    expect(statuses.indexOf('RUN_BLOCKED')).toBeLessThan(statuses.indexOf('RUN_EXPIRED'));
  });
});
