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
  /** A human window (adjudication, accepted break, review) closed with nobody acting: terminal. */
  'EXPIRED',
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
  /** The token's issuer; with `subject` it is the canonical identity (domain/principal.ts). */
  issuer?: string;
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
  /**
   * The capability key this run proposes the next version of (an Active capability of the tenant),
   * or null/absent for a new capability. Absent on runs recorded before revisions existed.
   */
  revisionOf?: string | null;
  /** What the API redacted from the intent at the edge, by kind (counts only, never the text). */
  redactions?: Array<{ kind: string; count: number }>;
}

export interface RuntimeIdentity {
  provider: string;
  model: string;
  /**
   * `development` for runtimes that are not a real model service (the local one): their drafts are
   * marked as such and in production cannot be promoted past Review. Absent on runs recorded
   * before runtimes were classed.
   */
  runtimeClass?: 'production' | 'development';
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
  /** The semver version the server decided for the draft (absent before revisions existed). */
  capabilityVersion?: string | null;
  /** Rule ids of a breaking revision waiting for (or covered by) an accepted break. */
  breakingRules?: string[];
}

export type AdjudicationDecision = 'ACCEPT' | 'REJECT';

/** The API's signature over a reviewer decision (lib/decision-signing.ts); the workflow verifies it. */
export interface DecisionSignature {
  v: 1;
  runId: string;
  action: 'promote' | 'adjudicate' | 'accept-break';
  expiresAtUtc: string;
  /** HMAC-SHA256 (base64url) over the run, action, expiry and every other field of the request. */
  mac: string;
}

export interface AdjudicationRequest {
  decision: AdjudicationDecision;
  comment: string;
  reviewer: Principal;
  correlationId: string;
  /** Absent only in histories recorded before decisions were signed. */
  signature?: DecisionSignature;
}

export interface PromotionRequest {
  targetState: LifecycleState;
  comment: string | null;
  reviewer: Principal;
  correlationId: string;
  /** Absent only in histories recorded before decisions were signed. */
  signature?: DecisionSignature;
}

export interface PromotionResult {
  promotionId: string;
  governanceDecisionId: string;
  fromState: LifecycleState;
  toState: LifecycleState;
  status: RunStatus;
}
