import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Context } from '@temporalio/activity';
import { createActivities } from '../../activities';
import { attemptTelemetryInterceptor } from '../../activities/telemetry/attempt-interceptor';
import type { GenerationRunInput } from '../../domain/types';
import { LocalDeterministicModel } from '../../providers/model/local';
import type { ModelRequest, ModelRuntime } from '../../providers/model/runtime';
import { activityTestEnv, authorRunInput, FIXED_NOW, runRowIds } from '../helpers/activities';
import { upsertActiveEntry } from '../helpers/catalog-fixtures';

/**
 * Each activity runs twice with the same input against real PostgreSQL, the second time as a
 * Temporal retry (attempt 2) and with live configuration changed in between: one set of rows, and
 * the same return value, the one the first commit stored.
 */

const { db, config, depsWith, changedConfig } = activityTestEnv();

/** A model that counts its calls and answers as the local deterministic one does. */
class CountingModel implements ModelRuntime {
  readonly inner = new LocalDeterministicModel();
  readonly provider = this.inner.provider;
  readonly model = this.inner.model;
  readonly runtimeClass = this.inner.runtimeClass;
  readonly tokenizer = this.inner.tokenizer;
  calls = 0;
  async generate(request: ModelRequest) {
    this.calls++;
    return this.inner.generate(request);
  }
}

/** Runs an activity as Temporal would on the given attempt. */
async function attempt<A extends unknown[], R>(n: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  const env = new MockActivityEnvironment({ attempt: n });
  return env.run(fn, ...args);
}

