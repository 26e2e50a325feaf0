import { randomUUID } from 'node:crypto';
import type { ActivityDeps } from '../../activities/deps';
import { createActivities } from '../../activities';
import type { CheckDraftInput, CheckDraftResult } from '../../activities/check-draft';
import { attemptTelemetryInterceptor } from '../../activities/telemetry/attempt-interceptor';
import { stepResultId } from '../../activities/telemetry/record';
import { deterministicUuid } from '../../domain/deterministic-id';
import { activityTestEnv, answeredRun, authorRunInput, FIXED_NOW, runAttempt, runRowIds } from '../helpers/activities';
import { upsertActiveEntry } from '../helpers/catalog-fixtures';

/**
 * `checkDraft` is the contract and duplicates steps in one activity (`merged-intake`). Against real
 * PostgreSQL, with the worker's attempt interceptor: each step's own rows, events and stored result
 * under the workflow's ids, duplicates under the contract's trace as the workflow would carry it;
 * run again as a retry (under changed configuration and a moved catalog), or after failing between
 * the two steps, one set of rows and the first commit's answers.
 */

const { db, depsWith, changedConfig } = activityTestEnv();

/** Runs checkDraft as the worker would on the given attempt of one workflow run. */
function attempt(
  n: number,
  workflowRunId: string,
  deps: ActivityDeps,
  input: CheckDraftInput,
): Promise<CheckDraftResult> {
  const at = { activityType: 'checkDraft', workflowRunId, interceptors: [attemptTelemetryInterceptor(deps)] };
  return runAttempt(n, at, createActivities(deps).checkDraft, input);
}

/** A run admitted and answered by the model, and checkDraft's input with fresh workflow-made ids. */
function answered(tenantId: string): Promise<CheckDraftInput> {
  return answeredRun(depsWith(), authorRunInput(tenantId, FIXED_NOW));
}

