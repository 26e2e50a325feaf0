import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { GenerationActivities } from '../activities';
import type { CallModelResult } from '../activities/model-call';
import type { FrozenSnapshot } from '../activities/snapshot';
import type { TraceContext } from '../activities/telemetry/event';
import { MODEL_CALL_MAX_ATTEMPTS, modelCallStep, persistenceStep } from './activity-options';
import { adjudicationRefusal, promotionRefusal, STATUS_FOR_STATE } from './lifecycle';
import { adjudicateDuplicateUpdate, promoteUpdate, runStateQuery } from './messages';
import { CapabilityKeyKey, DuplicateOutcomeKey, GenerationStatusKey } from './search-attributes';
import type {
  AdjudicationRequest,
  GenerationRunInput,
  PromotionRequest,
  PromotionResult,
  RunState,
  RunStatus,
} from './types';

const persistence = proxyActivities<GenerationActivities>(persistenceStep);
const model = proxyActivities<Pick<GenerationActivities, 'callModel'>>(modelCallStep);

/**
 * One governed generation run, the canonical lifecycle as a single function:
 * request → authority → snapshot → prompt → model (with fallback) → contract → duplicates →
 * policy gate → (adjudication) → Draft, then Review → Approved → Active by reviewers' updates.
 */
export async function generationRun(input: GenerationRunInput): Promise<RunState> {
  const state: RunState = {
    runId: input.runId,
    tenantId: input.tenantId,
    status: 'REQUESTED',
    lifecycleState: null,
    capabilityKey: '',
    governanceDecisionId: null,
    executionSnapshotId: null,
    runtime: null,
    fallbacks: [],
    duplicateOutcome: null,
    contractValidationOutcome: null,
    contractDraftId: null,
    failureReason: null,
    steps: [],
  };
  let trace: TraceContext | null = null;

  // Reviewer messages: handlers only queue; the main flow decides and records, one at a time.
  let adjudication: AdjudicationRequest | null = null;
  let adjudicationRecorded = false;
  const promotions: Array<{ id: string; request: PromotionRequest }> = [];
  const promotionResults = new Map<string, PromotionResult | { refused: string }>();

  setHandler(runStateQuery, () => state);
  setHandler(
    adjudicateDuplicateUpdate,
    async (request) => {
      adjudication = request;
      await condition(() => adjudicationRecorded);
      return state;
    },
    {
      validator: (request) => {
        const refusal = adjudicationRefusal(state.status, request.reviewer, input.tenantId, request.comment);
        if (refusal) throw new Error(refusal);
        if (adjudication !== null) throw new Error('an adjudication for this run is already being recorded');
      },
    },
  );
  setHandler(
    promoteUpdate,
    async (request) => {
      const id = uuid4();
      promotions.push({ id, request });
      await condition(() => promotionResults.has(id));
      const result = promotionResults.get(id)!;
      if ('refused' in result) throw ApplicationFailure.nonRetryable(result.refused, 'Promotion:Refused');
      return result;
    },
    { validator: (request) => refusePromotion(request, state.lifecycleState) },
  );

  function refusePromotion(request: PromotionRequest, current: RunState['lifecycleState']): void {
    const refusal = promotionRefusal({
      current,
      target: request.targetState,
      status: state.status,
      reviewer: request.reviewer,
      requestedBy: input.principal,
      tenantId: input.tenantId,
      contractValidationPassed: state.contractValidationOutcome === 'PASSED',
    });
    if (refusal) throw new Error(refusal);
  }

  function step(name: string): void {
    state.steps.push(name);
  }

  async function setStatus(
    status: RunStatus,
    reason: string | null,
    terminal: boolean,
    error: { type: string; message: string } | null = null,
  ) {
    state.status = status;
    state.failureReason = reason;
    upsertSearchAttributes([{ key: GenerationStatusKey, value: status }]);
    await persistence.recordRunStatus({ eventId: uuid4(), status, reason, terminal, error, trace: trace! });
  }

  try {
    const requested = await persistence.recordRunRequested(input);
    trace = requested.trace;
    state.capabilityKey = requested.capabilityKey;
    upsertSearchAttributes([{ key: CapabilityKeyKey, value: requested.capabilityKey }]);
    step('request');

    // Authority: the server's decision, recorded either way.
    const governanceDecisionId = uuid4();
    const authority = await persistence.resolveAuthority({ run: input, governanceDecisionId, trace });
    trace = {
      ...trace,
      authority: {
        ...trace.authority,
        decision: authority.decision,
        governanceDecisionId,
        policyVersion: authority.policyVersion,
      },
    };
    state.governanceDecisionId = governanceDecisionId;
    step('authority');
    if (authority.decision === 'DENY') {
      state.status = 'DENIED';
      state.failureReason = authority.reason;
      upsertSearchAttributes([{ key: GenerationStatusKey, value: 'DENIED' }]);
      log.info('generation run denied', { runId: input.runId, reasonCode: authority.reasonCode });
      return state;
    }
    state.status = 'RUNNING';
    upsertSearchAttributes([{ key: GenerationStatusKey, value: 'RUNNING' }]);

    // Snapshot: the immutable trace root; everything below reads its frozen values.
    const snapshot: FrozenSnapshot = await persistence.freezeSnapshot({
      run: input,
      authority,
      executionSnapshotId: uuid4(),
      trace,
    });
    trace = { ...trace, executionSnapshotId: snapshot.executionSnapshotId, promptTemplate: snapshot.promptTemplate };
    state.executionSnapshotId = snapshot.executionSnapshotId;
    step('snapshot');

    const prompt = await persistence.assemblePrompt({
      run: input,
      promptRunId: uuid4(),
      template: snapshot.promptTemplate,
      allowedRuntimes: snapshot.allowedRuntimes,
      primaryRuntime: snapshot.providerChain[0]!,
      emitPromptHashes: snapshot.emitPromptHashes,
      trace,
    });
    step('prompt');

    // Model: walk the frozen provider chain; each switch is a recorded fallback decision.
    let completion: CallModelResult | null = null;
    const chain = snapshot.providerChain;
    for (let i = 0; i < chain.length && completion === null; i++) {
      const runtime = chain[i]!;
      try {
        completion = await model.callModel({
          runtime,
          promptRunId: prompt.promptRunId,
          messages: prompt.messages,
          intent: input.intent,
          maxAttempts: MODEL_CALL_MAX_ATTEMPTS,
          trace: { ...trace, runtime },
        });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const next = chain[i + 1] ?? null;
        const failureType = failureTypeOf(err);
        const reason = `${runtime.provider}/${runtime.model} failed (${failureType}): ${err.cause?.message ?? err.message}`;
        const fallback = { fromProvider: runtime.provider, toProvider: next?.provider ?? null, reason, failureType };
        state.fallbacks.push(fallback);
        if (next) trace = { ...trace, fallback: { used: true, reason } };
        await persistence.recordFallback({ eventId: uuid4(), fallback, trace });
      }
    }
    if (completion === null) {
      const last = state.fallbacks[state.fallbacks.length - 1];
      await setStatus('FAILED', `every model provider failed; last: ${last?.reason ?? 'unknown'}`, true, {
        type: last?.failureType ?? 'Model:ChainExhausted',
        message: 'model provider chain exhausted',
      });
      return state;
    }
    state.runtime = completion.runtime;
    trace = { ...trace, runtime: completion.runtime };
    step('model');

    // Conformance gates: contract, then duplicates; both are recorded before the policy decides.
    const contract = await persistence.generateContract({
      contractDraftId: uuid4(),
      validationId: uuid4(),
      intent: input.intent,
      candidate: completion.candidate,
      runtime: completion.runtime,
      promptHash: prompt.promptHash,
      allowedRuntimes: snapshot.allowedRuntimes,
      strictMode: snapshot.strictMode,
      trace,
    });
    state.contractDraftId = contract.contractDraftId;
    state.contractValidationOutcome = contract.outcome;
    state.lifecycleState = 'Draft';
    trace = { ...trace, contractValidationOutcome: contract.outcome };
    step('contract');

    const duplicates = await persistence.checkDuplicates({
      duplicateCheckId: uuid4(),
      capabilityName: input.intent.name,
      thresholds: snapshot.duplicateThresholds,
      trace,
    });
    const duplicateCheckId = duplicates.duplicateCheckId;
    state.duplicateOutcome = duplicates.outcome;
    trace = { ...trace, duplicateOutcome: duplicates.outcome };
    upsertSearchAttributes([{ key: DuplicateOutcomeKey, value: duplicates.outcome }]);
    step('duplicates');

    // Policy gate: BLOCKING never reaches Review; a failed contract is not promotable.
    const blockers: string[] = [];
    if (duplicates.outcome === 'BLOCKING') {
      blockers.push(`blocking duplicate: ${duplicates.findings[0]?.rationale ?? 'identity collision'}`);
    }
    if (contract.outcome === 'FAILED') blockers.push(`contract validation failed: ${contract.failedGates.join(', ')}`);
    if (blockers.length > 0) {
      await setStatus('BLOCKED', blockers.join('; '), true);
      step('policy');
      return state;
    }

    if (duplicates.outcome === 'POTENTIAL') {
      await setStatus('AWAITING_ADJUDICATION', 'potential duplicate: a reviewer must adjudicate', false);
      const decided = await condition(() => adjudication !== null, snapshot.adjudicationWindowMs);
      if (!decided || adjudication === null) {
        await setStatus('REJECTED', 'no adjudication within the adjudication window', true);
        return state;
      }
      const request: AdjudicationRequest = adjudication;
      await persistence.recordAdjudication({ governanceDecisionId: uuid4(), duplicateCheckId, request, trace });
      step('adjudication');
      if (request.decision === 'REJECT') {
        await setStatus('REJECTED', `duplicate confirmed by ${request.reviewer.subject}: ${request.comment}`, true);
        adjudicationRecorded = true;
        return state;
      }
      await setStatus('DRAFT', null, false);
      adjudicationRecorded = true;
    } else {
      await setStatus('DRAFT', null, false);
    }
    step('policy');

    // Review: reviewers promote one step at a time until Active or the review window closes.
    while (state.lifecycleState !== 'Active') {
      const got = await condition(() => promotions.length > 0, snapshot.reviewWindowMs);
      if (!got) {
        log.info('review window closed', { runId: input.runId, lifecycleState: state.lifecycleState });
        break;
      }
      const { id, request } = promotions.shift()!;
      const from = state.lifecycleState!;
      try {
        refusePromotion(request, from); // state may have moved since the validator ran
      } catch (refusal) {
        promotionResults.set(id, { refused: (refusal as Error).message });
        continue;
      }
      const promotionId = uuid4();
      const decisionId = uuid4();
      await persistence.recordPromotion({
        promotionId,
        governanceDecisionId: decisionId,
        contractDraftId: state.contractDraftId!,
        fromState: from,
        request,
        trace,
      });
      state.lifecycleState = request.targetState;
      state.status = STATUS_FOR_STATE[request.targetState];
      upsertSearchAttributes([{ key: GenerationStatusKey, value: state.status }]);
      step(`promote:${request.targetState}`);
      promotionResults.set(id, {
        promotionId,
        governanceDecisionId: decisionId,
        fromState: from,
        toState: request.targetState,
        status: state.status,
      });
    }
    await condition(allHandlersFinished);
    return state;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => failRun('cancelled by an operator', 'Run:Cancelled'));
      throw err;
    }
    const type =
      err instanceof ActivityFailure
        ? failureTypeOf(err)
        : err instanceof ApplicationFailure
          ? (err.type ?? 'Workflow:Error')
          : 'Workflow:Error';
    const message =
      err instanceof ActivityFailure
        ? (err.cause?.message ?? err.message)
        : err instanceof Error
          ? err.message
          : String(err);
    await failRun(`${type}: ${message}`, type);
    return state;
  }

  async function failRun(reason: string, type: string): Promise<void> {
    state.status = 'FAILED';
    state.failureReason = reason;
    upsertSearchAttributes([{ key: GenerationStatusKey, value: 'FAILED' }]);
    if (trace) {
      await persistence.recordRunStatus({
        eventId: uuid4(),
        status: 'FAILED',
        reason,
        terminal: true,
        error: { type, message: reason },
        trace,
      });
    }
    log.warn('generation run failed', { runId: input.runId, reason });
  }
}

function failureTypeOf(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'Activity:Error';
  if (cause instanceof TimeoutFailure) return `Activity:Timeout:${cause.timeoutType}`;
  return cause?.name ?? 'Activity:Error';
}
