import { Context } from '@temporalio/activity';
import type { GenerationRunInput } from '../domain/types';
import { createResolveAuthority, type ResolveAuthorityResult } from './authority';
import type { ActivityDeps } from './deps';
import { createAssemblePrompt, type AssembledPromptResult } from './prompt';
import { createRecordRunRequested, type RunRequestedResult } from './run-requested';
import { createFreezeSnapshot, type FreezeSnapshotResult } from './snapshot';
import { asStep, attemptTelemetryInterceptor } from './telemetry/attempt-interceptor';

/** The ids the workflow made for each intake step's rows. */
export interface AdmitRunInput {
  run: GenerationRunInput;
  governanceDecisionId: string;
  executionSnapshotId: string;
  promptRunId: string;
}

export interface AdmitRunResult {
  requested: RunRequestedResult;
  authority: ResolveAuthorityResult;
  /** Null when authority denied the run: nothing is frozen. */
  snapshot: FreezeSnapshotResult | null;
  /** Null when authority denied the run: nothing is assembled. */
  prompt: AssembledPromptResult | null;
}

/**
 * Intake in one activity: request, authority, snapshot and prompt, each by its own step function
 * with the workflow's ids, so each commits its own rows, events and stored result as it would
 * alone. A retry after a partial commit gets the committed steps' stored answers and does the
 * rest. One local activity instead of four: one workflow activation and one marker, not four.
 */
export function createAdmitRun(deps: ActivityDeps) {
  const recordRunRequested = createRecordRunRequested(deps);
  const resolveAuthority = createResolveAuthority(deps);
  const freezeSnapshot = createFreezeSnapshot(deps);
  const assemblePrompt = createAssemblePrompt(deps);
  const attemptRecorder = attemptTelemetryInterceptor(deps);

  return async function admitRun(input: AdmitRunInput): Promise<AdmitRunResult> {
    const { run, governanceDecisionId, executionSnapshotId, promptRunId } = input;
    const requested = await recordRunRequested(run);
    const admit = async (): Promise<AdmitRunResult> => {
      const authority = await asStep('authority', requested.trace, () =>
        resolveAuthority({ run, governanceDecisionId, trace: requested.trace }),
      );
      const { trace: authorityTrace, ...decision } = authority;
      if (decision.decision === 'DENY') return { requested, authority, snapshot: null, prompt: null };
      const snapshot = await asStep('snapshot', authorityTrace, () =>
        freezeSnapshot({ run, authority: decision, executionSnapshotId, trace: authorityTrace }),
      );
      const prompt = await asStep('prompt', snapshot.trace, () =>
        assemblePrompt({
          run,
          promptRunId,
          template: snapshot.promptTemplate,
          allowedRuntimes: snapshot.allowedRuntimes,
          primaryRuntime: snapshot.providerChain[0]!,
          emitPromptHashes: snapshot.emitPromptHashes,
          trace: snapshot.trace,
        }),
      );
      return { requested, authority, snapshot, prompt };
    };
    // The worker's interceptor puts a failed attempt on the ledger under the trace its input
    // carries; this input has none until the request is recorded, so the steps after it run under
    // the same interceptor again, given the request's trace (the worker's does not log them twice).
    let ctx: Context;
    try {
      ctx = Context.current();
    } catch {
      return admit(); // called outside an activity (scripts, tests of the plain function)
    }
    const recorded = attemptRecorder(ctx).inbound!.execute!(
      { args: [{ ...input, trace: requested.trace }], headers: {} },
      admit,
    );
    return (await recorded) as AdmitRunResult;
  };
}
