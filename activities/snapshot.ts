import { updateRun } from '../db/repositories/runs';
import { insertSnapshot } from '../db/repositories/snapshots';
import { effectiveGenerationConfig } from '../lib/config';
import { deterministicUuid } from '../lib/deterministic-id';
import type { GenerationRunInput, RuntimeIdentity } from '../workflows/types';
import type { ExecutionAuthority } from './authority/policy';
import { CONTRACT_STRATEGY_VERSION } from './contracts/generate';
import type { ActivityDeps } from './deps';
import { resolveTemplatePolicy } from './prompts/templates';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

/** How long a run waits for people; frozen with the run so a config change never moves a deadline. */
export const REVIEW_WINDOW_MS = 30 * 24 * 3600 * 1000;
export const ADJUDICATION_WINDOW_MS = 14 * 24 * 3600 * 1000;

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
  }: FreezeSnapshotInput): Promise<FrozenSnapshot> {
    const cfg = deps.config;
    const template = resolveTemplatePolicy(cfg.aiGeneration.promptTemplatePolicy);
    const providerChain = cfg.modelProviders.map((p) => {
      const adapter = deps.models[p];
      if (!adapter) throw new Error(`model provider "${p}" is configured but no adapter is registered`);
      return { provider: adapter.provider, model: adapter.model };
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
      reviewWindowMs: REVIEW_WINDOW_MS,
      adjudicationWindowMs: ADJUDICATION_WINDOW_MS,
    };
    const t: TraceContext = { ...trace, executionSnapshotId, promptTemplate: frozen.promptTemplate };
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
    await commitStep(deps, [event], async (trx) => {
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
          reviewWindowMs: REVIEW_WINDOW_MS,
          adjudicationWindowMs: ADJUDICATION_WINDOW_MS,
        }),
      });
      await updateRun(trx, run.tenantId, run.runId, { execution_snapshot_id: executionSnapshotId });
    });
    return frozen;
  };
}
