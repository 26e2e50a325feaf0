import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AcceptBreakRequest } from '../domain/contracts/accepted-break';
import type { AdjudicationRequest, PromotionRequest, PromotionResult, RunState } from '../domain/types';

/** Every message of the generation workflow, defined once. Wire names never change. */

/** Live state of a run, for operators and for the API in the moment before rows exist. */
export const runStateQuery = defineQuery<RunState>('runState');

/** A reviewer's verdict on a POTENTIAL duplicate; the audit comment is mandatory. */
export const adjudicateDuplicateUpdate = defineUpdate<RunState, [AdjudicationRequest]>('adjudicateDuplicate');

/** Move the generated contract one lifecycle step: Draft → Review → Approved → Active. */
export const promoteUpdate = defineUpdate<PromotionResult, [PromotionRequest]>('promote');

/**
 * A reviewer accepts the breaking changes of a revision (rule ids, reason, owner, expiry): recorded
 * as an ACCEPTED_BREAK governance decision; the version takes a major bump and the run goes on.
 */
export const acceptBreakUpdate = defineUpdate<RunState, [AcceptBreakRequest]>('acceptBreak');
