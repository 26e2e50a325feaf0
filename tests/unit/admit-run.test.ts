import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import type { AdmitRunInput, AdmitRunResult } from '../../activities/admit';
import { stepResultId } from '../../activities/telemetry/record';
import { attemptTelemetryInterceptor } from '../../activities/telemetry/attempt-interceptor';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { createLogger, type Logger } from '../../lib/logger';
import { deterministicUuid } from '../../domain/deterministic-id';
import { LocalDeterministicModel } from '../../providers/model/local';
import type { ModelRuntime } from '../../providers/model/runtime';
import { activityTestEnv, authorRunInput, FIXED_NOW, runAttempt, runRowIds } from '../helpers/activities';

/**
 * `admitRun` is the four intake steps in one activity (`merged-intake`). Against real PostgreSQL:
 * each step's own rows, events and stored result under the workflow's ids; run again as a retry
 * (attempt 2, under changed configuration), or after failing part way, one set of rows and the
 * first commit's answers.
 */

const { db, config, depsWith, changedConfig } = activityTestEnv();

/** Runs admitRun as Temporal would on the given attempt of one workflow run (under the worker's interceptor when given). */
function attempt(
  n: number,
  workflowRunId: string,
  acts: ReturnType<typeof createActivities>,
  input: AdmitRunInput,
  interceptors?: ActivityInterceptorsFactory[],
): Promise<AdmitRunResult> {
  return runAttempt(n, { activityType: 'admitRun', workflowRunId, interceptors }, acts.admitRun, input);
}

/** A quiet logger that keeps its warnings. */
function warningLogger(): { logger: Logger; warnings: Array<[string, Record<string, unknown>]> } {
  const warnings: Array<[string, Record<string, unknown>]> = [];
  const logger = Object.create(createLogger('error', 'test')) as Logger;
  logger.warn = ((message: string, fields: Record<string, unknown>) => {
    warnings.push([message, fields]);
    return logger;
  }) as Logger['warn'];
  return { logger, warnings };
}

function admitInput(tenantId: string, roles = ['capability-author']): AdmitRunInput {
  const run = authorRunInput(tenantId, FIXED_NOW, roles);
  return { run, governanceDecisionId: randomUUID(), executionSnapshotId: randomUUID(), promptRunId: randomUUID() };
}

