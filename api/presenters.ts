import type { RunContracts } from '../db/repositories/contracts';
import type { RunDuplicates } from '../db/repositories/duplicates';
import type { DuplicateAdjudicationRow, GovernanceDecisionRow } from '../db/repositories/governance';
import type { PromptArtifactRow, PromptRunRow } from '../db/repositories/prompts';
import type { LedgerRow, RunRow } from '../db/repositories/runs';
import type { TelemetryRow } from '../db/repositories/telemetry';
import { redactJson } from '../domain/prompts/redact';

/** Row → response shapes. camelCase, ISO timestamps, and `executionSnapshotId` on every body. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentRun(run: RunRow, decisions: GovernanceDecisionRow[], telemetry: TelemetryRow[]) {
  const authority = decisions.find((d) => d.kind === 'AUTHORITY') ?? null;
  const fallbacks = telemetry
    .filter((t) => t.event_type === 'MODEL_FALLBACK')
    .map((t) => ({
      fromProvider: t.fields.details.fromProvider ?? null,
      toProvider: t.fields.details.toProvider ?? null,
      reason: t.fields.error?.message ?? null,
      failureType: t.fields.error?.type ?? null,
      occurredAtUtc: iso(t.occurred_at_utc),
    }));
  return {
    runId: run.id,
    tenantId: run.tenant_id,
    correlationId: run.correlation_id,
    workflowId: run.workflow_id,
    executionSnapshotId: run.execution_snapshot_id,
    status: run.status,
    lifecycleState: run.lifecycle_state,
    capabilityKey: run.capability_key,
    revisionOf: run.revision_of,
    capabilityVersion: run.capability_version,
    capabilityName: run.capability_name,
    language: run.language,
    targetRuntime: run.target_runtime,
    requestedBy: run.requested_by,
    authority: authority
      ? {
          decision: authority.decision,
          reasonCode: authority.reason_code,
          reason: authority.reason,
          subject: authority.subject,
          policyVersion: authority.policy_version,
          governanceDecisionId: authority.id,
          decidedAtUtc: iso(authority.decided_at_utc),
        }
      : null,
    runtime: run.runtime_provider ? { provider: run.runtime_provider, model: run.model_identity } : null,
    fallbackUsed: run.fallback_used,
    fallbacks,
    duplicateOutcome: run.duplicate_outcome,
    contractValidationOutcome: run.contract_validation_outcome,
    failureReason: run.failure_reason,
    createdAtUtc: iso(run.created_at_utc),
    updatedAtUtc: iso(run.updated_at_utc),
    completedAtUtc: iso(run.completed_at_utc),
    governanceDecisions: decisions.map((d) => ({
      id: d.id,
      kind: d.kind,
      decision: d.decision,
      reasonCode: d.reason_code,
      reason: d.reason,
      subject: d.subject,
      decidedAtUtc: iso(d.decided_at_utc),
    })),
    telemetry: telemetry.map(presentTelemetry),
  };
}

export function presentLedgerItem(run: LedgerRow) {
  return {
    runId: run.id,
    executionSnapshotId: run.execution_snapshot_id,
    status: run.status,
    lifecycleState: run.lifecycle_state,
    capabilityKey: run.capability_key,
    capabilityName: run.capability_name,
    requestedBy: run.requested_by,
    authorityDecisionId: run.governance_decision_id,
    runtime: run.runtime_provider ? { provider: run.runtime_provider, model: run.model_identity } : null,
    fallbackUsed: run.fallback_used,
    duplicateOutcome: run.duplicate_outcome,
    contractValidationOutcome: run.contract_validation_outcome,
    createdAtUtc: iso(run.created_at_utc),
  };
}

export function presentTelemetry(t: TelemetryRow) {
  return {
    id: t.id,
    eventType: t.event_type,
    step: t.step,
    outcome: t.outcome,
    executionSnapshotId: t.execution_snapshot_id,
    occurredAtUtc: iso(t.occurred_at_utc),
    fields: t.fields,
  };
}

/**
 * Adjudications are their own append-only rows (issue 6): the check's adjudication is the row for
 * the check as a whole, each match carries its verdict row; the check row is never edited.
 */
export function presentDuplicates(run: RunRow, d: RunDuplicates, adjudications: DuplicateAdjudicationRow[] = []) {
  const forCheck = (checkId: string) =>
    adjudications.find((a) => a.duplicate_check_id === checkId && a.duplicate_match_id === null) ?? null;
  const forMatch = (matchId: string) => adjudications.find((a) => a.duplicate_match_id === matchId) ?? null;
  return {
    runId: run.id,
    executionSnapshotId: run.execution_snapshot_id,
    outcome: run.duplicate_outcome,
    checks: d.checks.map((c) => ({
      id: c.id,
      outcome: c.outcome,
      strategies: c.strategies,
      thresholds: c.thresholds,
      governanceDecisionId: c.governance_decision_id,
      adjudication: ((a) =>
        a
          ? {
              state: a.decision,
              adjudicatedBy: a.adjudicated_by,
              comment: a.comment,
              governanceDecisionId: a.governance_decision_id,
              adjudicatedAtUtc: iso(a.adjudicated_at_utc),
            }
          : {
              state: c.adjudication_state,
              adjudicatedBy: c.adjudicated_by,
              comment: c.adjudication_comment,
              governanceDecisionId: c.adjudication_decision_id,
              adjudicatedAtUtc: iso(c.adjudicated_at_utc),
            })(forCheck(c.id)),
      createdAtUtc: iso(c.created_at_utc),
      matches: d.matches
        .filter((m) => m.duplicate_check_id === c.id)
        .map((m) => ({
          id: m.id,
          capabilityId: m.matched_capability_id,
          capabilityKey: m.matched_capability_key,
          dimension: m.dimension,
          score: m.score,
          tier: m.tier,
          rationale: m.rationale,
          verdict: forMatch(m.id)?.verdict ?? null,
        })),
    })),
  };
}

