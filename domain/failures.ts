/**
 * Failure types, declared once: activities throw them, the workflow's retry presets and fallback
 * branch on them. Types are namespaced (`Area:Reason`); the workflow never reads message text.
 * Imported by both `activities/` and `workflows/` (this file is types and constants only).
 */

/**
 * Permanent faults of a lifecycle step: retrying the same input cannot succeed, so they are thrown
 * as non-retryable `ApplicationFailure`s and fail the step on its first attempt.
 */
export const STEP_FAILURE = {
  /** The frozen template id/version names no template this worker knows. */
  unknownTemplate: 'Prompt:UnknownTemplate',
  /** The template registered in the database differs from this worker's copy of it. */
  templateDrift: 'Prompt:TemplateDrift',
  /** The assembled prompt does not fit the template's token budget. */
  promptBudget: 'Prompt:BudgetExceeded',
  /** The template uses a slot it does not declare, or a slot has no value. */
  promptSlot: 'Prompt:UnboundSlot',
  /** A configured model provider has no adapter registered on this worker. */
  adapterMissing: 'Snapshot:AdapterMissing',
  /** The draft a promotion names does not exist (for this tenant). */
  draftMissing: 'Promotion:DraftMissing',
  /** An evidence row would be written before its snapshot and governance decision exist. */
  evidenceUnlinked: 'Evidence:Unlinked',
  /** The capability name yields no capability key. */
  invalidCapabilityName: 'Intake:InvalidCapabilityName',
} as const;
export type StepFailureType = (typeof STEP_FAILURE)[keyof typeof STEP_FAILURE];

/** Every permanent step failure: the persistence presets list these as non-retryable. */
export const NON_RETRYABLE_STEP_FAILURES: readonly StepFailureType[] = Object.values(STEP_FAILURE);

/**
 * Domain errors (thrown by pure code in `domain/`, which knows nothing of Temporal) and the
 * namespaced type each one fails its activity with. The worker's activity interceptor translates.
 */
export const DOMAIN_ERROR_TYPES: Readonly<Record<string, StepFailureType>> = {
  UnknownTemplateError: STEP_FAILURE.unknownTemplate,
  TemplateDriftError: STEP_FAILURE.templateDrift,
  PromptBudgetError: STEP_FAILURE.promptBudget,
  PromptSlotError: STEP_FAILURE.promptSlot,
};

/** A permanent step fault raised by our own code, typed so the interceptor fails it at once. */
export class StepError extends Error {
  override name = 'StepError';
  constructor(
    readonly type: StepFailureType,
    message: string,
  ) {
    super(message);
  }
}

/** Failures the workflow itself raises or records (not thrown by activities). */
export const RUN_FAILURE = {
  cancelled: 'Run:Cancelled',
  chainExhausted: 'Model:ChainExhausted',
  workflowError: 'Workflow:Error',
  /** A crash or a timeout ended an attempt before it could record itself; its retry records it. */
  attemptLost: 'Activity:AttemptLost',
  /** Recording the run's failure did not succeed within its (hours-long) schedule-to-close. */
  failureUnrecorded: 'Run:FailureUnrecorded',
} as const;

/** Failure types are namespaced; the workflow's retry policy and fallback branch on them. */
export const MODEL_FAILURE = {
  rateLimited: 'Model:RateLimited',
  unavailable: 'Model:Unavailable',
  timeout: 'Model:Timeout',
  authFailed: 'Model:AuthFailed',
  badRequest: 'Model:BadRequest',
  invalidOutput: 'Model:InvalidOutput',
  /** The runtime frozen in the snapshot has no adapter on this worker. */
  runtimeUnavailable: 'Model:RuntimeUnavailable',
} as const;
export type ModelFailureType = (typeof MODEL_FAILURE)[keyof typeof MODEL_FAILURE];

/** Retrying the same provider cannot help these; the workflow falls back at once. */
export const NON_RETRYABLE_MODEL_FAILURES: readonly ModelFailureType[] = [
  MODEL_FAILURE.authFailed,
  MODEL_FAILURE.badRequest,
  MODEL_FAILURE.invalidOutput,
  MODEL_FAILURE.runtimeUnavailable,
];

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly type: ModelFailureType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return !NON_RETRYABLE_MODEL_FAILURES.includes(this.type);
  }
}
