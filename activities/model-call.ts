import { ApplicationFailure, Context } from '@temporalio/activity';
import { insertPromptArtifact } from '../db/repositories/prompts';
import { canonicalJson, deterministicUuid, sha256Hex } from '../lib/deterministic-id';
import type { GenerationIntent, RuntimeIdentity } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { parseCandidate, type GeneratedCandidate } from './model/candidate';
import { ModelError, MODEL_FAILURE } from './model/runtime';
import type { PromptMessage } from './prompts/assemble';
import { redact, redactJson } from './prompts/redact';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from './telemetry/event';

export interface CallModelInput {
  runtime: RuntimeIdentity;
  promptRunId: string;
  messages: PromptMessage[];
  intent: GenerationIntent;
  /** The preset's attempt limit, so a failure event can say whether a retry follows. */
  maxAttempts: number;
  trace: TraceContext;
}

export interface CallModelResult {
  runtime: RuntimeIdentity;
  candidate: GeneratedCandidate;
  artifactId: string;
}

/**
 * One attempt against one provider. Every attempt leaves an artifact and a telemetry event —
 * the completion, or the failure with whether Temporal will retry — before the typed failure is
 * rethrown for the retry policy and the workflow's fallback.
 */
export function createCallModel(deps: ActivityDeps) {
  return async function callModel(input: CallModelInput): Promise<CallModelResult> {
    const { trace, runtime } = input;
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const adapter = deps.models[runtime.provider];
    if (!adapter || adapter.model !== runtime.model) {
      throw ApplicationFailure.nonRetryable(
        `model runtime ${runtime.provider}/${runtime.model} frozen in the snapshot is not available on this worker`,
        'Model:RuntimeUnavailable',
      );
    }
    const artifactId = deterministicUuid(input.promptRunId, runtime.provider, attempt);
    const t: TraceContext = { ...trace, runtime };
    const base = {
      id: artifactId,
      ...evidenceLinks(trace),
      prompt_run_id: input.promptRunId,
      runtime_provider: runtime.provider,
      model_identity: runtime.model,
      attempt,
    };
    const started = Date.now();
    let text: string | null = null;
    try {
      const response = await adapter.generate({
        messages: input.messages,
        intent: input.intent,
        signal: ctx.cancellationSignal,
      });
      text = response.text;
      const candidate = parseCandidate(response.text);
      const redacted = redactJson(candidate).value;
      const event = buildTelemetryEvent(
        deterministicUuid(artifactId, 'MODEL_CALL_SUCCEEDED'),
        t,
        'MODEL_CALL_SUCCEEDED',
        'model',
        'SUCCEEDED',
        {
          attempt,
          details: { latencyMs: Date.now() - started, usage: response.usage },
        },
      );
      await commitStep(deps, [event], (trx) =>
        insertPromptArtifact(trx, {
          ...base,
          kind: 'COMPLETION',
          content: JSON.stringify(redacted),
          content_hash: sha256Hex(canonicalJson(candidate)),
          error_type: null,
          error_message: null,
          latency_ms: Date.now() - started,
        }),
      );
      return { runtime, candidate, artifactId };
    } catch (err) {
      const failure =
        err instanceof ModelError
          ? err
          : new ModelError(MODEL_FAILURE.unavailable, `model adapter failed: ${String(err)}`, { cause: err });
      const willRetry = failure.retryable && attempt < input.maxAttempts;
      const message = redact(failure.message).text;
      const event = buildTelemetryEvent(
        deterministicUuid(artifactId, 'MODEL_ATTEMPT_FAILED'),
        t,
        'MODEL_ATTEMPT_FAILED',
        'model',
        willRetry ? 'RETRYING' : 'FAILED',
        {
          attempt,
          error: { type: failure.type, message },
          details: { willRetry, latencyMs: Date.now() - started },
        },
      );
      await commitStep(deps, [event], (trx) =>
        insertPromptArtifact(trx, {
          ...base,
          kind: 'FAILED_ATTEMPT',
          // Evidence of what came back, redacted and cut short; never the prompt.
          content: JSON.stringify({ completionExcerpt: text === null ? null : redact(text.slice(0, 2000)).text }),
          content_hash: sha256Hex(text ?? ''),
          error_type: failure.type,
          error_message: message,
          latency_ms: Date.now() - started,
        }),
      );
      throw ApplicationFailure.create({ message, type: failure.type, nonRetryable: !failure.retryable });
    }
  };
}