/**
 * A run's contracts (issue 6): drafts with their revisions, each validation with its
 * compatibility report against the previous Active version, the accepted breaks, and the
 * promotions with the validation and governance decisions each relied on.
 */
export function presentContracts(run: RunRow, c: RunContracts, decisions: GovernanceDecisionRow[] = []) {
  const decisionById = new Map(decisions.map((d) => [d.id, d]));
  const latestValidation = c.validations[c.validations.length - 1] ?? null;
  const firstWithReport = c.validations.find((v) => v.compatibility !== null) ?? null;
  return {
    runId: run.id,
    executionSnapshotId: run.execution_snapshot_id,
    capabilityKey: run.capability_key,
    revisionOf: run.revision_of,
    capabilityVersion: run.capability_version,
    lifecycleState: run.lifecycle_state,
    validationOutcome: run.contract_validation_outcome,
    drafts: c.drafts.map((d) => ({
      id: d.id,
      capabilityKey: d.capability_key,
      revision: d.revision,
      version: d.version,
      definitionHash: d.definition_hash,
      supersedesDraftId: d.supersedes_draft_id,
      revisionReason: d.revision_reason,
      // Drafts are never edited: the current state is the last promotion of this revision.
      lifecycleState: c.promotions.filter((p) => p.contract_draft_id === d.id).at(-1)?.to_state ?? d.lifecycle_state,
      writtenInState: d.lifecycle_state,
      manifest: d.manifest,
      inputSchema: d.input_schema,
      outputSchema: d.output_schema,
      runtimeConstraints: d.runtime_constraints,
      conformanceMetadata: d.conformance_metadata,
      scaffold: d.scaffold,
      createdAtUtc: iso(d.created_at_utc),
    })),
    /** The diff against the previous Active version (null for a first version). */
    compatibility: firstWithReport
      ? {
          previousVersion: firstWithReport.previous_version,
          previousCapabilityId: firstWithReport.previous_capability_id,
          version: run.capability_version,
          breaking: firstWithReport.compatibility!.breaking,
          findings: firstWithReport.compatibility!.findings,
        }
      : null,
    validations: c.validations.map((v) => ({
      id: v.id,
      contractDraftId: v.contract_draft_id,
      outcome: v.outcome,
      strictMode: v.strict_mode,
      gates: v.gates,
      previousVersion: v.previous_version,
      acceptedBreakDecisionId: v.accepted_break_decision_id,
      current: v.id === latestValidation?.id,
      validatedAtUtc: iso(v.validated_at_utc),
    })),
    acceptedBreaks: decisions
      .filter((d) => d.kind === 'ACCEPTED_BREAK')
      .map((d) => ({
        governanceDecisionId: d.id,
        ruleIds: (d.details.ruleIds as string[] | undefined) ?? [],
        reason: d.reason,
        owner: (d.details.owner as string | undefined) ?? null,
        expiresAtUtc: (d.details.expiresAtUtc as string | undefined) ?? null,
        version: (d.details.version as string | undefined) ?? null,
        previousVersion: (d.details.previousVersion as string | undefined) ?? null,
        acceptedBy: d.subject,
        decidedAtUtc: iso(d.decided_at_utc),
      })),
    promotions: c.promotions.map((p) => ({
      id: p.id,
      contractDraftId: p.contract_draft_id,
      fromState: p.from_state,
      toState: p.to_state,
      requestedBy: p.requested_by,
      comment: p.comment,
      governanceDecisionId: p.governance_decision_id,
      contractValidationId: p.contract_validation_id,
      definitionHash: p.definition_hash,
      capabilityVersion: p.capability_version,
      capabilityId: p.capability_id,
      conformanceEvidence: p.conformance_evidence,
      evidence: c.evidence
        .filter((e) => e.promotion_id === p.id)
        .map((e) => {
          const d = decisionById.get(e.governance_decision_id);
          return {
            governanceDecisionId: e.governance_decision_id,
            role: e.role,
            kind: d?.kind ?? null,
            decision: d?.decision ?? null,
            reasonCode: d?.reason_code ?? null,
            subject: d?.subject ?? null,
            decidedAtUtc: iso(d?.decided_at_utc ?? null),
          };
        }),
      promotedAtUtc: iso(p.promoted_at_utc),
    })),
  };
}

/** Prompt lineage for admins: sections were redacted before storage; artifacts are redacted again here. */
export function presentPromptLineage(run: RunRow, promptRuns: PromptRunRow[], artifacts: PromptArtifactRow[]) {
  return {
    runId: run.id,
    executionSnapshotId: run.execution_snapshot_id,
    promptRuns: promptRuns.map((p) => ({
      id: p.id,
      templateId: p.template_id,
      templateVersion: p.template_version,
      promptHash: p.prompt_hash,
      sections: p.prompt_sections,
      redactions: p.redactions,
      tokenEstimate: p.token_estimate,
      tokenBudget: p.token_budget,
      runtimeProvider: p.runtime_provider,
      modelIdentity: p.model_identity,
      createdAtUtc: iso(p.created_at_utc),
      artifacts: artifacts
        .filter((a) => a.prompt_run_id === p.id)
        .map((a) => ({
          id: a.id,
          kind: a.kind,
          runtimeProvider: a.runtime_provider,
          modelIdentity: a.model_identity,
          attempt: a.attempt,
          content: redactJson(a.content).value,
          contentHash: a.content_hash,
          errorType: a.error_type,
          errorMessage: a.error_message,
          latencyMs: a.latency_ms,
          createdAtUtc: iso(a.created_at_utc),
        })),
    })),
  };
}
