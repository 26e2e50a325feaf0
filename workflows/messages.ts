import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AdjudicationRequest, PromotionRequest, PromotionResult, RunState } from './types';

/** Every message of the generation workflow, defined once. Wire names never change. */

/** Live state of a run, for operators and for the API in the moment before rows exist. */
export const runStateQuery = defineQuery<RunState>('runState');

/** A reviewer's verdict on a POTENTIAL duplicate; the audit comment is mandatory. */
export const adjudicateDuplicateUpdate = defineUpdate<RunState, [AdjudicationRequest]>('adjudicateDuplicate');

/** Move the generated contract one lifecycle step: Draft → Review → Approved → Active. */
export const promoteUpdate = defineUpdate<PromotionResult, [PromotionRequest]>('promote');
