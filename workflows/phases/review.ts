import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { FrozenSnapshot } from '../../activities/snapshot';
import { STATUS_FOR_STATE } from '../../domain/lifecycle';
import { GenerationStatusKey } from '../search-attributes';
import { refusePromotion, type Inbox } from './inbox';
import { persistence, setStatus, step, traceOf, type Run } from './run';

/** Failure types of a promotion the database refused (`activities/governance.ts` PROMOTION_REFUSAL). */
const PROMOTION_REFUSAL_TYPES = [
  'Promotion:ActivationConflict',
  'Promotion:DefinitionMismatch',
  'Promotion:DevelopmentRuntime',
  'Promotion:AcceptedBreakExpired',
];

/**
 * The refusal message when `err` is a promotion the database refused. Interceptors may hand the
 * activity's ApplicationFailure over as it is or wrapped in an ActivityFailure: both are read.
 */
function promotionRefusalOf(err: unknown): string | null {
  const candidates = [err, err instanceof ActivityFailure ? err.cause : (err as { cause?: unknown } | null)?.cause];
  for (const c of candidates) {
    if (c instanceof ApplicationFailure && PROMOTION_REFUSAL_TYPES.includes(c.type ?? '')) return c.message;
  }
  return null;
}

/** Review: reviewers promote one step at a time until Active or the review window closes. */
export async function review(run: Run, inbox: Inbox, snapshot: FrozenSnapshot): Promise<void> {
  const { input, state } = run;
  while (state.lifecycleState !== 'Active') {
    const got = await condition(() => inbox.promotions.length > 0, snapshot.reviewWindowMs);
    if (!got) {
      log.info('review window closed', { runId: input.runId, lifecycleState: state.lifecycleState });
      // Every wait ends on the record: runs recorded before this ended silently in their state.
      if (patched('expire-on-window-close')) {
        await setStatus(run, 'EXPIRED', `review window closed in ${state.lifecycleState ?? 'no state'}`, true);
      }
      break;
    }
    const { id, request } = inbox.promotions.shift()!;
    const from = state.lifecycleState!;
    try {
      // State may have moved since the validator ran. Four eyes on every step is patched in: runs
      // recorded before it let the requester move Draft → Review.
      refusePromotion(run, request, from, patched('four-eyes-every-promotion'));
    } catch (refusal) {
      inbox.promotionResults.set(id, { refused: (refusal as Error).message });
      continue;
    }
    const promotionId = uuid4();
    const decisionId = uuid4();
    try {
      await persistence.recordPromotion({
        promotionId,
        governanceDecisionId: decisionId,
        contractDraftId: state.contractDraftId!,
        fromState: from,
        request,
        trace: traceOf(run),
      });
    } catch (err) {
      // The database refused it (a racing activation, a definition that differs from the approved
      // one): the refusal is recorded by the activity; the run keeps its state and may try again.
      const refusal = promotionRefusalOf(err);
      if (refusal) {
        inbox.promotionResults.set(id, { refused: refusal });
        continue;
      }
      throw err;
    }
    state.lifecycleState = request.targetState;
    state.status = STATUS_FOR_STATE[request.targetState];
    upsertSearchAttributes([{ key: GenerationStatusKey, value: state.status }]);
    step(run, `promote:${request.targetState}`);
    inbox.promotionResults.set(id, {
      promotionId,
      governanceDecisionId: decisionId,
      fromState: from,
      toState: request.targetState,
      status: state.status,
    });
  }
}
