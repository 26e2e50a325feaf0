import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities/deps';
import { StepError, STEP_FAILURE } from '../../domain/failures';
import type { GenerationRunInput, RunState } from '../../domain/types';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { LocalDeterministicModel } from '../../providers/model/local';
import { createWorker } from '../../worker';
import { generationRunWorkflowId } from '../../workflows/ids';
import { runStateQuery } from '../../workflows/messages';
import { CapabilityKeyKey, GenerationStatusKey } from '../../workflows/search-attributes';
import { TEST_DATABASE_URL, testDb } from '../helpers/db';
import { TEST_SECURITY_ENV, uniqueTenant } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * Runs that start with `merged-intake` do intake in one local activity, `admitRun`, and end it in
 * the state the four single steps left: the same steps, ids, search attributes and rows; when
 * admitRun fails for good, the run takes the steps one at a time and fails as it would have. The
 * contract and duplicates gates are one local activity too, `checkDraft`, with the same fallback.
 */

let env: TestWorkflowEnvironment;
const db = testDb();
const config = loadConfig({ AI_GENERATION_ENVIRONMENT: 'test', ...TEST_SECURITY_ENV, AI_MODEL_PROVIDERS: 'local' });

beforeAll(async () => {
  env = await startTemporalDevServer();
});

afterAll(async () => {
  await env?.teardown();
  await db.destroy();
});

async function workerWith(
  models: ActivityDeps['models'],
  taskQueue: string,
  telemetry: ActivityDeps['telemetry'] = { emit: () => undefined },
): Promise<Worker> {
  return createWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: {
      db,
      config,
      models,
      telemetry,
      clock: { now: () => new Date() },
      logger: createLogger('error', 'test'),
    },
  });
}

function runInput(tenant: string, targetRuntime = 'node20'): GenerationRunInput {
  return {
    runId: randomUUID(),
    tenantId: tenant,
    correlationId: `corr-${randomUUID()}`,
    principal: { subject: 'alice', tenantId: tenant, roles: ['capability-author'] },
    intent: {
      name: 'Parse Receipts',
      problemStatement: 'Read totals from a receipt.',
      language: 'typescript',
      targetRuntime,
      seedInputSchema: null,
      examples: [],
    },
    requestedAtUtc: new Date().toISOString(),
  };
}

/** The activity types of the run's local-activity markers, in history order (marker data is not encrypted). */
async function localSteps(runId: string): Promise<string[]> {
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: generationRunWorkflowId(runId) },
  });
  return (history?.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED)
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => {
      const data = e.markerRecordedEventAttributes!.details!['data']!.payloads![0]!.data!;
      return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type;
    });
}

