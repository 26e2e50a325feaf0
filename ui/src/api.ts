/**
 * The admin API over HTTP: the only thing the UI talks to. Every request carries the bearer token;
 * every change carries a fresh correlation id. Errors arrive as problem+json and are surfaced with
 * their `detail`, so a reviewer reads the server's own explanation.
 */

export const API_BASE = '/api/admin/ai-generation';

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  correlationId?: string | null;
  invalidFields?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

/** An endpoint this server does not offer (yet): panels say "not available" instead of failing. */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 501);
}

function correlationId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `ui-${Date.now()}-${Math.random()}`;
}

export async function request<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-correlation-id'] = correlationId();
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError({ status: 0, title: 'Network error', detail: err instanceof Error ? err.message : String(err) });
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const p = (parsed && typeof parsed === 'object' ? parsed : {}) as Partial<Problem>;
    throw new ApiError({ ...p, status: res.status, title: p.title ?? res.statusText, detail: p.detail ?? text });
  }
  return parsed as T;
}

/** Shapes of the API's responses (api/presenters.ts), as far as the UI reads them. */

export interface RuntimeIdentity {
  provider: string;
  model: string;
}

export interface Fallback {
  fromProvider: string | null;
  toProvider: string | null;
  reason: string | null;
  failureType: string | null;
  occurredAtUtc: string | null;
}

export interface TelemetryItem {
  id: string;
  eventType: string;
  step: string;
  outcome: string;
  executionSnapshotId: string | null;
  occurredAtUtc: string | null;
  fields: {
    attempt?: number | null;
    error?: { type: string; message: string } | null;
    fallback?: { used: boolean; reason: string | null };
    runtimeIdentity?: RuntimeIdentity | null;
    details?: Record<string, unknown>;
    [k: string]: unknown;
  };
}

export interface RunDetail {
  runId: string;
  tenantId?: string;
  correlationId?: string;
  workflowId?: string;
  executionSnapshotId: string | null;
  status: string;
  lifecycleState?: string | null;
  capabilityKey?: string;
  capabilityName?: string;
  language?: string;
  targetRuntime?: string;
  requestedBy?: string;
  authority?: {
    decision: string;
    reasonCode: string | null;
    reason: string | null;
    subject: string | null;
    policyVersion: string | null;
    governanceDecisionId: string;
    decidedAtUtc: string | null;
  } | null;
  runtime?: RuntimeIdentity | null;
  fallbackUsed?: boolean;
  fallbacks?: Fallback[];
  duplicateOutcome?: string | null;
  contractValidationOutcome?: string | null;
  failureReason?: string | null;
  createdAtUtc?: string | null;
  updatedAtUtc?: string | null;
  completedAtUtc?: string | null;
  governanceDecisions?: Array<{
    id: string;
    kind: string;
    decision: string;
    reasonCode: string | null;
    reason: string | null;
    subject: string | null;
    decidedAtUtc: string | null;
  }>;
  telemetry?: TelemetryItem[];
  /** Present while Temporal knows the run but PostgreSQL has no row yet. */
  pending?: boolean;
  steps?: string[];
}

export interface LedgerItem {
  runId: string;
  executionSnapshotId: string | null;
  status: string;
  lifecycleState: string | null;
  capabilityKey: string;
  capabilityName?: string;
  requestedBy: string;
  authorityDecisionId: string | null;
  authorityDecision?: string | null;
  runtime: RuntimeIdentity | null;
  fallbackUsed: boolean;
  duplicateOutcome: string | null;
  contractValidationOutcome: string | null;
  createdAtUtc: string;
}

export interface LedgerPage {
  items: LedgerItem[];
  nextCursor: string | null;
}

export interface DuplicateMatch {
  id: string;
  capabilityId: string | null;
  capabilityKey: string | null;
  dimension: string;
  score: number;
  tier: string;
  rationale: string;
  verdict?: string | null;
  [k: string]: unknown;
}

export interface DuplicateCheck {
  id: string;
  outcome: string;
  strategies: unknown;
  thresholds: unknown;
  governanceDecisionId: string | null;
  adjudication: {
    state: string | null;
    adjudicatedBy: string | null;
    comment: string | null;
    governanceDecisionId: string | null;
    adjudicatedAtUtc: string | null;
  };
  createdAtUtc: string | null;
  matches: DuplicateMatch[];
}

export interface Duplicates {
  runId: string;
  executionSnapshotId: string | null;
  outcome: string | null;
  checks: DuplicateCheck[];
}

export interface Gate {
  gate: string;
  passed: boolean;
  severity?: string;
  messages?: string[];
  [k: string]: unknown;
}

export interface Contracts {
  runId: string;
  executionSnapshotId: string | null;
  lifecycleState: string | null;
  validationOutcome: string | null;
  drafts: Array<{
    id: string;
    capabilityKey: string;
    revision?: number | null;
    lifecycleState: string;
    manifest: unknown;
    inputSchema: unknown;
    outputSchema: unknown;
    runtimeConstraints: unknown;
    conformanceMetadata: unknown;
    createdAtUtc: string | null;
    version?: string | null;
    definitionHash?: string | null;
    revisionReason?: string | null;
    [k: string]: unknown;
  }>;
  capabilityVersion?: string | null;
  revisionOf?: string | null;
  acceptedBreaks?: unknown;
  validations: Array<{
    id: string;
    contractDraftId: string;
    outcome: string;
    strictMode: boolean;
    gates: Gate[];
    validatedAtUtc: string | null;
  }>;
  promotions: Array<{
    id: string;
    contractDraftId: string;
    fromState: string;
    toState: string;
    requestedBy: string;
    comment: string | null;
    governanceDecisionId: string;
    promotedAtUtc: string | null;
    definitionHash?: string | null;
    capabilityVersion?: string | null;
    evidence?: Array<{
      governanceDecisionId: string;
      role: string | null;
      kind: string | null;
      decision: string | null;
      subject: string | null;
    }>;
  }>;
  /** The diff against the previous Active version: null for a first version, absent on older servers. */
  compatibility?: unknown;
}

export interface PromptLineage {
  runId: string;
  executionSnapshotId: string | null;
  promptRuns: Array<{
    id: string;
    templateId: string;
    templateVersion: number;
    promptHash: string | null;
    sections: unknown;
    redactions: unknown;
    tokenEstimate: number | null;
    tokenBudget: number | null;
    runtimeProvider: string | null;
    modelIdentity: string | null;
    createdAtUtc: string | null;
    artifacts: Array<{
      id: string;
      kind: string;
      runtimeProvider: string | null;
      modelIdentity: string | null;
      attempt: number | null;
      content: unknown;
      contentHash: string | null;
      errorType: string | null;
      errorMessage: string | null;
      latencyMs: number | null;
      createdAtUtc: string | null;
    }>;
  }>;
}

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
  'EXPIRED',
] as const;

/** Statuses in which the workflow is still working on its own (not waiting for a human, not done). */
export const EXECUTING_STATUSES = new Set(['REQUESTED', 'RUNNING']);
/** Statuses that end a run without a usable capability. */
export const UNSUCCESSFUL_STATUSES = new Set(['DENIED', 'FAILED', 'BLOCKED', 'REJECTED', 'EXPIRED']);

export const REVIEWER_ROLES = ['admin', 'capability-reviewer'];
export const AUTHOR_ROLES = ['admin', 'capability-author'];
