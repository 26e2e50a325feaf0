import { getActiveCapability, insertContractDraft, insertContractValidation } from '../db/repositories/contracts';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../domain/deterministic-id';
import type { ContractValidationOutcome, GenerationIntent, RuntimeIdentity } from '../domain/types';
import { buildContractDraft } from '../domain/contracts/generate';
import { validateContract } from '../domain/contracts/validate';
import {
  breakingRules,
  bumpVersion,
  decideBump,
  diffContracts,
  INITIAL_VERSION,
  type VersionBump,
} from '../domain/contracts/compatibility';
import { definitionHash } from '../domain/contracts/definition';
import type { ActivityDeps } from './deps';
import type { GeneratedCandidate } from '../domain/model-candidate';
import { commitStepOnce } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from '../domain/telemetry-event';

export interface GenerateContractInput {
  contractDraftId: string;
  validationId: string;
  intent: GenerationIntent;
  candidate: GeneratedCandidate;
  runtime: RuntimeIdentity;
  promptHash: string;
  allowedRuntimes: string[];
  strictMode: boolean;
  /** The capability key this run revises (absent on runs recorded before revisions existed). */
  revisionOf?: string | null;
  trace: TraceContext;
}

export interface GenerateContractResult {
  contractDraftId: string;
  outcome: ContractValidationOutcome;
  failedGates: string[];
  /** Fields below were added with revisions; histories recorded before them lack them. */
  validationId?: string;
  /** The semver version the server decided (never the model's). */
  version?: string;
  bump?: VersionBump | 'initial';
  previousVersion?: string | null;
  previousCapabilityId?: string | null;
  /** Distinct rule ids of breaking findings against the previous Active version. */
  breakingRules?: string[];
  definitionHash?: string;
  /** The trace after this step (the contract outcome set). */
  trace?: TraceContext;
}

/**
 * Builds the contract draft from the candidate, checks it for compatibility against the current
 * Active version of its key, decides its version from that result, and runs every conformance
 * gate over it. The draft, its validation (with the compatibility report) and the run's new state
 * commit together; a retry returns what the first commit stored.
 */
export function createGenerateContract(deps: ActivityDeps) {
  return async function generateContract(input: GenerateContractInput): Promise<GenerateContractResult> {
    const { trace } = input;
    const key = { step: 'contract', id: input.contractDraftId, tenantId: trace.tenantId, runId: trace.runId };
    return commitStepOnce(deps, key, async () => {
      const previous = await getActiveCapability(deps.db, trace.tenantId, trace.capabilityKey);
      const draft = buildContractDraft(input.candidate, {
        capabilityKey: trace.capabilityKey,
        intent: input.intent,
        runtime: input.runtime,
        runId: trace.runId,
        executionSnapshotId: trace.executionSnapshotId!,
        promptHash: input.promptHash,
      });
      const report = previous
        ? diffContracts(
            { inputSchema: previous.input_schema, outputSchema: previous.output_schema },
            { inputSchema: draft.inputSchema, outputSchema: draft.outputSchema },
          )
        : null;
      const bump = report ? decideBump(report) : 'initial';
      // The server decides the version: the first version of a key is 1.0.0, a revision bumps the
      // Active version by what the compatibility result allows. The model's proposal is kept apart.
      const version = previous && report ? bumpVersion(previous.version, decideBump(report)) : INITIAL_VERSION;
      draft.manifest = { ...draft.manifest, version, proposedVersion: draft.manifest.version };
      const validated = validateContract(draft, {
        strictMode: input.strictMode,
        allowedRuntimes: input.allowedRuntimes,
        requestedRuntime: input.intent.targetRuntime,
        runtimePolicy: {
          maxMemoryMb: deps.config.security.runtimeMaxMemoryMb,
          maxTimeoutMs: deps.config.security.runtimeMaxTimeoutMs,
        },
        previous: previous
          ? {
              capabilityKey: previous.capability_key,
              inputSchema: previous.input_schema,
              outputSchema: previous.output_schema,
            }
          : null,
      });
      const gates = validated.gates;
      const outcome: ContractValidationOutcome = validated.outcome;
      const failedGates = gates
        .filter((g) => !g.passed && (g.severity === 'error' || input.strictMode))
        .map((g) => g.gate);
      const hash = definitionHash({
        capabilityKey: draft.capabilityKey,
        version,
        manifest: draft.manifest,
        inputSchema: draft.inputSchema,
        outputSchema: draft.outputSchema,
        runtimeConstraints: draft.runtimeConstraints,
        scaffold: draft.scaffold,
      });
      const rules = report ? breakingRules(report) : [];

      const t: TraceContext = { ...trace, contractValidationOutcome: outcome };
      const conformance = {
        strictMode: input.strictMode,
        gates: gates.map((g) => ({ gate: g.gate, passed: g.passed, severity: g.severity })),
      };
      const events = [
        buildTelemetryEvent(
          deterministicUuid(input.contractDraftId, 'CONTRACT_DRAFTED'),
          t,
          'CONTRACT_DRAFTED',
          'contract',
          'DRAFTED',
          {
            details: {
              contractDraftId: input.contractDraftId,
              version,
              bump,
              previousVersion: previous?.version ?? null,
              revisionOf: input.revisionOf ?? null,
              definitionHash: hash,
            },
          },
        ),
        buildTelemetryEvent(
          deterministicUuid(input.validationId, 'CONTRACT_VALIDATED'),
          t,
          'CONTRACT_VALIDATED',
          'contract',
          outcome,
          {
            conformance,
            details: { failedGates, breaking: report?.breaking ?? false, breakingRules: rules },
          },
        ),
      ];
      const linked = evidenceLinks(trace);
      const result: GenerateContractResult = {
        contractDraftId: input.contractDraftId,
        outcome,
        failedGates,
        validationId: input.validationId,
        version,
        bump,
        previousVersion: previous?.version ?? null,
        previousCapabilityId: previous?.id ?? null,
        breakingRules: rules,
        definitionHash: hash,
        trace: t,
      };
      return {
        result,
        events,
        write: async (trx) => {
          await insertContractDraft(trx, {
            ...linked,
            id: input.contractDraftId,
            capability_key: draft.capabilityKey,
            revision: 1,
            lifecycle_state: draft.lifecycleState,
            manifest: JSON.stringify(draft.manifest),
            input_schema: JSON.stringify(draft.inputSchema),
            output_schema: JSON.stringify(draft.outputSchema),
            runtime_constraints: JSON.stringify(draft.runtimeConstraints),
            conformance_metadata: JSON.stringify(draft.conformanceMetadata),
            scaffold: JSON.stringify(draft.scaffold),
            version,
            definition_hash: hash,
            revision_reason: input.revisionOf
              ? `revision of ${input.revisionOf} ${previous?.version ?? ''}`.trim()
              : null,
          });
          await insertContractValidation(trx, {
            ...linked,
            id: input.validationId,
            contract_draft_id: input.contractDraftId,
            outcome,
            strict_mode: input.strictMode,
            gates: JSON.stringify(gates),
            compatibility: report ? JSON.stringify(report) : null,
            previous_capability_id: previous?.id ?? null,
            previous_version: previous?.version ?? null,
          });
          await updateRun(trx, trace.tenantId, trace.runId, {
            lifecycle_state: 'Draft',
            contract_validation_outcome: outcome,
            runtime_provider: input.runtime.provider,
            model_identity: input.runtime.model,
            capability_version: version,
          });
        },
      };
    });
  };
}
