/**
 * Plain JSON shapes shared by the workflow, its activities, the API and the tests.
 * Types and constants only: this file is bundled into the deterministic workflow sandbox.
 */

export const LIFECYCLE_STATES = ['Draft', 'Review', 'Approved', 'Active'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export const RUN_STATUSES = [
  'REQUESTED',
  'RUNNING',
  'DENIED',
  'FAILED',
  'BLOCKED',
  'AWAITING_ADJUDICATION',
  'REJECTED',
  'DRAFT',
  'REVIEW',
  'APPROVED',
  'ACTIVE',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const DUPLICATE_OUTCOMES = ['NONE', 'POTENTIAL', 'BLOCKING'] as const;
export type DuplicateOutcome = (typeof DUPLICATE_OUTCOMES)[number];

export type ContractValidationOutcome = 'PASSED' | 'FAILED';

/** Who is asking, as the server verified it (from a signed token): never from a request body. */
export interface Principal {
  subject: string;
  tenantId: string;
  roles: string[];
}

/** What an admin asks for: intent only; authority, runtime and template are resolved server-side. */
export interface GenerationIntent {
  name: string;
  problemStatement: string;
  /** Language of the generated capability's implementation, e.g. "typescript". */
  language: string;
  /** Execution runtime the capability targets, e.g. "node20"; must be admitted by configuration. */
  targetRuntime: string;
  /** Optional JSON Schema for the capability's input that the contract should start from. */
  seedInputSchema: Record<string, unknown> | null;
  examples: string[];
}

export interface GenerationRunInput {
  runId: string;
  tenantId: string;
  correlationId: string;
  principal: Principal;
  intent: GenerationIntent;
  requestedAtUtc: string;
}

export interface RuntimeIdentity {
  provider: string;
  model: string;
}

export interface FallbackRecord {
  fromProvider: string;
  toProvider: string | null;
  reason: string;
  failureType: string;
}

export interface RunState {
  runId: string;
  tenantId: string;
  status: RunStatus;
  lifecycleState: LifecycleState | null;
  capabilityKey: string;
  governanceDecisionId: string | null;
  executionSnapshotId: string | null;
  runtime: RuntimeIdentity | null;
  fallbacks: FallbackRecord[];
  duplicateOutcome: DuplicateOutcome | null;
  contractValidationOutcome: ContractValidationOutcome | null;
  contractDraftId: string | null;
  failureReason: string | null;
  /** Steps completed so far, in order: live progress for operators. */
  steps: string[];
}

export type AdjudicationDecision = 'ACCEPT' | 'REJECT';

export interface AdjudicationRequest {
  decision: AdjudicationDecision;
  comment: string;
  reviewer: Principal;
  correlationId: string;
}

export interface PromotionRequest {
  targetState: LifecycleState;
  comment: string | null;
  reviewer: Principal;
  correlationId: string;
}

export interface PromotionResult {
  promotionId: string;
  governanceDecisionId: string;
  fromState: LifecycleState;
  toState: LifecycleState;
  status: RunStatus;
}
