import { ApplicationFailure, condition, patched, setHandler, uuid4 } from '@temporalio/workflow';
import { adjudicationRefusal, promotionRefusal } from '../../domain/lifecycle';
import type { AdjudicationRequest, PromotionRequest, PromotionResult, RunState } from '../../domain/types';
import { acceptBreakRefusal, type AcceptBreakRequest } from '../../domain/contracts/accepted-break';
import { acceptBreakUpdate, adjudicateDuplicateUpdate, promoteUpdate, runStateQuery } from '../messages';
import { persistence, traceOf, type Run } from './run';

/**
 * Reviewer messages. Handlers only validate and queue; the main flow decides and records, one at a
 * time, then answers the waiting update through this inbox.
 */
export interface Inbox {
  adjudication: AdjudicationRequest | null;
  adjudicationRecorded: boolean;
  promotions: Array<{ id: string; request: PromotionRequest }>;
  promotionResults: Map<string, PromotionResult | { refused: string }>;
  /** A reviewer's accepted break of a breaking revision, queued for the main flow (issue 6). */
  acceptedBreak: AcceptBreakRequest | null;
  acceptedBreakRecorded: boolean;
  /** True while the run waits for an accepted break; the validator refuses it otherwise. */
  awaitingAcceptedBreak: boolean;
}

export function openInbox(run: Run): Inbox {
  const inbox: Inbox = {
    adjudication: null,
    adjudicationRecorded: false,
    promotions: [],
    promotionResults: new Map(),
    acceptedBreak: null,
    acceptedBreakRecorded: false,
    awaitingAcceptedBreak: false,
  };
  const { state, input } = run;

  let verifyingAdjudication = false;

  setHandler(runStateQuery, () => state);
  setHandler(
    adjudicateDuplicateUpdate,
    async (request) => {
      verifyingAdjudication = true;
      try {
        await verifySignedDecision(run, 'adjudicate', request);
      } finally {
        verifyingAdjudication = false;
      }
      inbox.adjudication = request;
      await condition(() => inbox.adjudicationRecorded);
      return state;
    },
    {
      validator: (request) => {
        const refusal = adjudicationRefusal(
          state.status,
          request.reviewer,
          input.tenantId,
          request.comment,
          // Validators never run on replay, so the stricter four-eyes rule needs no patch here.
          input.principal,
        );
        if (refusal) throw new Error(refusal);
        if (inbox.adjudication !== null || verifyingAdjudication) {
          throw new Error('an adjudication for this run is already being recorded');
        }
      },
    },
  );
  setHandler(
    promoteUpdate,
    async (request) => {
      await verifySignedDecision(run, 'promote', request);
      const id = uuid4();
      inbox.promotions.push({ id, request });
      await condition(() => inbox.promotionResults.has(id));
      const result = inbox.promotionResults.get(id)!;
      if ('refused' in result) throw ApplicationFailure.nonRetryable(result.refused, 'Promotion:Refused');
      return result;
    },
    { validator: (request) => refusePromotion(run, request, state.lifecycleState) },
  );
  setHandler(
    acceptBreakUpdate,
    async (request) => {
      await verifySignedDecision(run, 'accept-break', request);
      inbox.acceptedBreak = request;
      await condition(() => inbox.acceptedBreakRecorded);
      return state;
    },
    {
      validator: (request) => {
        const refusal = acceptBreakRefusal(request, {
          tenantId: input.tenantId,
          requestedBy: input.principal,
          breakingRules: state.breakingRules ?? [],
          awaitingDecision: inbox.awaitingAcceptedBreak,
          nowUtc: new Date().toISOString(),
        });
        if (refusal) throw new Error(refusal);
        if (inbox.acceptedBreak !== null) throw new Error('an accepted break for this run is already being recorded');
      },
    },
  );
  return inbox;
}

/**
 * No side doors: a reviewer decision must carry the API's signature (lib/decision-signing.ts), or
 * it is refused before anything about it is recorded but the refusal itself (the verifying activity
 * writes a DECISION_REFUSED event). Patched in: updates in older histories were never signed.
 */
async function verifySignedDecision(
  run: Run,
  action: 'promote' | 'adjudicate' | 'accept-break',
  request: PromotionRequest | AdjudicationRequest | AcceptBreakRequest,
): Promise<void> {
  if (!patched('signed-decisions')) return;
  const verdict = await persistence.verifyDecision({ checkId: uuid4(), action, request, trace: traceOf(run) });
  if (!verdict.ok) throw ApplicationFailure.nonRetryable(`decision refused: ${verdict.reason}`, 'Decision:Refused');
}

/** Throws the refusal when `request` may not move the contract from `current`. */
export function refusePromotion(
  run: Run,
  request: PromotionRequest,
  current: RunState['lifecycleState'],
  /** The main flow passes `patched('four-eyes-every-promotion')`; validators never run on replay. */
  fourEyesOnEveryStep = true,
): void {
  const refusal = promotionRefusal({
    current,
    target: request.targetState,
    status: run.state.status,
    reviewer: request.reviewer,
    requestedBy: run.input.principal,
    tenantId: run.input.tenantId,
    contractValidationPassed: run.state.contractValidationOutcome === 'PASSED',
    fourEyesOnEveryStep,
  });
  if (refusal) throw new Error(refusal);
}
