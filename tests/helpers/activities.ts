import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { CheckDraftInput } from '../../activities/check-draft';
import type { ActivityDeps } from '../../activities/deps';
import type { Db } from '../../db/database';
import type { TelemetryEvent } from '../../domain/telemetry-event';
import type { GenerationRunInput } from '../../domain/types';
import { registerPromptTemplates } from '../../activities/prompts/register';
import { loadConfig, type AppConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { LocalDeterministicModel } from '../../providers/model/local';
import { testDb } from './db';
import { TEST_SECURITY_ENV } from './stack';

/** The clock activity tests run on. */
export const FIXED_NOW = new Date('2026-11-24T03:00:00.000Z');

/**
 * An activity test file's database and configuration (test environment, the offline model), against
 * real PostgreSQL: the prompt templates registered before its tests, the pool closed after them.
 * `depsWith` builds activity dependencies on them at `FIXED_NOW`; `changedConfig` is what an
 * operator changes between a step's first commit and its retry, which the retry must not see.
 */
export function activityTestEnv() {
  const db = testDb();
  const config = loadConfig({ AI_GENERATION_ENVIRONMENT: 'test', ...TEST_SECURITY_ENV, AI_MODEL_PROVIDERS: 'local' });
  beforeAll(() => registerPromptTemplates(db));
  afterAll(() => db.destroy());
  return {
    db,
    config,
    depsWith: (over: Partial<ActivityDeps> = {}, cfg: AppConfig = config) => activityDeps(db, cfg, FIXED_NOW, over),
    changedConfig: (): AppConfig => ({
      ...config,
      aiGeneration: {
        ...config.aiGeneration,
        enabled: false,
        duplicateThresholds: { potential: 0.11, blocking: 0.99 },
        contractValidationStrictMode: !config.aiGeneration.contractValidationStrictMode,
      },
      security: { ...config.security, runtimeMaxMemoryMb: 1, runtimeMaxTimeoutMs: 1 },
    }),
  };
}

/**
 * Activity dependencies for tests against real PostgreSQL: the offline model, a fixed clock, quiet
 * logs, and the telemetry the activities emit kept in `emitted`.
 */
export function activityDeps(
  db: Db,
  config: AppConfig,
  now: Date,
  over: Partial<ActivityDeps> = {},
): ActivityDeps & { emitted: TelemetryEvent[] } {
  const emitted: TelemetryEvent[] = [];
  return {
    db,
    config,
    models: { local: new LocalDeterministicModel() },
    telemetry: { emit: (e) => emitted.push(e) },
    logger: createLogger('error', 'test'),
    clock: { now: () => now },
    emitted,
    ...over,
  };
}

/**
 * Runs an activity as Temporal would on attempt `n` of one workflow run: with the activity's type
 * and the workflow's ids in its info, and under the worker's interceptors when given.
 */
export function runAttempt<A extends unknown[], R>(
  n: number,
  at: { activityType: string; workflowRunId: string; interceptors?: ActivityInterceptorsFactory[] },
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  const env = new MockActivityEnvironment(
    {
      attempt: n,
      activityType: at.activityType,
      workflowExecution: { workflowId: `wf-${at.workflowRunId}`, runId: at.workflowRunId },
    },
    at.interceptors ? { interceptors: at.interceptors } : undefined,
  );
  return env.run(fn, ...args);
}

/** A run's input as the API makes it: an author asking for a unit converter, requested at `now`. */
export function authorRunInput(tenantId: string, now: Date, roles = ['capability-author']): GenerationRunInput {
  return {
    runId: randomUUID(),
    tenantId,
    correlationId: randomUUID(),
    principal: { subject: 'alice', tenantId, roles },
    intent: {
      name: `Convert Units ${randomUUID().slice(0, 8)}`,
      problemStatement: 'Convert a quantity between metric and imperial units.',
      language: 'typescript',
      targetRuntime: 'node20',
      seedInputSchema: null,
      examples: [],
    },
    requestedAtUtc: now.toISOString(),
  };
}

/**
 * The run admitted (admitRun) and answered by the model (callModel), each on its first attempt,
 * and checkDraft's input for it with fresh workflow-made ids.
 */
export async function answeredRun(deps: ActivityDeps, run: GenerationRunInput): Promise<CheckDraftInput> {
  const acts = createActivities(deps);
  const at = { activityType: 'answeredRun', workflowRunId: randomUUID() };
  const admitted = await runAttempt(1, at, acts.admitRun, {
    run,
    governanceDecisionId: randomUUID(),
    executionSnapshotId: randomUUID(),
    promptRunId: randomUUID(),
  });
  const snapshot = admitted.snapshot!;
  const prompt = admitted.prompt!;
  const completion = await runAttempt(1, at, acts.callModel, {
    runtime: snapshot.providerChain[0]!,
    promptRunId: prompt.promptRunId,
    messages: prompt.messages,
    intent: run.intent,
    maxAttempts: 3,
    trace: snapshot.trace,
  });
  return {
    contract: {
      contractDraftId: randomUUID(),
      validationId: randomUUID(),
      intent: run.intent,
      candidate: completion.candidate,
      runtime: completion.runtime,
      promptHash: prompt.promptHash,
      allowedRuntimes: snapshot.allowedRuntimes,
      strictMode: snapshot.strictMode,
      revisionOf: null,
    },
    duplicates: {
      duplicateCheckId: randomUUID(),
      capabilityName: run.intent.name,
      thresholds: snapshot.duplicateThresholds,
    },
    trace: completion.trace,
  };
}

/** The ids of a run's rows in one of its tables (every such table has tenant_id and run_id), sorted. */
export async function runRowIds(
  db: Db,
  table:
    | 'governance_decisions'
    | 'execution_snapshots'
    | 'ai_generation_prompt_runs'
    | 'ai_generation_prompt_artifacts'
    | 'telemetry_events'
    | 'ai_generation_step_results'
    | 'ai_generation_contract_drafts'
    | 'ai_generation_contract_validations'
    | 'ai_generation_duplicate_checks',
  tenantId: string,
  runId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom(table as 'ai_generation_prompt_runs')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
