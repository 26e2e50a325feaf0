import type { Db } from '../db/database';
import { insertGovernanceDecision } from '../db/repositories/governance';
import { insertRun, updateRun } from '../db/repositories/runs';
import { insertTelemetryEvents } from '../db/repositories/telemetry';
import { resolveExecutionAuthority } from '../domain/authority-policy';
import { deterministicUuid } from '../domain/deterministic-id';
import { capabilityKeyFor } from '../domain/duplicates/normalize';
import { buildTelemetryEvent, type TelemetryEvent, type TraceContext } from '../domain/telemetry-event';
import type { GenerationRunInput } from '../domain/types';
import { generationRunWorkflowId } from '../workflows/ids';

/**
 * A `POST /runs` refused at the edge for a missing role still leaves what the plan asks of a denied
 * request (§3.1): the attempt record (status DENIED), a DENY governance decision and its telemetry,
 * in one transaction. No workflow starts. The intent is already redacted by the caller.
 */
export async function recordDeniedAttempt(
  deps: { db: Db; emit?: (e: TelemetryEvent) => void },
  input: GenerationRunInput,
  settings: { enabled: boolean; allowedRuntimes: string[] },
): Promise<{ governanceDecisionId: string; reasonCode: string; reason: string }> {
  const authority = resolveExecutionAuthority(settings, input.principal, input.tenantId, input.intent);
  // The route's role check refused the caller; the policy agrees, or the route table is stricter.
  const decision =
    authority.decision === 'DENY'
      ? authority
      : { ...authority, decision: 'DENY' as const, reasonCode: 'ROLE_MISSING' as const, reason: 'role missing' };
  const governanceDecisionId = deterministicUuid(input.runId, 'EDGE_AUTHORITY');
  const capabilityKey = capabilityKeyFor(input.intent.name);
  const trace: TraceContext = {
    runId: input.runId,
    tenantId: input.tenantId,
    correlationId: input.correlationId,
    capabilityKey,
    language: input.intent.language,
    targetRuntime: input.intent.targetRuntime,
    authority: {
      subject: input.principal.subject,
      roles: input.principal.roles,
      decision: 'DENY',
      governanceDecisionId,
      policyVersion: decision.policyVersion,
    },
    executionSnapshotId: null,
    runtime: null,
    promptTemplate: null,
    duplicateOutcome: null,
    contractValidationOutcome: null,
    fallback: { used: false, reason: null },
  };
  const details = { reasonCode: decision.reasonCode, reason: decision.reason, refusedAt: 'api' };
  const events = [
    buildTelemetryEvent(
      deterministicUuid(input.runId, 'RUN_REQUESTED'),
      trace,
      'RUN_REQUESTED',
      'request',
      'ACCEPTED',
      {
        details: { requestedAtUtc: input.requestedAtUtc, redactions: input.redactions ?? [] },
      },
    ),
    buildTelemetryEvent(
      deterministicUuid(governanceDecisionId, 'AUTHORITY_RESOLVED'),
      trace,
      'AUTHORITY_RESOLVED',
      'authority',
      'DENY',
      { details },
    ),
    buildTelemetryEvent(deterministicUuid(input.runId, 'RUN_DENIED'), trace, 'RUN_DENIED', 'authority', 'DENIED', {
      details,
    }),
  ];
  await deps.db.transaction().execute(async (trx) => {
    await insertRun(trx, {
      id: input.runId,
      tenant_id: input.tenantId,
      correlation_id: input.correlationId,
      workflow_id: generationRunWorkflowId(input.runId),
      requested_by: input.principal.subject,
      capability_key: capabilityKey,
      capability_name: input.intent.name,
      language: input.intent.language,
      target_runtime: input.intent.targetRuntime,
      intent: JSON.stringify(input.intent),
      status: 'REQUESTED',
      created_at_utc: input.requestedAtUtc,
    });
    await insertGovernanceDecision(trx, {
      id: governanceDecisionId,
      tenant_id: input.tenantId,
      correlation_id: input.correlationId,
      run_id: input.runId,
      kind: 'AUTHORITY',
      decision: 'DENY',
      reason_code: decision.reasonCode,
      reason: decision.reason,
      subject: input.principal.subject,
      authority: JSON.stringify(decision),
      policy_version: decision.policyVersion,
    });
    await updateRun(trx, input.tenantId, input.runId, {
      governance_decision_id: governanceDecisionId,
      status: 'DENIED',
      failure_reason: decision.reason,
      completed_at_utc: new Date(),
    });
    await insertTelemetryEvents(trx, events);
  });
  for (const e of events) deps.emit?.(e);
  return { governanceDecisionId, reasonCode: decision.reasonCode, reason: decision.reason };
}