/** Every row of the run, per table, by id; the ledger by id and type, in order. */
async function rowsOf(tenantId: string, runId: string) {
  const ids = (table: Parameters<typeof runRowIds>[1]) => runRowIds(db, table, tenantId, runId);
  return {
    run: await db
      .selectFrom('ai_generation_runs')
      .select(['id', 'status', 'governance_decision_id', 'execution_snapshot_id', 'failure_reason'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute(),
    governance: await ids('governance_decisions'),
    snapshots: await ids('execution_snapshots'),
    promptRuns: await ids('ai_generation_prompt_runs'),
    telemetry: (
      await db
        .selectFrom('telemetry_events')
        .select(['id', 'event_type', 'step'])
        .where('tenant_id', '=', tenantId)
        .where('run_id', '=', runId)
        .orderBy('sequence')
        .execute()
    ).map((e) => [e.id, e.event_type, e.step]),
    stepResults: (
      await db
        .selectFrom('ai_generation_step_results')
        .select(['id', 'step'])
        .where('tenant_id', '=', tenantId)
        .where('run_id', '=', runId)
        .orderBy('id')
        .execute()
    ).map((r) => [r.id, r.step]),
  };
}

/** The step-result ids each intake step stores its answer under, for the workflow's ids. */
function stepResultsOf(input: AdmitRunInput, steps: Array<'request' | 'authority' | 'snapshot' | 'prompt'>) {
  const idOf = {
    request: input.run.runId,
    authority: input.governanceDecisionId,
    snapshot: input.executionSnapshotId,
    prompt: input.promptRunId,
  };
  return steps
    .map((step) => [stepResultId({ step, id: idOf[step], tenantId: input.run.tenantId, runId: input.run.runId }), step])
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('admitRun: the intake steps in one activity', () => {
  it("commits each step's rows, events and stored result under the workflow's ids, and a retry under changed configuration returns the same answer with no new rows", async () => {
    const tenantId = `admit-${randomUUID()}`;
    const input = admitInput(tenantId);
    const workflowRunId = randomUUID();
    const first = await attempt(1, workflowRunId, createActivities(depsWith()), input);
    const rows = await rowsOf(tenantId, input.run.runId);

    expect(first.requested.capabilityKey).toBe(first.requested.trace.capabilityKey);
    expect(first.authority).toMatchObject({ decision: 'ADMIT' });
    expect(first.authority.trace.authority.governanceDecisionId).toBe(input.governanceDecisionId);
    expect(first.snapshot).toMatchObject({
      executionSnapshotId: input.executionSnapshotId,
      duplicateThresholds: config.aiGeneration.duplicateThresholds,
    });
    expect(first.snapshot!.trace.executionSnapshotId).toBe(input.executionSnapshotId);
    expect(first.prompt!.promptRunId).toBe(input.promptRunId);
    expect(first.prompt!.messages.length).toBeGreaterThan(0);

    // The rows and events each step writes on its own, with the ids it would have written alone.
    expect(rows.run).toEqual([
      {
        id: input.run.runId,
        status: 'RUNNING',
        governance_decision_id: input.governanceDecisionId,
        execution_snapshot_id: input.executionSnapshotId,
        failure_reason: null,
      },
    ]);
    expect(rows.governance).toEqual([input.governanceDecisionId]);
    expect(rows.snapshots).toEqual([input.executionSnapshotId]);
    expect(rows.promptRuns).toEqual([input.promptRunId]);
    expect(rows.telemetry).toEqual([
      [deterministicUuid(input.run.runId, 'RUN_REQUESTED'), 'RUN_REQUESTED', 'request'],
      [deterministicUuid(input.governanceDecisionId, 'AUTHORITY_RESOLVED'), 'AUTHORITY_RESOLVED', 'authority'],
      [deterministicUuid(input.executionSnapshotId, 'SNAPSHOT_FROZEN'), 'SNAPSHOT_FROZEN', 'snapshot'],
      [deterministicUuid(input.promptRunId, 'PROMPT_ASSEMBLED'), 'PROMPT_ASSEMBLED', 'prompt'],
    ]);
    expect(rows.stepResults).toEqual(stepResultsOf(input, ['request', 'authority', 'snapshot', 'prompt']));

    // A retry (the first attempt's completion was lost) with generation disabled in between.
    const retried = await attempt(2, workflowRunId, createActivities(depsWith({}, changedConfig())), input);
    expect(retried).toEqual(first);
    const after = await rowsOf(tenantId, input.run.runId);
    // The retry found attempt 1 left no failure and records it as lost (under the request's trace).
    expect(after.telemetry.slice(0, 4)).toEqual(rows.telemetry);
    expect(after.telemetry.slice(4).map(([, type, step]) => [type, step])).toEqual([
      ['ACTIVITY_ATTEMPT_FAILED', 'admitRun'],
    ]);
    expect({ ...after, telemetry: rows.telemetry }).toEqual(rows);
  });

  it('fails part way (after the authority commit, before the snapshot), records the failed attempt, and the retry completes it with one set of rows', async () => {
    const tenantId = `admit-${randomUUID()}`;
    const input = admitInput(tenantId);
    const workflowRunId = randomUUID();
    // The snapshot step's first look at the model adapters fails as a transient fault would.
    let outage = true;
    const local = new LocalDeterministicModel();
    const models: Record<string, ModelRuntime> = {
      get local(): ModelRuntime {
        if (outage) throw new Error('connection reset (simulated)');
        return local;
      },
    };
    // Under the worker's own interceptor too, as in production: one warning, not two.
    const { logger, warnings } = warningLogger();
    const flakyDeps = depsWith({ models, logger });
    await expect(
      attempt(1, workflowRunId, createActivities(flakyDeps), input, [attemptTelemetryInterceptor(flakyDeps)]),
    ).rejects.toThrow('connection reset (simulated)');
    expect(warnings).toEqual([
      ['activity attempt failed', expect.objectContaining({ activityType: 'admitRun', failedStep: 'snapshot' })],
    ]);
    const partial = await rowsOf(tenantId, input.run.runId);
    expect(partial.governance).toEqual([input.governanceDecisionId]);
    expect(partial.snapshots).toEqual([]);
    expect(partial.promptRuns).toEqual([]);
    expect(partial.stepResults).toEqual(stepResultsOf(input, ['request', 'authority']));
    expect(partial.telemetry.map(([, type, step]) => [type, step])).toEqual([
      ['RUN_REQUESTED', 'request'],
      ['AUTHORITY_RESOLVED', 'authority'],
      ['ACTIVITY_ATTEMPT_FAILED', 'admitRun'],
    ]);
    // The failure names the step and carries the trace it ran under: the authority's decision.
    const [failure] = await db
      .selectFrom('telemetry_events')
      .select('fields')
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', input.run.runId)
      .where('event_type', '=', 'ACTIVITY_ATTEMPT_FAILED')
      .execute();
    expect(failure!.fields).toMatchObject({
      attempt: 1,
      authority: { decision: 'ADMIT', governanceDecisionId: input.governanceDecisionId },
      details: { willRetry: true, failedStep: 'snapshot' },
    });

    // Temporal retries after the outage, with generation disabled meanwhile: the stored ADMIT stands.
    outage = false;
    const retried = await attempt(2, workflowRunId, createActivities(depsWith({ models }, changedConfig())), input);
    expect(retried.authority.decision).toBe('ADMIT');
    expect(retried.snapshot!.executionSnapshotId).toBe(input.executionSnapshotId);
    expect(retried.prompt!.promptRunId).toBe(input.promptRunId);
    const rows = await rowsOf(tenantId, input.run.runId);
    expect(rows.governance).toEqual([input.governanceDecisionId]);
    expect(rows.snapshots).toEqual([input.executionSnapshotId]);
    expect(rows.promptRuns).toEqual([input.promptRunId]);
    expect(rows.stepResults).toEqual(stepResultsOf(input, ['request', 'authority', 'snapshot', 'prompt']));
    expect(rows.telemetry.map(([, type]) => type)).toEqual([
      'RUN_REQUESTED',
      'AUTHORITY_RESOLVED',
      'ACTIVITY_ATTEMPT_FAILED',
      'SNAPSHOT_FROZEN',
      'PROMPT_ASSEMBLED',
    ]);

    // Once more (a lost completion): the same answer, nothing new.
    expect(await attempt(3, workflowRunId, createActivities(depsWith()), input)).toEqual(retried);
    expect((await rowsOf(tenantId, input.run.runId)).stepResults).toEqual(rows.stepResults);
  });

  it('stops at a denial: the decision and the denial recorded, nothing frozen or assembled, and a retry returns the same denial', async () => {
    const tenantId = `admit-${randomUUID()}`;
    const input = admitInput(tenantId, ['viewer']);
    const workflowRunId = randomUUID();
    const denied = await attempt(1, workflowRunId, createActivities(depsWith()), input);
    expect(denied.authority).toMatchObject({ decision: 'DENY' });
    expect(denied.snapshot).toBeNull();
    expect(denied.prompt).toBeNull();
    const rows = await rowsOf(tenantId, input.run.runId);
    expect(rows.run).toEqual([
      expect.objectContaining({
        status: 'DENIED',
        execution_snapshot_id: null,
        failure_reason: denied.authority.reason,
      }),
    ]);
    expect(rows.governance).toEqual([input.governanceDecisionId]);
    expect(rows.snapshots).toEqual([]);
    expect(rows.promptRuns).toEqual([]);
    expect(rows.telemetry).toEqual([
      [deterministicUuid(input.run.runId, 'RUN_REQUESTED'), 'RUN_REQUESTED', 'request'],
      [deterministicUuid(input.governanceDecisionId, 'AUTHORITY_RESOLVED'), 'AUTHORITY_RESOLVED', 'authority'],
      [deterministicUuid(input.run.runId, 'RUN_DENIED'), 'RUN_DENIED', 'authority'],
    ]);
    expect(rows.stepResults).toEqual(stepResultsOf(input, ['request', 'authority']));

    const retried = await attempt(2, workflowRunId, createActivities(depsWith()), input);
    expect(retried).toEqual(denied);
    const after = await rowsOf(tenantId, input.run.runId);
    expect(after.telemetry.slice(0, 3)).toEqual(rows.telemetry);
    expect({ ...after, telemetry: rows.telemetry }).toEqual(rows);
  });
});
