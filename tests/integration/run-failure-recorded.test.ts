import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Clock } from '../../activities/deps';
import { getRun } from '../../db/repositories/runs';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
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

/** A clock that fails its first `n` reads: the run's terminal status write fails with it. */
function failingClock(n: number): Clock & { reads: number } {
  const clock = {
    reads: 0,
    now(): Date {
      clock.reads++;
      if (clock.reads <= n) throw new Error(`database unavailable (simulated, read ${clock.reads})`);
      return new Date();
    },
  };
  return clock;
}

describe('a failed run is recorded, whatever it takes', () => {
  it('fails a permanent fault at once, keeps retrying the FAILED record past the old 10-attempt limit, and leaves the row FAILED with every attempt on the ledger', async () => {
    const tenant = uniqueTenant();
    const config = loadConfig({ AI_GENERATION_ENVIRONMENT: 'test', ...TEST_SECURITY_ENV, AI_MODEL_PROVIDERS: 'local' });
    const clock = failingClock(12);
    const taskQueue = `failure-${randomUUID()}`;
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: {
        db,
        config,
        // No adapter for the configured provider: the snapshot step fails permanently.
        models: {},
        telemetry: { emit: () => undefined },
        clock,
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
            correlationId: 'corr-failure-1',
            principal: { subject: 'alice', tenantId: tenant, roles: ['capability-author'] },
            intent: {
              name: 'Parse Receipts',
              problemStatement: 'Read totals from a receipt.',
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
    expect(state).toMatchObject({ status: 'FAILED' });
    expect(state.failureReason).toContain('Snapshot:AdapterMissing');
    const row = await getRun(db, tenant, runId);
    expect(row).toMatchObject({ status: 'FAILED' });
    expect(row?.completed_at_utc).not.toBeNull();
    // 12 failed writes, then the 13th commits.
    expect(clock.reads).toBe(13);

    const failures = await db
      .selectFrom('telemetry_events')
      .select(['step', 'outcome', 'fields'])
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', runId)
      .where('event_type', '=', 'ACTIVITY_ATTEMPT_FAILED')
      .orderBy('sequence')
      .execute();
    // The snapshot failed once, for good; the status write failed 12 times, each on the record.
    expect(failures.filter((f) => f.step === 'freezeSnapshot').map((f) => [f.outcome, f.fields.error?.type])).toEqual([
      ['FAILED', 'Snapshot:AdapterMissing'],
    ]);
    const statusAttempts = failures.filter((f) => f.step === 'recordRunStatus');
    expect(statusAttempts.map((f) => f.fields.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(statusAttempts.every((f) => f.outcome === 'RETRYING')).toBe(true);
    const failed = await db
      .selectFrom('telemetry_events')
      .select('event_type')
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', runId)
      .where('event_type', '=', 'RUN_FAILED')
      .execute();
    expect(failed).toHaveLength(1);
  });
});
