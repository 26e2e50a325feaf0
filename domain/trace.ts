import type { ContractValidationOutcome, DuplicateOutcome, GenerationRunInput, RuntimeIdentity } from './types';
import type { TraceContext } from './telemetry-event';

/**
 * The trace, built in one place. Each step's activity applies its own transition and returns the
 * updated trace; the workflow only carries it to the next step. (The workflow calls these itself
 * only when replaying results recorded before activities returned the trace.)
 */

/** The trace as the request is recorded: who asked, for what; nothing decided yet. */
export function requestTrace(input: GenerationRunInput, capabilityKey: string): TraceContext {
  return {
    runId: input.runId,
    tenantId: input.tenantId,
    correlationId: input.correlationId,
    capabilityKey,
    language: input.intent.language,
    targetRuntime: input.intent.targetRuntime,
    authority: {
      subject: input.principal.subject,
      roles: input.principal.roles,
      decision: null,
      governanceDecisionId: null,
      policyVersion: null,
    },
    executionSnapshotId: null,
    runtime: null,
    promptTemplate: null,
    duplicateOutcome: null,
    contractValidationOutcome: null,
    fallback: { used: false, reason: null },
  };
}

export function traceWithAuthority(
  trace: TraceContext,
  authority: { decision: 'ADMIT' | 'DENY'; policyVersion: string },
  governanceDecisionId: string,
): TraceContext {
  return {
    ...trace,
    authority: {
      ...trace.authority,
      decision: authority.decision,
      governanceDecisionId,
      policyVersion: authority.policyVersion,
    },
  };
}

export function traceWithSnapshot(
  trace: TraceContext,
  executionSnapshotId: string,
  promptTemplate: { id: string; version: number },
): TraceContext {
  return { ...trace, executionSnapshotId, promptTemplate };
}

export function traceWithRuntime(trace: TraceContext, runtime: RuntimeIdentity): TraceContext {
  return { ...trace, runtime };
}

/** Only an actual switch of provider is a fallback; the end of the chain leaves the trace as it was. */
export function traceAfterFallback(trace: TraceContext, fallback: { toProvider: string | null; reason: string }) {
  return fallback.toProvider !== null ? { ...trace, fallback: { used: true, reason: fallback.reason } } : trace;
}

export function traceWithContract(trace: TraceContext, outcome: ContractValidationOutcome): TraceContext {
  return { ...trace, contractValidationOutcome: outcome };
}

export function traceWithDuplicates(trace: TraceContext, outcome: DuplicateOutcome): TraceContext {
  return { ...trace, duplicateOutcome: outcome };
}
