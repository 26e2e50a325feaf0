import type { ActivityOptions } from '@temporalio/workflow';

/**
 * One named preset per kind of step, each with its reason. Every failed attempt is visible: the
 * model step records each attempt itself, and the worker's interceptor logs every other one.
 */

/** Idempotent writes keyed by workflow-made ids: retrying is always safe, so retry generously. */
export const persistenceStep: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['UnknownTemplateError', 'TemplateDriftError', 'PromptBudgetError', 'PromptSlotError'],
  },
};

export const MODEL_CALL_MAX_ATTEMPTS = 3;

/**
 * A model call costs money and time: a few attempts per provider for transient faults, then the
 * workflow falls back to the next provider. Permanent faults skip straight to the fallback.
 */
export const modelCallStep: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '20 seconds',
    maximumAttempts: MODEL_CALL_MAX_ATTEMPTS,
    nonRetryableErrorTypes: ['Model:AuthFailed', 'Model:BadRequest', 'Model:InvalidOutput', 'Model:RuntimeUnavailable'],
  },
};
