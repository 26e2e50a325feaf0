import type { ContractValidationOutcome, DuplicateOutcome, RuntimeIdentity } from './types';

/**
 * The trace every activity receives from the workflow: what is known about the run so far. Each
 * telemetry event carries all of it, so any single event answers the plan's §9 questions.
 */
export interface TraceContext {
  runId: string;
  tenantId: string;
  correlationId: string;
  capabilityKey: string;
  language: string;
  targetRuntime: string;
  authority: {
    subject: string;
    roles: string[];
    decision: 'ADMIT' | 'DENY' | null;
    governanceDecisionId: string | null;
    policyVersion: string | null;
  };
  executionSnapshotId: string | null;
  runtime: RuntimeIdentity | null;
  promptTemplate: { id: string; version: number } | null;
  duplicateOutcome: DuplicateOutcome | null;
  contractValidationOutcome: ContractValidationOutcome | null;
  fallback: { used: boolean; reason: string | null };
}

export interface TelemetryFields {
  generationRunId: string;
  tenantId: string;
  correlationId: string;
  capability: string;
  language: string;
  targetRuntime: string;
  authority: TraceContext['authority'];
  executionSnapshotId: string | null;
  runtimeIdentity: RuntimeIdentity | null;
  promptTemplate: { id: string; version: number } | null;
  promptHash: string | null;
  duplicateOutcome: DuplicateOutcome | null;
  contractValidationOutcome: ContractValidationOutcome | null;
  conformance: Record<string, unknown>;
  fallback: { used: boolean; reason: string | null };
  attempt: number | null;
  error: { type: string; message: string } | null;
  details: Record<string, unknown>;
}

export interface TelemetryEvent {
  id: string;
  eventType: string;
  step: string;
  outcome: string;
  fields: TelemetryFields;
}

export interface TelemetryExtras {
  promptHash?: string | null;
  conformance?: Record<string, unknown>;
  attempt?: number | null;
  error?: { type: string; message: string } | null;
  details?: Record<string, unknown>;
}

/**
 * The conformance position of the run at this event, from what the trace knows: the policy that
 * admitted it, the frozen template, the runtime's class, and the gate outcomes so far. Steps that
 * evaluate gates add their own details (e.g. the contract step's gate results) on top.
 */
export function conformanceOf(trace: TraceContext): Record<string, unknown> {
  return {
    policyVersion: trace.authority.policyVersion,
    authorityDecision: trace.authority.decision,
    promptTemplate: trace.promptTemplate ? `${trace.promptTemplate.id}@${trace.promptTemplate.version}` : null,
    runtimeClass: trace.runtime ? (trace.runtime.runtimeClass ?? null) : null,
    contractValidation: trace.contractValidationOutcome,
    duplicateOutcome: trace.duplicateOutcome,
  };
}

export function buildTelemetryEvent(
  id: string,
  trace: TraceContext,
  eventType: string,
  step: string,
  outcome: string,
  extras: TelemetryExtras = {},
): TelemetryEvent {
  return {
    id,
    eventType,
    step,
    outcome,
    fields: {
      generationRunId: trace.runId,
      tenantId: trace.tenantId,
      correlationId: trace.correlationId,
      capability: trace.capabilityKey,
      language: trace.language,
      targetRuntime: trace.targetRuntime,
      authority: trace.authority,
      executionSnapshotId: trace.executionSnapshotId,
      runtimeIdentity: trace.runtime,
      promptTemplate: trace.promptTemplate,
      promptHash: extras.promptHash ?? null,
      duplicateOutcome: trace.duplicateOutcome,
      contractValidationOutcome: trace.contractValidationOutcome,
      conformance: { ...conformanceOf(trace), ...extras.conformance },
      fallback: trace.fallback,
      attempt: extras.attempt ?? null,
      error: extras.error ?? null,
      details: extras.details ?? {},
    },
  };
}

/**
 * The columns tying an evidence row to its run, snapshot and governance decision. Only called
 * after authority and snapshot, when both ids exist; a missing one is a workflow bug, said loudly.
 */
export function evidenceLinks(trace: TraceContext) {
  const { executionSnapshotId, authority } = trace;
  if (!executionSnapshotId || !authority.governanceDecisionId) {
    throw new Error(`run ${trace.runId}: evidence written before its snapshot and governance decision exist`);
  }
  return {
    tenant_id: trace.tenantId,
    correlation_id: trace.correlationId,
    run_id: trace.runId,
    execution_snapshot_id: executionSnapshotId,
    governance_decision_id: authority.governanceDecisionId,
  };
}
