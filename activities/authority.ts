import { insertGovernanceDecision } from '../db/repositories/governance';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../lib/deterministic-id';
import type { GenerationRunInput } from '../workflows/types';
import { resolveExecutionAuthority, type ExecutionAuthority } from './authority/policy';
import type { ActivityDeps } from './deps';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

export interface ResolveAuthorityInput {
  run: GenerationRunInput;
  governanceDecisionId: string;
  trace: TraceContext;
}

/** Authority from the server's configuration and the verified principal; a DENY ends the run here. */
export function createResolveAuthority(deps: ActivityDeps) {
  return async function resolveAuthority({
    run,
    governanceDecisionId,
    trace,
  }: ResolveAuthorityInput): Promise<ExecutionAuthority> {
    const authority = resolveExecutionAuthority(
      { enabled: deps.config.aiGeneration.enabled, allowedRuntimes: deps.config.aiGeneration.allowedRuntimes },
      run.principal,
      run.tenantId,
      run.intent,
    );
    const denied = authority.decision === 'DENY';
    const t: TraceContext = {
      ...trace,
      authority: {
        ...trace.authority,
        decision: authority.decision,
        governanceDecisionId,
        policyVersion: authority.policyVersion,
      },
    };
    const events = [
      buildTelemetryEvent(
        deterministicUuid(governanceDecisionId, 'AUTHORITY_RESOLVED'),
        t,
        'AUTHORITY_RESOLVED',
        'authority',
        authority.decision,
        {
          details: { reasonCode: authority.reasonCode, reason: authority.reason },
        },
      ),
    ];
    if (denied) {
      events.push(
        buildTelemetryEvent(deterministicUuid(run.runId, 'RUN_DENIED'), t, 'RUN_DENIED', 'authority', 'DENIED', {
          details: { reasonCode: authority.reasonCode, reason: authority.reason },
        }),
      );
    }
    await commitStep(deps, events, async (trx) => {
      await insertGovernanceDecision(trx, {
        id: governanceDecisionId,
        tenant_id: run.tenantId,
        correlation_id: run.correlationId,
        run_id: run.runId,
        kind: 'AUTHORITY',
        decision: authority.decision,
        reason_code: authority.reasonCode,
        reason: authority.reason,
        subject: run.principal.subject,
        authority: JSON.stringify(authority),
        policy_version: authority.policyVersion,
      });
      await updateRun(trx, run.tenantId, run.runId, {
        governance_decision_id: governanceDecisionId,
        status: denied ? 'DENIED' : 'RUNNING',
        failure_reason: denied ? authority.reason : null,
        completed_at_utc: denied ? new Date() : null,
      });
    });
    return authority;
  };
}
