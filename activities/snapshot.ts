import { updateRun } from '../db/repositories/runs';
import { insertSnapshot } from '../db/repositories/snapshots';
import { runtimeConfigValues } from '../db/repositories/configuration-audit';
import { durationMs } from '../lib/ai-generation-config';
import { effectiveGenerationConfig, withRuntimeValues } from '../lib/config';
import { deterministicUuid } from '../domain/deterministic-id';
import type { GenerationRunInput, RuntimeIdentity } from '../domain/types';
import type { ExecutionAuthority } from '../domain/authority-policy';
import { CONTRACT_STRATEGY_VERSION } from '../domain/contracts/generate';
import type { ActivityDeps } from './deps';
import { resolveTemplatePolicy } from '../domain/prompts/templates';
import { commitStepOnce } from './telemetry/record';
import { traceWithSnapshot } from '../domain/trace';
import { STEP_FAILURE, StepError } from '../domain/failures';
import type { Db } from '../db/database';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';

export interface FrozenSnapshot {
  executionSnapshotId: string;
  providerChain: RuntimeIdentity[];
  promptTemplate: { id: string; version: number };
  contractStrategyVersion: string;
  allowedRuntimes: string[];
  duplicateThresholds: { potential: number; blocking: number };
  strictMode: boolean;
  emitPromptHashes: boolean;
  reviewWindowMs: number;
  adjudicationWindowMs: number;
}

/** The frozen snapshot and the trace that now carries it. */
export interface FreezeSnapshotResult extends FrozenSnapshot {
  trace: TraceContext;
}

export interface FreezeSnapshotInput {
  run: GenerationRunInput;
  authority: ExecutionAuthority;
  executionSnapshotId: string;
  trace: TraceContext;
}

/**
 * Freezes everything that shapes the run — runtime identities, template version, contract strategy,
 * the effective configuration — into an immutable row. Later steps read these values from the
 * workflow, never from live configuration.
 */
export function createFreezeSnapshot(deps: ActivityDeps) {
  return async function freezeSnapshot({
    run,
    authority,
    executionSnapshotId,
    trace,
  }: FreezeSnapshotInput): Promise<FreezeSnapshotResult> {
    // A retry returns the snapshot frozen on the first commit, not one re-read from live configuration.
    const key = { step: 'snapshot', id: executionSnapshotId, tenantId: run.tenantId, runId: run.runId };
    return commitStepOnce(deps, key, async () => {
      // The effective values at freeze time: deployed values with admins' audited runtime changes on
      // top. Frozen here, so a later change (or a change of a window) never moves this run.
      const cfg = withRuntimeValues(deps.config, await runtimeConfigValues(deps.db, deps.config.environment));
      const reviewWindowMs = durationMs(cfg.aiGeneration.reviewWindow);
      const adjudicationWindowMs = durationMs(cfg.aiGeneration.adjudicationWindow);
      const template = resolveTemplatePolicy(cfg.aiGeneration.promptTemplatePolicy);
      const providerChain = cfg.modelProviders.map((p) => {
        const adapter = deps.models[p];
        if (!adapter) {
          throw new StepError(
            STEP_FAILURE.adapterMissing,
            `model provider "${p}" is configured but no adapter is registered`,
          );
        }
        return { provider: adapter.provider, model: adapter.model, runtimeClass: adapter.runtimeClass };
      });
      const frozen: FrozenSnapshot = {
        executionSnapshotId,
        providerChain,
        promptTemplate: { id: template.templateId, version: template.version },
        contractStrategyVersion: CONTRACT_STRATEGY_VERSION,
        allowedRuntimes: cfg.aiGeneration.allowedRuntimes,
        duplicateThresholds: cfg.aiGeneration.duplicateThresholds,
        strictMode: cfg.aiGeneration.contractValidationStrictMode,
        emitPromptHashes: cfg.aiGeneration.telemetryEmitPromptHashes,
        reviewWindowMs,
        adjudicationWindowMs,
      };
      const t = traceWithSnapshot(trace, executionSnapshotId, frozen.promptTemplate);
      const event = buildTelemetryEvent(
        deterministicUuid(executionSnapshotId, 'SNAPSHOT_FROZEN'),
        t,
        'SNAPSHOT_FROZEN',
        'snapshot',
        'FROZEN',
        {
          details: { providerChain, contractStrategyVersion: CONTRACT_STRATEGY_VERSION },
        },
      );
      const write = async (trx: Db) => {
        await insertSnapshot(trx, {
          id: executionSnapshotId,
          tenant_id: run.tenantId,
          correlation_id: run.correlationId,
          run_id: run.runId,
          governance_decision_id: trace.authority.governanceDecisionId!,
          capability_key: trace.capabilityKey,
          capability_context: JSON.stringify({ intent: run.intent, authority }),
          runtime_identity: JSON.stringify({ providerChain, targetRuntime: run.intent.targetRuntime }),
          prompt_template_id: template.templateId,
          prompt_template_version: template.version,
          contract_strategy_version: CONTRACT_STRATEGY_VERSION,
          effective_config: JSON.stringify({
            ...effectiveGenerationConfig(cfg),
            reviewWindowMs,
            adjudicationWindowMs,
          }),
        });
        await updateRun(trx, run.tenantId, run.runId, { execution_snapshot_id: executionSnapshotId });
      };
      return { result: { ...frozen, trace: t }, events: [event], write };
    });
  };
}
