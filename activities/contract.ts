import { getCapabilityByKey } from '../db/repositories/catalog';
import { insertContractDraft, insertContractValidation } from '../db/repositories/contracts';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../lib/deterministic-id';
import type { ContractValidationOutcome, GenerationIntent, RuntimeIdentity } from '../workflows/types';
import { buildContractDraft } from './contracts/generate';
import { validateContract } from './contracts/validate';
import type { ActivityDeps } from './deps';
import type { GeneratedCandidate } from './model/candidate';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from './telemetry/event';
import type { ContractGateResult } from '../db/tables/ai-generation-contracts';

export interface GenerateContractInput {
  contractDraftId: string;
  validationId: string;
  intent: GenerationIntent;
  candidate: GeneratedCandidate;
  runtime: RuntimeIdentity;
  promptHash: string;
  allowedRuntimes: string[];
  strictMode: boolean;
  trace: TraceContext;
}

export interface GenerateContractResult {
  contractDraftId: string;
  outcome: ContractValidationOutcome;
  failedGates: string[];
}

/** Builds the contract draft from the candidate and runs every conformance gate over it. */
export function createGenerateContract(deps: ActivityDeps) {
  return async function generateContract(input: GenerateContractInput): Promise<GenerateContractResult> {
    const { trace } = input;
    const draft = buildContractDraft(input.candidate, {
      capabilityKey: trace.capabilityKey,
      intent: input.intent,
      runtime: input.runtime,
      runId: trace.runId,
      executionSnapshotId: trace.executionSnapshotId!,
      promptHash: input.promptHash,
    });
    const previous = await getCapabilityByKey(deps.db, trace.tenantId, trace.capabilityKey);
    const report = validateContract(draft, {
      strictMode: input.strictMode,
      allowedRuntimes: input.allowedRuntimes,
      requestedRuntime: input.intent.targetRuntime,
      previous: previous
        ? {
            capabilityKey: previous.capability_key,
            inputSchema: previous.input_schema,
            outputSchema: previous.output_schema,
          }
        : null,
    });
    const failedGates = report.gates
      .filter((g: ContractGateResult) => !g.passed && (g.severity === 'error' || input.strictMode))
      .map((g) => g.gate);
    const t: TraceContext = { ...trace, contractValidationOutcome: report.outcome };
    const conformance = {
      strictMode: input.strictMode,
      gates: report.gates.map((g) => ({ gate: g.gate, passed: g.passed, severity: g.severity })),
    };
    const events = [
      buildTelemetryEvent(
        deterministicUuid(input.contractDraftId, 'CONTRACT_DRAFTED'),
        t,
        'CONTRACT_DRAFTED',
        'contract',
        'DRAFTED',
        {
          details: { contractDraftId: input.contractDraftId },
        },
      ),
      buildTelemetryEvent(
        deterministicUuid(input.validationId, 'CONTRACT_VALIDATED'),
        t,
        'CONTRACT_VALIDATED',
        'contract',
        report.outcome,
        {
          conformance,
          details: { failedGates },
        },
      ),
    ];
    const linked = evidenceLinks(trace);
    await commitStep(deps, events, async (trx) => {
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
      });
      await insertContractValidation(trx, {
        ...linked,
        id: input.validationId,
        contract_draft_id: input.contractDraftId,
        outcome: report.outcome,
        strict_mode: input.strictMode,
        gates: JSON.stringify(report.gates),
      });
      await updateRun(trx, trace.tenantId, trace.runId, {
        lifecycle_state: 'Draft',
        contract_validation_outcome: report.outcome,
        runtime_provider: input.runtime.provider,
        model_identity: input.runtime.model,
      });
    });
    return { contractDraftId: input.contractDraftId, outcome: report.outcome, failedGates };
  };
}
