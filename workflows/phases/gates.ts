import { condition, patched, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { CheckDraftResult } from '../../activities/check-draft';
import type { GenerateContractInput, GenerateContractResult } from '../../activities/contract';
import type { CheckDuplicatesInput, CheckDuplicatesResult } from '../../activities/duplicates';
import type { FrozenSnapshot } from '../../activities/snapshot';
import type { AdjudicationRequest } from '../../domain/types';
import { DuplicateOutcomeKey } from '../search-attributes';
import type { Generated } from './generate';
import type { Inbox } from './inbox';
import { traceWithContract, traceWithDuplicates } from '../../domain/trace';
import { carriedTrace, mergedOrSingly, persistence, setStatus, step, traceOf, type Run } from './run';

/**
 * Conformance gates: contract, then duplicates, both recorded before the policy decides (runs with
 * `merged-intake` check both in one activity); then adjudication when a duplicate is only
 * potential. Returns true when the run reached Draft, false when it ended here (BLOCKED or
 * REJECTED, recorded).
 */
export async function gates(run: Run, inbox: Inbox, snapshot: FrozenSnapshot, generated: Generated): Promise<boolean> {
  const { input, state } = run;
  const { contract, duplicates } = run.mergedIntake
    ? await checkDraft(run, snapshot, generated)
    : await stepByStep(run, snapshot, generated);
  const duplicateCheckId = duplicates.duplicateCheckId;

  // Policy gate: BLOCKING never reaches Review; a failed contract is not promotable.
  const blockers: string[] = [];
  if (duplicates.outcome === 'BLOCKING') {
    blockers.push(`blocking duplicate: ${duplicates.findings[0]?.rationale ?? 'identity collision'}`);
  }
  // A revision whose only failure is a break of the Active version waits for an accepted break.
  const breaking = contract.breakingRules ?? [];
  const breakingRevision =
    Boolean(input.revisionOf) &&
    breaking.length > 0 &&
    contract.failedGates.every((g) => g === 'backward-compatibility');
  const breakText = `breaking changes against ${input.revisionOf ?? ''} ${contract.previousVersion ?? ''}: ${breaking.join(', ')}`;
  if (contract.outcome === 'FAILED' && !breakingRevision) {
    blockers.push(`contract validation failed: ${contract.failedGates.join(', ')}`);
    if (breaking.length > 0) blockers.push(breakText);
  }
  if (blockers.length > 0 && breakingRevision) blockers.push(breakText);
  if (blockers.length > 0) {
    await setStatus(run, 'BLOCKED', blockers.join('; '), true);
    step(run, 'policy');
    return false;
  }

  if (breakingRevision) {
    // BLOCKED, naming the rules, until a reviewer records an accepted break (with a major bump)
    // or the window closes.
    inbox.awaitingAcceptedBreak = true;
    await setStatus(
      run,
      'BLOCKED',
      `${breakText}; blocked unless a reviewer records an accepted break (major version ${contract.version ?? '?'})`,
      false,
    );
    const accepted = await condition(() => inbox.acceptedBreak !== null, snapshot.adjudicationWindowMs);
    inbox.awaitingAcceptedBreak = false;
    if (!accepted || inbox.acceptedBreak === null) {
      await setStatus(run, 'EXPIRED', `no accepted break within the window; ${breakText}`, true);
      return false;
    }
    const request = inbox.acceptedBreak;
    await persistence.recordAcceptedBreak({
      governanceDecisionId: uuid4(),
      validationId: uuid4(),
      contractDraftId: contract.contractDraftId,
      previousValidationId: contract.validationId!,
      breakingRules: breaking,
      version: contract.version!,
      previousVersion: contract.previousVersion ?? null,
      request,
      trace: traceOf(run),
    });
    state.contractValidationOutcome = 'PASSED';
    run.trace = { ...traceOf(run), contractValidationOutcome: 'PASSED' };
    inbox.acceptedBreakRecorded = true;
    step(run, 'accepted-break');
  }

  if (duplicates.outcome === 'POTENTIAL') {
    await setStatus(run, 'AWAITING_ADJUDICATION', 'potential duplicate: a reviewer must adjudicate', false);
    const decided = await condition(() => inbox.adjudication !== null, snapshot.adjudicationWindowMs);
    if (!decided || inbox.adjudication === null) {
      // Every wait ends on the record: a closed window is EXPIRED (runs recorded before say REJECTED).
      if (patched('expire-on-window-close')) {
        await setStatus(run, 'EXPIRED', 'no adjudication within the adjudication window', true);
      } else {
        await setStatus(run, 'REJECTED', 'no adjudication within the adjudication window', true);
      }
      return false;
    }
    const request: AdjudicationRequest = inbox.adjudication;
    await persistence.recordAdjudication({
      governanceDecisionId: uuid4(),
      duplicateCheckId,
      request,
      trace: traceOf(run),
    });
    step(run, 'adjudication');
    if (request.decision === 'REJECT') {
      await setStatus(run, 'REJECTED', `duplicate confirmed by ${request.reviewer.subject}: ${request.comment}`, true);
      inbox.adjudicationRecorded = true;
      return false;
    }
    await setStatus(run, 'DRAFT', null, false);
    inbox.adjudicationRecorded = true;
  } else {
    await setStatus(run, 'DRAFT', null, false);
  }
  step(run, 'policy');
  return true;
}

interface GateIds {
  contractDraftId: string;
  validationId: string;
  duplicateCheckId: string;
}

/** `merged-intake`: every id made up front, then one `checkDraft` (contract, then duplicates). */
async function checkDraft(run: Run, snapshot: FrozenSnapshot, generated: Generated): Promise<CheckDraftResult> {
  const ids = { contractDraftId: uuid4(), validationId: uuid4(), duplicateCheckId: uuid4() };
  return mergedOrSingly(
    () =>
      persistence.checkDraft({
        contract: contractInput(run, snapshot, generated, ids),
        duplicates: duplicatesInput(run, snapshot, ids.duplicateCheckId),
        trace: traceOf(run),
      }),
    (checked) => {
      contracted(run, checked.contract);
      checkedDuplicates(run, checked.duplicates);
      return checked;
    },
    () => stepByStep(run, snapshot, generated, ids),
    async () => undefined, // the trace is the model call's
  );
}

/** One activity per step; `ids` are made as each step comes unless `merged-intake` made them. */
async function stepByStep(
  run: Run,
  snapshot: FrozenSnapshot,
  generated: Generated,
  ids?: GateIds,
): Promise<CheckDraftResult> {
  const contract = await persistence.generateContract({
    ...contractInput(run, snapshot, generated, {
      contractDraftId: ids?.contractDraftId ?? uuid4(),
      validationId: ids?.validationId ?? uuid4(),
    }),
    trace: traceOf(run),
  });
  contracted(run, contract);

  const duplicates = await persistence.checkDuplicates({
    ...duplicatesInput(run, snapshot, ids?.duplicateCheckId ?? uuid4()),
    contractDraftId: contract.contractDraftId,
    trace: traceOf(run),
  });
  checkedDuplicates(run, duplicates);
  return { contract, duplicates };
}

function contractInput(
  run: Run,
  snapshot: FrozenSnapshot,
  { prompt, completion }: Generated,
  ids: Pick<GateIds, 'contractDraftId' | 'validationId'>,
): Omit<GenerateContractInput, 'trace'> {
  return {
    ...ids,
    intent: run.input.intent,
    candidate: completion.candidate,
    runtime: completion.runtime,
    promptHash: prompt.promptHash,
    allowedRuntimes: snapshot.allowedRuntimes,
    strictMode: snapshot.strictMode,
    revisionOf: run.input.revisionOf ?? null,
  };
}

function duplicatesInput(
  run: Run,
  snapshot: FrozenSnapshot,
  duplicateCheckId: string,
): Omit<CheckDuplicatesInput, 'trace' | 'contractDraftId'> {
  const { revisionOf } = run.input;
  return {
    duplicateCheckId,
    capabilityName: run.input.intent.name,
    thresholds: snapshot.duplicateThresholds,
    // A revision is not a duplicate of the capability it revises; everything else still counts.
    ...(revisionOf ? { excludeCapabilityKey: revisionOf } : {}),
  };
}

function contracted(run: Run, contract: GenerateContractResult): void {
  const { state } = run;
  state.contractDraftId = contract.contractDraftId;
  state.capabilityVersion = contract.version ?? null;
  state.breakingRules = contract.breakingRules ?? [];
  state.contractValidationOutcome = contract.outcome;
  state.lifecycleState = 'Draft';
  run.trace = carriedTrace(contract, () => traceWithContract(traceOf(run), contract.outcome));
  step(run, 'contract');
}

function checkedDuplicates(run: Run, duplicates: CheckDuplicatesResult): void {
  run.state.duplicateOutcome = duplicates.outcome;
  run.trace = carriedTrace(duplicates, () => traceWithDuplicates(traceOf(run), duplicates.outcome));
  upsertSearchAttributes([{ key: DuplicateOutcomeKey, value: duplicates.outcome }]);
  step(run, 'duplicates');
}