/** Every row the run has, per table, by id (and the ledger's event ids). */
async function rowsOf(tenantId: string, runId: string) {
  const ids = (table: Parameters<typeof runRowIds>[1]) => runRowIds(db, table, tenantId, runId);
  const run = await db
    .selectFrom('ai_generation_runs')
    .select(['id', 'status', 'completed_at_utc', 'failure_reason'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .execute();
  return {
    run,
    governance: await ids('governance_decisions'),
    snapshots: await ids('execution_snapshots'),
    promptRuns: await ids('ai_generation_prompt_runs'),
    artifacts: await ids('ai_generation_prompt_artifacts'),
    telemetry: await ids('telemetry_events'),
    stepResults: await ids('ai_generation_step_results'),
  };
}

function runInput(tenantId: string): GenerationRunInput {
  return authorRunInput(tenantId, FIXED_NOW);
}

describe('activities are idempotent in their rows and in what they return', () => {
  it('runs every step of a run twice (the second as a retry under changed configuration): one set of rows, the first answers', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const input = runInput(tenantId);
    const deps = depsWith();
    const acts = createActivities(deps);
    const retried = createActivities(depsWith({}, changedConfig()));

    const twice = async <A extends unknown[], R>(
      first: (...args: A) => Promise<R>,
      second: (...args: A) => Promise<R>,
      ...args: A
    ): Promise<R> => {
      const a = await attempt(1, first, ...args);
      const rows = await rowsOf(tenantId, input.runId);
      const b = await attempt(2, second, ...args);
      expect(b).toEqual(a);
      expect(await rowsOf(tenantId, input.runId)).toEqual(rows);
      return a;
    };

    const requested = await twice(acts.recordRunRequested, retried.recordRunRequested, input);
    expect(requested.trace.runId).toBe(input.runId);

    const governanceDecisionId = randomUUID();
    const authority = await twice(acts.resolveAuthority, retried.resolveAuthority, {
      run: input,
      governanceDecisionId,
      trace: requested.trace,
    });
    // The retry ran with generation disabled; it still returns the stored ADMIT.
    expect(authority.decision).toBe('ADMIT');
    expect(authority.trace.authority.governanceDecisionId).toBe(governanceDecisionId);

    const { trace: authorityTrace, ...decision } = authority;
    const snapshot = await twice(acts.freezeSnapshot, retried.freezeSnapshot, {
      run: input,
      authority: decision,
      executionSnapshotId: randomUUID(),
      trace: authorityTrace,
    });
    expect(snapshot.duplicateThresholds).toEqual(config.aiGeneration.duplicateThresholds);
    expect(snapshot.trace.executionSnapshotId).toBe(snapshot.executionSnapshotId);

    const prompt = await twice(acts.assemblePrompt, retried.assemblePrompt, {
      run: input,
      promptRunId: randomUUID(),
      template: snapshot.promptTemplate,
      allowedRuntimes: snapshot.allowedRuntimes,
      primaryRuntime: snapshot.providerChain[0]!,
      emitPromptHashes: snapshot.emitPromptHashes,
      trace: snapshot.trace,
    });
    expect(prompt.messages.length).toBeGreaterThan(0);

    const fallback = await twice(acts.recordFallback, retried.recordFallback, {
      eventId: randomUUID(),
      fallback: {
        fromProvider: 'openai',
        toProvider: 'local',
        reason: 'openai failed',
        failureType: 'Model:AuthFailed',
      },
      trace: snapshot.trace,
    });
    expect(fallback.trace.fallback).toEqual({ used: true, reason: 'openai failed' });

    // The duplicate check, retried after an equal capability became Active: the retry returns the
    // stored NONE, not a re-check against the moved catalog.
    const checkInput = {
      duplicateCheckId: randomUUID(),
      capabilityName: input.intent.name,
      thresholds: { potential: 0.8, blocking: 0.95 },
      trace: fallback.trace,
    };
    const checked = await attempt(1, acts.checkDuplicates, checkInput);
    expect(checked.outcome).toBe('NONE');
    const afterCheck = await rowsOf(tenantId, input.runId);
    await upsertActiveEntry(db, tenantId, input.intent.name, input.intent.problemStatement);

    expect(await attempt(2, retried.checkDuplicates, checkInput)).toEqual(checked);
    expect(await rowsOf(tenantId, input.runId)).toEqual(afterCheck);
    // …whereas a new check (a new id) does see it: the retry's answer was the stored one, not luck.
    const fresh = await attempt(1, acts.checkDuplicates, { ...checkInput, duplicateCheckId: randomUUID() });
    expect(fresh.outcome).not.toBe('NONE');

    await twice(acts.recordRunStatus, retried.recordRunStatus, {
      eventId: randomUUID(),
      status: 'FAILED',
      reason: 'test',
      terminal: true,
      error: { type: 'Test:Failure', message: 'test' },
      trace: fallback.trace,
    });
    const rows = await rowsOf(tenantId, input.runId);
    expect(rows.run).toEqual([
      expect.objectContaining({ status: 'FAILED', completed_at_utc: FIXED_NOW, failure_reason: 'test' }),
    ]);
    expect(rows.governance).toHaveLength(1);
    expect(rows.snapshots).toHaveLength(1);
    expect(rows.promptRuns).toHaveLength(1);
    // request, authority, snapshot, prompt, fallback, two duplicate checks, status: one stored result each.
    expect(rows.stepResults).toHaveLength(8);
  });

  it('returns the stored answer when the model call is retried after its commit, without calling the model again', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const { input, snapshot, prompt } = await preparedRun(tenantId);
    const counting = new CountingModel();
    const acts = createActivities(depsWith({ models: { local: counting } }));
    const callInput = {
      runtime: snapshot.providerChain[0]!,
      promptRunId: prompt.promptRunId,
      messages: prompt.messages,
      intent: input.intent,
      maxAttempts: 3,
      trace: snapshot.trace,
    };
    const first = await attempt(1, acts.callModel, callInput);
    const rows = await rowsOf(tenantId, input.runId);
    // A crash after the commit: Temporal retries; the retry must not produce a second answer.
    const second = await attempt(2, acts.callModel, callInput);
    expect(second).toEqual(first);
    expect(counting.calls).toBe(1);
    expect(await rowsOf(tenantId, input.runId)).toEqual(rows);
    const completions = await db
      .selectFrom('ai_generation_prompt_artifacts')
      .select(['kind', 'attempt'])
      .where('tenant_id', '=', tenantId)
      .where('prompt_run_id', '=', prompt.promptRunId)
      .execute();
    expect(completions).toEqual([{ kind: 'COMPLETION', attempt: 1 }]);
  });

  it('records a model attempt lost to a crash before the retry calls the model, one artifact per attempt', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const { input, snapshot, prompt } = await preparedRun(tenantId);
    const acts = createActivities(depsWith());
    const callInput = {
      runtime: snapshot.providerChain[0]!,
      promptRunId: prompt.promptRunId,
      messages: prompt.messages,
      intent: input.intent,
      maxAttempts: 3,
      trace: snapshot.trace,
    };
    // Attempts 1 and 2 died without a trace (worker killed mid-call); attempt 3 runs.
    const third = await attempt(3, acts.callModel, callInput);
    const again = await attempt(3, acts.callModel, callInput);
    expect(again).toEqual(third);
    const artifacts = await db
      .selectFrom('ai_generation_prompt_artifacts')
      .select(['kind', 'attempt', 'error_type'])
      .where('tenant_id', '=', tenantId)
      .where('prompt_run_id', '=', prompt.promptRunId)
      .orderBy('attempt')
      .execute();
    expect(artifacts).toEqual([
      { kind: 'FAILED_ATTEMPT', attempt: 1, error_type: 'Activity:AttemptLost' },
      { kind: 'FAILED_ATTEMPT', attempt: 2, error_type: 'Activity:AttemptLost' },
      { kind: 'COMPLETION', attempt: 3, error_type: null },
    ]);
    const events = await db
      .selectFrom('telemetry_events')
      .select(['event_type', 'outcome'])
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', input.runId)
      .where('step', '=', 'model')
      .orderBy('sequence')
      .execute();
    expect(events).toEqual([
      { event_type: 'MODEL_ATTEMPT_FAILED', outcome: 'RETRYING' },
      { event_type: 'MODEL_ATTEMPT_FAILED', outcome: 'RETRYING' },
      { event_type: 'MODEL_CALL_SUCCEEDED', outcome: 'SUCCEEDED' },
    ]);
  });
});