/** The run's state once it stops generating (the workflow stays open in Draft): polled by query. */
async function settled(handle: WorkflowHandle): Promise<RunState> {
  for (let i = 0; i < 200; i++) {
    const s: RunState = await handle.query(runStateQuery);
    if (s.status !== 'REQUESTED' && s.status !== 'RUNNING') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the run did not reach Draft');
}

async function rowCount(
  table: 'execution_snapshots' | 'governance_decisions' | 'ai_generation_prompt_runs',
  runId: string,
) {
  const rows = await db.selectFrom(table).select('id').where('run_id', '=', runId).execute();
  return rows.length;
}

describe('merged-intake: intake in one local activity', () => {
  it('admits a run with one admitRun and reaches Draft with the state, search attributes and rows of the single steps', async () => {
    const taskQueue = `merged-${randomUUID()}`;
    const worker = await workerWith({ local: new LocalDeterministicModel() }, taskQueue);
    const input = runInput(uniqueTenant());
    const handle = await env.client.workflow.start('generationRun', {
      taskQueue,
      workflowId: generationRunWorkflowId(input.runId),
      args: [input],
    });
    const state = await worker.runUntil(settled(handle));
    expect(state.status).toBe('DRAFT');
    expect(state.steps.slice(0, 5)).toEqual(['request', 'authority', 'snapshot', 'prompt', 'model']);
    expect(state.capabilityKey).toBe('parse-receipts');
    expect(state.governanceDecisionId).toEqual(expect.any(String));
    expect(state.executionSnapshotId).toEqual(expect.any(String));
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(CapabilityKeyKey)).toBe('parse-receipts');
    expect(typedSearchAttributes.get(GenerationStatusKey)).toBe('DRAFT');

    expect((await localSteps(input.runId)).slice(0, 2)).toEqual(['admitRun', 'checkDraft']);
    const run = await db
      .selectFrom('ai_generation_runs')
      .select(['governance_decision_id', 'execution_snapshot_id'])
      .where('id', '=', input.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({
      governance_decision_id: state.governanceDecisionId,
      execution_snapshot_id: state.executionSnapshotId,
    });
    expect(await rowCount('ai_generation_prompt_runs', input.runId)).toBe(1);
    await handle.terminate('test done');
  });

  it('ends a denied run DENIED after one admitRun, with nothing frozen', async () => {
    const taskQueue = `merged-${randomUUID()}`;
    const worker = await workerWith({ local: new LocalDeterministicModel() }, taskQueue);
    const input = runInput(uniqueTenant(), 'cobol85');
    const handle = await env.client.workflow.start('generationRun', {
      taskQueue,
      workflowId: generationRunWorkflowId(input.runId),
      args: [input],
    });
    const state: RunState = await worker.runUntil(handle.result());
    expect(state).toMatchObject({
      status: 'DENIED',
      steps: ['request', 'authority'],
      capabilityKey: 'parse-receipts',
      executionSnapshotId: null,
    });
    expect(state.failureReason).toContain('cobol85');
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(GenerationStatusKey)).toBe('DENIED');
    expect(await localSteps(input.runId)).toEqual(['admitRun']);
    expect(await rowCount('governance_decisions', input.runId)).toBe(1);
    expect(await rowCount('execution_snapshots', input.runId)).toBe(0);
  });

  it('takes the steps one at a time when admitRun fails for good, and fails as the single steps would have', async () => {
    const taskQueue = `merged-${randomUUID()}`;
    // No adapter for the configured provider: the snapshot step fails permanently.
    const worker = await workerWith({}, taskQueue);
    const tenant = uniqueTenant();
    const input = runInput(tenant);
    const state: RunState = await worker.runUntil(
      env.client.workflow.execute('generationRun', {
        taskQueue,
        workflowId: generationRunWorkflowId(input.runId),
        args: [input],
      }),
    );
    expect(state).toMatchObject({ status: 'FAILED', steps: ['request', 'authority'], capabilityKey: 'parse-receipts' });
    expect(state.failureReason).toContain('Snapshot:AdapterMissing');
    // admitRun once, then each step with the same ids: the first two return what admitRun committed.
    expect(await localSteps(input.runId)).toEqual([
      'admitRun',
      'recordRunRequested',
      'resolveAuthority',
      'freezeSnapshot',
      'recordRunStatus',
    ]);
    expect(await rowCount('governance_decisions', input.runId)).toBe(1);
    expect(await rowCount('execution_snapshots', input.runId)).toBe(0);
    const ledger = await db
      .selectFrom('telemetry_events')
      .select(['event_type', 'step', 'outcome'])
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', input.runId)
      .orderBy('sequence')
      .execute();
    expect(ledger.map((e) => [e.event_type, e.step, e.outcome])).toEqual([
      ['RUN_REQUESTED', 'request', 'ACCEPTED'],
      ['AUTHORITY_RESOLVED', 'authority', 'ADMIT'],
      ['ACTIVITY_ATTEMPT_FAILED', 'admitRun', 'FAILED'],
      ['ACTIVITY_ATTEMPT_FAILED', 'freezeSnapshot', 'FAILED'],
      ['RUN_FAILED', expect.any(String), expect.any(String)],
    ]);
  });

  it('takes the gate steps one at a time with the same ids when checkDraft fails for good after its commits, and reaches Draft with one set of rows', async () => {
    const taskQueue = `merged-${randomUUID()}`;
    // The first duplicate check's event fails to reach OpenTelemetry with a permanent fault, after
    // the check committed: checkDraft fails for good; the single steps return what it committed.
    let faults = 1;
    const worker = await workerWith({ local: new LocalDeterministicModel() }, taskQueue, {
      emit: (e) => {
        if (e.eventType === 'DUPLICATE_CHECKED' && faults-- > 0) {
          throw new StepError(STEP_FAILURE.evidenceUnlinked, 'emitter refused the event (simulated)');
        }
      },
    });
    const tenant = uniqueTenant();
    const input = runInput(tenant);
    const handle = await env.client.workflow.start('generationRun', {
      taskQueue,
      workflowId: generationRunWorkflowId(input.runId),
      args: [input],
    });
    const state = await worker.runUntil(settled(handle));
    expect(state.status).toBe('DRAFT');
    expect(state.steps).toEqual([
      'request',
      'authority',
      'snapshot',
      'prompt',
      'model',
      'contract',
      'duplicates',
      'policy',
    ]);
    expect(state.duplicateOutcome).toBe('NONE');
    expect(state.contractDraftId).toEqual(expect.any(String));
    expect(await localSteps(input.runId)).toEqual([
      'admitRun',
      'checkDraft',
      'generateContract',
      'checkDuplicates',
      'recordRunStatus',
    ]);
    const drafts = await db
      .selectFrom('ai_generation_contract_drafts')
      .select('id')
      .where('run_id', '=', input.runId)
      .execute();
    expect(drafts.map((d) => d.id)).toEqual([state.contractDraftId]);
    const checks = await db
      .selectFrom('ai_generation_duplicate_checks')
      .select('id')
      .where('run_id', '=', input.runId)
      .execute();
    expect(checks).toHaveLength(1);
    const ledger = await db
      .selectFrom('telemetry_events')
      .select(['event_type', 'step', 'outcome'])
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', input.runId)
      .orderBy('sequence')
      .execute();
    expect(ledger.map((e) => [e.event_type, e.step])).toEqual([
      ['RUN_REQUESTED', 'request'],
      ['AUTHORITY_RESOLVED', 'authority'],
      ['SNAPSHOT_FROZEN', 'snapshot'],
      ['PROMPT_ASSEMBLED', 'prompt'],
      ['MODEL_CALL_SUCCEEDED', expect.any(String)],
      ['CONTRACT_DRAFTED', 'contract'],
      ['CONTRACT_VALIDATED', 'contract'],
      ['DUPLICATE_CHECKED', 'duplicates'],
      ['ACTIVITY_ATTEMPT_FAILED', 'checkDraft'],
      ['RUN_DRAFT', expect.any(String)],
    ]);
    expect(ledger.find((e) => e.step === 'checkDraft')?.outcome).toBe('FAILED');
    await handle.terminate('test done');
  });
  it('records a run cancelled while admitRun is blocked as FAILED (cancelled by an operator), with one set of intake rows', async () => {
    const taskQueue = `merged-${randomUUID()}`;
    const worker = await workerWith({ local: new LocalDeterministicModel() }, taskQueue);
    const tenant = uniqueTenant();
    const input = runInput(tenant);
    // Another session holds the snapshots table: admitRun records the request and the authority,
    // then waits in the snapshot step.
    const locker = new PgClient({ connectionString: TEST_DATABASE_URL });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table execution_snapshots in access exclusive mode');
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await locker.query('rollback');
    };
    try {
      const handle = await env.client.workflow.start('generationRun', {
        taskQueue,
        workflowId: generationRunWorkflowId(input.runId),
        args: [input],
      });
      const outcome = await worker.runUntil(async () => {
        for (let i = 0; ; i++) {
          const { rows } = await locker.query<{ waiting: number }>(
            `select count(*)::int as waiting from pg_locks
              where relation = 'execution_snapshots'::regclass and not granted`,
          );
          if (rows[0]!.waiting > 0) break;
          if (i > 200) throw new Error('admitRun never reached the snapshot step');
          await new Promise((r) => setTimeout(r, 50));
        }
        await handle.cancel();
        await new Promise((r) => setTimeout(r, 500)); // the cancellation reaches the workflow mid-step
        await release();
        return handle.result().then(
          () => null,
          (err: unknown) => err,
        );
      });
      expect(outcome).toBeInstanceOf(WorkflowFailedError);
      expect((outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    } finally {
      await release();
      await locker.end();
    }

    const run = await db
      .selectFrom('ai_generation_runs')
      .select(['status', 'failure_reason'])
      .where('tenant_id', '=', tenant)
      .where('id', '=', input.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ status: 'FAILED', failure_reason: 'cancelled by an operator' });
    expect(await rowCount('governance_decisions', input.runId)).toBe(1);
    expect(await rowCount('execution_snapshots', input.runId)).toBeLessThanOrEqual(1);
    const ledger = await db
      .selectFrom('telemetry_events')
      .select(['event_type', 'fields'])
      .where('tenant_id', '=', tenant)
      .where('run_id', '=', input.runId)
      .orderBy('sequence')
      .execute();
    const types = ledger.map((e) => e.event_type);
    // Each intake event once, whichever path committed it. The model call scheduled before the
    // cancellation arrived may finish; no step runs after it (no contract, no duplicate check),
    // and the run's end is recorded once, last.
    for (const type of ['RUN_REQUESTED', 'AUTHORITY_RESOLVED']) expect(types.filter((t) => t === type)).toHaveLength(1);
    expect(types.filter((t) => t === 'SNAPSHOT_FROZEN').length).toBeLessThanOrEqual(1);
    expect(types.filter((t) => /^(CONTRACT|DUPLICATE)_/.test(t))).toEqual([]);
    expect(types.filter((t) => t === 'RUN_FAILED')).toHaveLength(1);
    expect(types.at(-1)).toBe('RUN_FAILED');
    const steps = await localSteps(input.runId);
    expect(steps.filter((s) => ['checkDraft', 'generateContract', 'checkDuplicates'].includes(s))).toEqual([]);
    expect(steps.at(-1)).toBe('recordRunStatus');
    expect(ledger.at(-1)!.fields).toMatchObject({ error: { type: 'Run:Cancelled' } });
  });
});
