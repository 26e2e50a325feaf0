import type { GeneratedCandidate } from '../model-candidate';
import type { GenerationIntent, RuntimeIdentity } from '../types';

/** Bumped when the shape of generated contracts or their gates changes; frozen into snapshots. */
export const CONTRACT_STRATEGY_VERSION = 'contract-strategy/1';

export interface ContractDraft {
  capabilityKey: string;
  lifecycleState: 'Draft';
  manifest: Record<string, unknown> & {
    capabilityKey: string;
    name: string;
    description: string;
    version: string;
    runtime: string;
    language: string;
  };
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  runtimeConstraints: GeneratedCandidate['runtimeConstraints'];
  conformanceMetadata: {
    contractStrategyVersion: string;
    generatedBy: RuntimeIdentity;
    generationRunId: string;
    executionSnapshotId: string;
    promptHash: string;
  };
  scaffold: GeneratedCandidate['scaffold'];
}

/**
 * Turns a model's candidate into the contract draft the platform owns: the key comes from the
 * server (never the model), the lifecycle starts at Draft, and provenance is attached.
 */
export function buildContractDraft(
  candidate: GeneratedCandidate,
  ctx: {
    capabilityKey: string;
    intent: GenerationIntent;
    runtime: RuntimeIdentity;
    runId: string;
    executionSnapshotId: string;
    promptHash: string;
  },
): ContractDraft {
  const m = candidate.manifest;
  return {
    capabilityKey: ctx.capabilityKey,
    lifecycleState: 'Draft',
    manifest: {
      capabilityKey: ctx.capabilityKey,
      // The catalog's name is the server-side request's (already redacted), never the model's.
      name: ctx.intent.name,
      description: m.description,
      version: m.version,
      runtime: m.runtime,
      language: m.language,
      tags: m.tags,
      lifecycleState: 'Draft',
    },
    inputSchema: candidate.inputSchema,
    outputSchema: candidate.outputSchema,
    runtimeConstraints: candidate.runtimeConstraints,
    conformanceMetadata: {
      contractStrategyVersion: CONTRACT_STRATEGY_VERSION,
      generatedBy: ctx.runtime,
      generationRunId: ctx.runId,
      executionSnapshotId: ctx.executionSnapshotId,
      promptHash: ctx.promptHash,
    },
    scaffold: candidate.scaffold,
  };
}