describe("a run's cancellation is recorded once", () => {
  it('records the first cancellation of a run and returns it to a later call with another event id; other statuses are one per event', async () => {
    const tenantId = `end-${randomUUID()}`;
    const { input, snapshot } = await preparedRun(tenantId);
    const acts = createActivities(depsWith());
    const status = (eventId: string, s: 'BLOCKED' | 'FAILED', terminal: boolean, reason: string) =>
      attempt(1, acts.recordRunStatus, {
        eventId,
        status: s,
        reason,
        terminal,
        error: s === 'FAILED' ? { type: 'Run:Cancelled', message: reason } : null,
        trace: snapshot.trace,
      });
    const events = async () =>
      (
        await db
          .selectFrom('telemetry_events')
          .select(['id', 'event_type'])
          .where('tenant_id', '=', tenantId)
          .where('run_id', '=', input.runId)
          .where('event_type', 'in', ['RUN_BLOCKED', 'RUN_FAILED'])
          .orderBy('sequence')
          .execute()
      ).map((e) => [e.id, e.event_type]);

    const [blocked1, blocked2, end1, end2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await status(blocked1, 'BLOCKED', false, 'waiting for an accepted break');
    await status(blocked2, 'BLOCKED', false, 'waiting again');
    await status(end1, 'FAILED', true, 'cancelled by an operator');
    // A workflow task retried down another path records the cancellation again, under a new event id.
    await status(end2, 'FAILED', true, 'cancelled by an operator, again');
    expect(await events()).toEqual([
      [blocked1, 'RUN_BLOCKED'],
      [blocked2, 'RUN_BLOCKED'],
      [end1, 'RUN_FAILED'],
    ]);
    const run = await db
      .selectFrom('ai_generation_runs')
      .select(['status', 'failure_reason'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', input.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ status: 'FAILED', failure_reason: 'cancelled by an operator' });
  });
});

describe('the model call tells Temporal it is alive', () => {
  it('heartbeats while it waits for the model, so a crashed worker is noticed within the heartbeat timeout', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const { input, snapshot, prompt } = await preparedRun(tenantId);
    const inner = new LocalDeterministicModel();
    const slow: ModelRuntime = {
      provider: inner.provider,
      model: inner.model,
      runtimeClass: inner.runtimeClass,
      tokenizer: inner.tokenizer,
      generate: async (request) => {
        await new Promise((r) => setTimeout(r, 5_500));
        return inner.generate(request);
      },
    };
    const acts = createActivities(depsWith({ models: { local: slow } }));
    const env = new MockActivityEnvironment({ attempt: 1 });
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);
    const result = await env.run(acts.callModel, {
      runtime: snapshot.providerChain[0]!,
      promptRunId: prompt.promptRunId,
      messages: prompt.messages,
      intent: input.intent,
      maxAttempts: 3,
      trace: snapshot.trace,
    });
    expect((result as { runtime: { provider: string } }).runtime.provider).toBe('local');
    // One on start, then every 5 s while the model works.
    expect(heartbeats).toBeGreaterThanOrEqual(2);
  });
});

describe('every attempt on the record', () => {
  function fakeContext(attemptNo: number, activityId: string, workflowRunId: string): Context {
    return {
      info: {
        attempt: attemptNo,
        activityId,
        activityType: 'freezeSnapshot',
        workflowExecution: { workflowId: 'wf', runId: workflowRunId },
        retryPolicy: {},
      },
    } as unknown as Context;
  }

  it('an attempt that finds it is a retry records the attempts a crash lost, once, before its work', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const input = runInput(tenantId);
    const acts = createActivities(depsWith());
    const requested = await attempt(1, acts.recordRunRequested, input);
    const deps = depsWith();
    const interceptor = attemptTelemetryInterceptor(deps);
    const workflowRunId = randomUUID();
    const order: string[] = [];
    const next = async () => {
      const ledger = await db
        .selectFrom('telemetry_events')
        .select('event_type')
        .where('tenant_id', '=', tenantId)
        .where('event_type', '=', 'ACTIVITY_ATTEMPT_FAILED')
        .execute();
      order.push(`work saw ${ledger.length} recorded failures`);
      return 'done';
    };
    const args = { args: [{ trace: requested.trace }], headers: {} };
    // Attempt 1 failed in the open and recorded itself; attempt 2 was lost to a crash.
    await expect(
      interceptor(fakeContext(1, '7', workflowRunId)).inbound!.execute!(args, async () => {
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    await interceptor(fakeContext(3, '7', workflowRunId)).inbound!.execute!(args, next);
    await interceptor(fakeContext(3, '7', workflowRunId)).inbound!.execute!(args, next);
    expect(order).toEqual(['work saw 2 recorded failures', 'work saw 2 recorded failures']);
    const failures = await db
      .selectFrom('telemetry_events')
      .select(['outcome', 'fields'])
      .where('tenant_id', '=', tenantId)
      .where('event_type', '=', 'ACTIVITY_ATTEMPT_FAILED')
      .orderBy('sequence')
      .execute();
    expect(failures.map((f) => [f.fields.attempt, f.fields.error?.type, f.outcome])).toEqual([
      [1, 'Error', 'RETRYING'],
      [2, 'Activity:AttemptLost', 'RETRYING'],
    ]);
  });

  it('fails a permanent fault at once, with its namespaced type', async () => {
    const tenantId = `idem-${randomUUID()}`;
    const input = runInput(tenantId);
    const acts = createActivities(depsWith({ models: {} }));
    const requested = await attempt(1, acts.recordRunRequested, input);
    const authority = await attempt(1, acts.resolveAuthority, {
      run: input,
      governanceDecisionId: randomUUID(),
      trace: requested.trace,
    });
    const { trace, ...decision } = authority;
    const interceptor = attemptTelemetryInterceptor(depsWith());
    const snapshotInput = { run: input, authority: decision, executionSnapshotId: randomUUID(), trace };
    const failure = await interceptor(fakeContext(1, '3', randomUUID())).inbound!.execute!(
      { args: [snapshotInput], headers: {} },
      () => new MockActivityEnvironment().run(acts.freezeSnapshot, snapshotInput),
    ).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'Snapshot:AdapterMissing', nonRetryable: true });
  });
});

/** A run recorded through authority, snapshot and prompt, for the model-call tests. */
async function preparedRun(tenantId: string) {
  const input = runInput(tenantId);
  const acts = createActivities(depsWith());
  const requested = await attempt(1, acts.recordRunRequested, input);
  const authority = await attempt(1, acts.resolveAuthority, {
    run: input,
    governanceDecisionId: randomUUID(),
    trace: requested.trace,
  });
  const { trace, ...decision } = authority;
  const snapshot = await attempt(1, acts.freezeSnapshot, {
    run: input,
    authority: decision,
    executionSnapshotId: randomUUID(),
    trace,
  });
  const prompt = await attempt(1, acts.assemblePrompt, {
    run: input,
    promptRunId: randomUUID(),
    template: snapshot.promptTemplate,
    allowedRuntimes: snapshot.allowedRuntimes,
    primaryRuntime: snapshot.providerChain[0]!,
    emitPromptHashes: snapshot.emitPromptHashes,
    trace: snapshot.trace,
  });
  return { input, snapshot, prompt };
}
