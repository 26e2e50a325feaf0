import { ActivityFailure, isCancellation, uuid4 } from '@temporalio/workflow';
import type { CallModelResult } from '../../activities/model-call';
import type { AssembledPromptResult } from '../../activities/prompt';
import type { FrozenSnapshot } from '../../activities/snapshot';
import { RUN_FAILURE } from '../../domain/failures';
import { MODEL_CALL_MAX_ATTEMPTS } from '../activity-options';
import { failureTypeOf } from './failure';
import { traceAfterFallback, traceWithRuntime } from '../../domain/trace';
import { carriedTrace, model, persistence, setStatus, step, traceOf, type Run } from './run';

export interface Generated {
  prompt: AssembledPromptResult;
  completion: CallModelResult;
}

/**
 * Generate: assemble the prompt from the frozen template, then walk the frozen provider chain;
 * each switch is a recorded fallback decision. Returns null when every provider failed (the run
 * ends FAILED, recorded).
 */
export async function generate(run: Run, snapshot: FrozenSnapshot): Promise<Generated | null> {
  const { input, state } = run;
  // Runs with `merged-intake` assembled it in intake (unless intake fell back to single steps).
  const prompt = run.prompt ?? (await assemble(run, snapshot));

  let completion: CallModelResult | null = null;
  const chain = snapshot.providerChain;
  for (let i = 0; i < chain.length && completion === null; i++) {
    const runtime = chain[i]!;
    try {
      completion = await model.callModel({
        runtime,
        promptRunId: prompt.promptRunId,
        messages: prompt.messages,
        intent: input.intent,
        maxAttempts: MODEL_CALL_MAX_ATTEMPTS,
        trace: traceOf(run),
      });
    } catch (err) {
      // A cancelled call is the operator's cancellation, not the provider's failure: no fallback.
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      const next = chain[i + 1] ?? null;
      const failureType = failureTypeOf(err);
      const reason = `${runtime.provider}/${runtime.model} failed (${failureType}): ${err.cause?.message ?? err.message}`;
      const fallback = { fromProvider: runtime.provider, toProvider: next?.provider ?? null, reason, failureType };
      state.fallbacks.push(fallback);
      const before = traceOf(run);
      const recorded = await persistence.recordFallback({ eventId: uuid4(), fallback, trace: before });
      run.trace = carriedTrace(recorded ?? {}, () => traceAfterFallback(before, fallback));
    }
  }
  if (completion === null) {
    const last = state.fallbacks[state.fallbacks.length - 1];
    await setStatus(run, 'FAILED', `every model provider failed; last: ${last?.reason ?? 'unknown'}`, true, {
      type: last?.failureType ?? RUN_FAILURE.chainExhausted,
      message: 'model provider chain exhausted',
    });
    return null;
  }
  state.runtime = completion.runtime;
  const answered = completion;
  run.trace = carriedTrace(answered, () => traceWithRuntime(traceOf(run), answered.runtime));
  step(run, 'model');
  return { prompt, completion };
}

async function assemble(run: Run, snapshot: FrozenSnapshot): Promise<AssembledPromptResult> {
  const prompt = await persistence.assemblePrompt({
    run: run.input,
    promptRunId: run.promptRunId ?? uuid4(),
    template: snapshot.promptTemplate,
    allowedRuntimes: snapshot.allowedRuntimes,
    primaryRuntime: snapshot.providerChain[0]!,
    emitPromptHashes: snapshot.emitPromptHashes,
    trace: traceOf(run),
  });
  step(run, 'prompt');
  return prompt;
}