/** The gate rows of the run, per table, by id; the ledger by id, type and step, in order. */
async function rowsOf(input: CheckDraftInput) {
  const { tenantId, runId } = input.trace;
  const ids = (table: Parameters<typeof runRowIds>[1]) => runRowIds(db, table, tenantId, runId);
  return {
    run: await db
      .selectFrom('ai_generation_runs')
      .select(['lifecycle_state', 'contract_validation_outcome', 'capability_version', 'duplicate_outcome'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute(),
    drafts: await ids('ai_generation_contract_drafts'),
    validations: await ids('ai_generation_contract_validations'),
    duplicateChecks: await ids('ai_generation_duplicate_checks'),
    telemetry: (
      await db
        .selectFrom('telemetry_events')
        .select(['id', 'event_type', 'step'])
        .where('tenant_id', '=', tenantId)
        .where('run_id', '=', runId)
        .where('step', 'in', ['contract', 'duplicates', 'checkDraft'])
        .orderBy('sequence')
        .execute()
    ).map((e) => [e.id, e.event_type, e.step]),
    stepResults: (
      await db
        .selectFrom('ai_generation_step_results')
        .select(['id', 'step'])
        .where('tenant_id', '=', tenantId)
        .where('run_id', '=', runId)
        .where('step', 'in', ['contract', 'duplicates'])
        .orderBy('id')
        .execute()
    ).map((r) => [r.id, r.step]),
  };
}

/** The step-result ids each gate step stores its answer under, for the workflow's ids. */
function stepResultsOf(input: CheckDraftInput, steps: Array<'contract' | 'duplicates'>) {
  const { tenantId, runId } = input.trace;
  const idOf = { contract: input.contract.contractDraftId, duplicates: input.duplicates.duplicateCheckId };
  return steps
    .map((step) => [stepResultId({ step, id: idOf[step], tenantId, runId }), step])
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** An Active catalog entry under the run's own key: a check made now would find it BLOCKING. */
function activateSameCapability(input: CheckDraftInput): Promise<void> {
  return upsertActiveEntry(
    db,
    input.trace.tenantId,
    input.duplicates.capabilityName,
    input.contract.intent.problemStatement,
  );
}

describe('checkDraft: the contract and duplicates steps in one activity', () => {
  it("commits each step's rows, events and stored result under the workflow's ids, and a retry under changed configuration and a moved catalog returns the same answer with no new rows", async () => {
    const input = await answered(`draft-${randomUUID()}`);
    const workflowRunId = randomUUID();
    const first = await attempt(1, workflowRunId, depsWith(), input);
    const rows = await rowsOf(input);

    expect(first.contract).toMatchObject({
      contractDraftId: input.contract.contractDraftId,
      validationId: input.contract.validationId,
      outcome: 'PASSED',
      version: '1.0.0',
    });
    expect(first.duplicates).toMatchObject({ duplicateCheckId: input.duplicates.duplicateCheckId, outcome: 'NONE' });
    // Duplicates ran under the contract's trace, as the workflow carries it to the step alone.
    expect(first.contract.trace).toEqual({ ...input.trace, contractValidationOutcome: 'PASSED' });
    expect(first.duplicates.trace).toEqual({ ...first.contract.trace, duplicateOutcome: 'NONE' });
    const checked = await db
      .selectFrom('telemetry_events')
      .select('fields')
      .where('id', '=', deterministicUuid(input.duplicates.duplicateCheckId, 'DUPLICATE_CHECKED'))
      .executeTakeFirstOrThrow();
    expect(checked.fields).toMatchObject({ contractValidationOutcome: 'PASSED', duplicateOutcome: 'NONE' });

    // The rows and events each step writes on its own, with the ids it would have written alone.
    expect(rows.run).toEqual([
      {
        lifecycle_state: 'Draft',
        contract_validation_outcome: 'PASSED',
        capability_version: '1.0.0',
        duplicate_outcome: 'NONE',
      },
    ]);
    expect(rows.drafts).toEqual([input.contract.contractDraftId]);
    expect(rows.validations).toEqual([input.contract.validationId]);
    expect(rows.duplicateChecks).toEqual([input.duplicates.duplicateCheckId]);
    expect(rows.telemetry).toEqual([
      [deterministicUuid(input.contract.contractDraftId, 'CONTRACT_DRAFTED'), 'CONTRACT_DRAFTED', 'contract'],
      [deterministicUuid(input.contract.validationId, 'CONTRACT_VALIDATED'), 'CONTRACT_VALIDATED', 'contract'],
      [deterministicUuid(input.duplicates.duplicateCheckId, 'DUPLICATE_CHECKED'), 'DUPLICATE_CHECKED', 'duplicates'],
    ]);
    expect(rows.stepResults).toEqual(stepResultsOf(input, ['contract', 'duplicates']));

    // A retry (the first attempt's completion was lost) after an equal capability became Active and
    // the runtime limits and thresholds changed: the stored PASSED and NONE stand.
    await activateSameCapability(input);
    const retried = await attempt(2, workflowRunId, depsWith({}, changedConfig()), input);
    expect(retried).toEqual(first);
    const after = await rowsOf(input);
    // The retry found attempt 1 left no failure and records it as lost.
    expect(after.telemetry.slice(0, 3)).toEqual(rows.telemetry);
    expect(after.telemetry.slice(3).map(([, type, step]) => [type, step])).toEqual([
      ['ACTIVITY_ATTEMPT_FAILED', 'checkDraft'],
    ]);
    expect({ ...after, telemetry: rows.telemetry }).toEqual(rows);
  });

  it('fails between the contract commit and the duplicate check, records the failed attempt, and the retry does only the check, with one set of rows', async () => {
    const input = await answered(`draft-${randomUUID()}`);
    const workflowRunId = randomUUID();
    // The database goes away once the contract has committed (its events are emitted after the
    // commit): the duplicate check's transaction cannot begin.
    let outage = false;
    const flakyDb = new Proxy(db, {
      get(target, prop) {
        if (prop === 'transaction' && outage) {
          return () => {
            throw new Error('connection reset (simulated)');
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const flaky = depsWith({
      db: flakyDb,
      telemetry: {
        emit: (e) => {
          if (e.eventType === 'CONTRACT_VALIDATED') outage = true;
        },
      },
    });
    await expect(attempt(1, workflowRunId, flaky, input)).rejects.toThrow('connection reset (simulated)');
    const partial = await rowsOf(input);
    expect(partial.drafts).toEqual([input.contract.contractDraftId]);
    expect(partial.validations).toEqual([input.contract.validationId]);
    expect(partial.duplicateChecks).toEqual([]);
    expect(partial.run).toEqual([expect.objectContaining({ lifecycle_state: 'Draft', duplicate_outcome: null })]);
    expect(partial.stepResults).toEqual(stepResultsOf(input, ['contract']));
    expect(partial.telemetry.map(([, type, step]) => [type, step])).toEqual([
      ['CONTRACT_DRAFTED', 'contract'],
      ['CONTRACT_VALIDATED', 'contract'],
      ['ACTIVITY_ATTEMPT_FAILED', 'checkDraft'],
    ]);
    // The attempt is Temporal's (checkDraft), the failure the duplicate check's: it names the step
    // and carries the trace the check ran under, with the contract's outcome.
    const [failure] = await db
      .selectFrom('telemetry_events')
      .select('fields')
      .where('tenant_id', '=', input.trace.tenantId)
      .where('run_id', '=', input.trace.runId)
      .where('event_type', '=', 'ACTIVITY_ATTEMPT_FAILED')
      .execute();
    expect(failure!.fields).toMatchObject({
      attempt: 1,
      contractValidationOutcome: 'PASSED',
      error: { message: 'connection reset (simulated)' },
      details: { willRetry: true, failedStep: 'duplicates' },
    });

    // Temporal retries after the outage, under changed configuration: the stored contract stands
    // and only the check runs.
    outage = false;
    const retried = await attempt(2, workflowRunId, depsWith({}, changedConfig()), input);
    expect(retried.contract).toMatchObject({ contractDraftId: input.contract.contractDraftId, outcome: 'PASSED' });
    expect(retried.duplicates).toMatchObject({ duplicateCheckId: input.duplicates.duplicateCheckId, outcome: 'NONE' });
    expect(retried.duplicates.trace).toEqual({ ...retried.contract.trace, duplicateOutcome: 'NONE' });
    const rows = await rowsOf(input);
    expect(rows.drafts).toEqual([input.contract.contractDraftId]);
    expect(rows.validations).toEqual([input.contract.validationId]);
    expect(rows.duplicateChecks).toEqual([input.duplicates.duplicateCheckId]);
    expect(rows.run).toEqual([expect.objectContaining({ lifecycle_state: 'Draft', duplicate_outcome: 'NONE' })]);
    expect(rows.stepResults).toEqual(stepResultsOf(input, ['contract', 'duplicates']));
    expect(rows.telemetry.map(([, type]) => type)).toEqual([
      'CONTRACT_DRAFTED',
      'CONTRACT_VALIDATED',
      'ACTIVITY_ATTEMPT_FAILED',
      'DUPLICATE_CHECKED',
    ]);

    // Once more (a lost completion): the same answer, nothing new but attempt 2's loss on the record.
    expect(await attempt(3, workflowRunId, depsWith(), input)).toEqual(retried);
    const again = await rowsOf(input);
    expect({ ...again, telemetry: rows.telemetry }).toEqual(rows);
    expect(again.telemetry.slice(4).map(([, type, step]) => [type, step])).toEqual([
      ['ACTIVITY_ATTEMPT_FAILED', 'checkDraft'],
    ]);
  });
});
