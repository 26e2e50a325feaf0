import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { systemClock } from '../../activities/deps';
import { createModelRuntimes } from '../../providers/model';
import { normalizeName } from '../../domain/duplicates/normalize';
import { getRun } from '../../db/repositories/runs';
import { upsertCapability } from '../../db/repositories/catalog';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { deterministicUuid } from '../../domain/deterministic-id';
import { createWorker } from '../../worker';
import { generationRunWorkflowId } from '../../workflows/ids';
import { testDb } from '../helpers/db';
import { TEST_SECURITY_ENV, uniqueTenant } from '../helpers/stack';
import { startTimeSkippingServer } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
const db = testDb();

beforeAll(async () => {
  env = await startTimeSkippingServer();
});

afterAll(async () => {
  await env?.teardown();
  await db.destroy();
});

describe('waits for people end at their deadline', () => {
  it('expires a potential duplicate nobody adjudicated within the adjudication window', async () => {
    const tenant = uniqueTenant();
    await upsertCapability(db, {
      id: deterministicUuid('cap', tenant),
      tenant_id: tenant,
      capability_key: 'city-weather-lookup-tool',
      name: 'City Weather Lookup Tool',
      normalized_name: normalizeName('City Weather Lookup Tool'),
      description: 'weather',
      runtime: 'node20',
      input_schema: JSON.stringify({ type: 'object', properties: {} }),
      output_schema: null,
      manifest: JSON.stringify({}),
      lifecycle_state: 'Active',
      source: 'IMPORTED',
      source_run_id: null,
      embedding: null,
      embedding_model: null,
    });
    const config = loadConfig({
      ...TEST_SECURITY_ENV,
      // Only an exact double blocks: the near match below must wait for a reviewer.
      AiGeneration__DuplicateThresholds: 'potential=0.5,blocking=0.999',
    });
    const taskQueue = `deadline-${randomUUID()}`;
    const worker: Worker = await createWorker({
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
    const runId = randomUUID();
    const state = await worker.runUntil(
      env.client.workflow.execute('generationRun', {
        taskQueue,
        workflowId: generationRunWorkflowId(runId),
        args: [
          {
            runId,
            tenantId: tenant,
            correlationId: 'corr-deadline-1',
            principal: { subject: 'alice', tenantId: tenant, roles: ['capability-author'] },
            intent: {
              name: 'Lookup City Weather',
              problemStatement: 'Weather for a city by name.',
              language: 'typescript',
              targetRuntime: 'node20',
              seedInputSchema: null,
              examples: [],
            },
            requestedAtUtc: new Date().toISOString(),
          },
        ],
      }),
    );
    // The 14-day window passed in skipped time; the run ended without anyone's decision.
    expect(state).toMatchObject({
      status: 'EXPIRED',
      duplicateOutcome: 'POTENTIAL',
      failureReason: 'no adjudication within the adjudication window',
    });
    const row = await getRun(db, tenant, runId);
    expect(row).toMatchObject({ status: 'EXPIRED', duplicate_outcome: 'POTENTIAL' });
    expect(row?.completed_at_utc).not.toBeNull();
  });
});
