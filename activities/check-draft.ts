import type { TraceContext } from '../domain/telemetry-event';
import { traceWithContract } from '../domain/trace';
import { createGenerateContract, type GenerateContractInput, type GenerateContractResult } from './contract';
import type { ActivityDeps } from './deps';
import { asStep } from './telemetry/attempt-interceptor';
import { createCheckDuplicates, type CheckDuplicatesInput, type CheckDuplicatesResult } from './duplicates';

/** Both gate steps' inputs with the workflow's ids; the run's trace once, for the contract step. */
export interface CheckDraftInput {
  contract: Omit<GenerateContractInput, 'trace'>;
  /** All but what the contract step decides: its draft id and the trace after it. */
  duplicates: Omit<CheckDuplicatesInput, 'trace' | 'contractDraftId'>;
  /** The trace the contract step runs under, and under which the worker records a failed attempt. */
  trace: TraceContext;
}

export interface CheckDraftResult {
  contract: GenerateContractResult;
  duplicates: CheckDuplicatesResult;
}

/**
 * The conformance gates' two steps in one activity: the contract, then duplicates (which runs
 * whatever the contract's outcome), each by its own step function with the workflow's ids, so
 * each commits its own rows, events and stored result as it would alone, and a retry after a
 * partial commit gets the contract's stored answer and does the rest. One local activity instead
 * of two: one workflow activation and one marker fewer.
 */
export function createCheckDraft(deps: ActivityDeps) {
  const generateContract = createGenerateContract(deps);
  const checkDuplicates = createCheckDuplicates(deps);

  return async function checkDraft(input: CheckDraftInput): Promise<CheckDraftResult> {
    const { trace } = input;
    const contract = await asStep('contract', trace, () => generateContract({ ...input.contract, trace }));
    // What the workflow would carry to the step alone.
    const duplicatesTrace = contract.trace ?? traceWithContract(trace, contract.outcome);
    const duplicates = await asStep('duplicates', duplicatesTrace, () =>
      checkDuplicates({ ...input.duplicates, contractDraftId: contract.contractDraftId, trace: duplicatesTrace }),
    );
    return { contract, duplicates };
  };
}
