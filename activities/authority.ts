import { runtimeConfigValues } from '../db/repositories/configuration-audit';
import { insertGovernanceDecision } from '../db/repositories/governance';
import { withRuntimeValues } from '../lib/config';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../domain/deterministic-id';
import type { GenerationRunInput } from '../domain/types';
import { resolveExecutionAuthority, type ExecutionAuthority } from '../domain/authority-policy';
import type { ActivityDeps } from './deps';
import { commitStepOnce } from './telemetry/record';
import { traceWithAuthority } from '../domain/trace';
import type { Db } from '../db/database';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';

export interface ResolveAuthorityInput {
  run: GenerationRunInput;
  governanceDecisionId: string;
  trace: TraceContext;
}

export interface ResolveAuthorityResult extends ExecutionAuthority {
  /** The trace with the decision on it. */
  trace: TraceContext;
}

/**
 * Authority from the server's configuration and the verified principal; a DENY ends the run here.
 * A retry returns the decision stored on the first commit, never a re-decision under changed
 * configuration.
 */
export function createResolveAuthority(deps: ActivityDeps) {
  return async function resolveAuthority({
    run,
    governanceDecisionId,
    trace,
  }: ResolveAuthorityInput): Promise<ResolveAuthorityResult> {
    const key = { step: 'authority', id: governanceDecisionId, tenantId: run.tenantId, runId: run.runId };
    return commitStepOnce(deps, key, async () => {
      // The kill switch and admitted runtimes as they are now, runtime changes included.
      const { aiGeneration } = withRuntimeValues(
        deps.config,
        await runtimeConfigValues(deps.db, deps.config.environment),
      );
      const authority = resolveExecutionAuthority(
        { enabled: aiGeneration.enabled, allowedRuntimes: aiGeneration.allowedRuntimes },
        run.principal,
        run.tenantId,
        run.intent,
      );
      const denied = authority.decision === 'DENY';
      const t = traceWithAuthority(trace, authority, governanceDecisionId);
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
      const write = async (trx: Db) => {
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
          completed_at_utc: denied ? deps.clock.now() : null,
        });
      };
      return { result: { ...authority, trace: t }, events, write };
    });
  };
}
