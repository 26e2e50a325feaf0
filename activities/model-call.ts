import { ApplicationFailure, Context } from '@temporalio/activity';
import { insertPromptArtifact, recordPromptRunAnswer } from '../db/repositories/prompts';
import type { TokenUsage } from '../providers/model/runtime';
import { willRetry as temporalWillRetry } from './telemetry/retry';
import { canonicalJson, deterministicUuid, sha256Hex } from '../domain/deterministic-id';
import type { GenerationIntent, RuntimeIdentity } from '../domain/types';
import type { ActivityDeps } from './deps';
import { parseCandidate, type GeneratedCandidate } from '../domain/model-candidate';
import { ModelError, MODEL_FAILURE, RUN_FAILURE } from '../domain/failures';
import { traceWithRuntime } from '../domain/trace';
import type { Db } from '../db/database';
import type { PromptMessage } from '../domain/prompts/assemble';
import { redact, redactJson } from '../domain/prompts/redact';
import { commitStep, commitStepOnce } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from '../domain/telemetry-event';

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
  /** The trace with the runtime that answered on it. */
  trace: TraceContext;
}

/** How often a waiting model call tells Temporal it is alive (the preset's heartbeat timeout is longer). */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * One attempt against one provider. Every attempt leaves an artifact and a telemetry event, keyed
 * by (prompt run, provider, attempt): the completion, or the failure with whether Temporal will
 * retry, before the typed failure is rethrown for the retry policy and the workflow's fallback.
 * An attempt that finds it is a retry first records each earlier attempt that left no artifact (a
 * crash or a heartbeat timeout) as lost. The provider's answer is committed once per prompt run: a
 * retry after the answer was stored returns the stored answer without calling the model again, so
 * no two artifacts ever claim the same answer.
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
        MODEL_FAILURE.runtimeUnavailable,
      );
    }
    const t = traceWithRuntime(trace, runtime);
    const key = {
      step: `model:${runtime.provider}`,
      id: input.promptRunId,
      tenantId: trace.tenantId,
      runId: trace.runId,
    };
    return commitStepOnce(deps, key, async () => {
      if (attempt > 1) await recordLostAttempts(deps, input, t, attempt);
      const artifactId = modelArtifactId(input.promptRunId, runtime.provider, attempt);
      const base = {
        id: artifactId,
        ...evidenceLinks(trace),
        prompt_run_id: input.promptRunId,
        runtime_provider: runtime.provider,
        model_identity: runtime.model,
        attempt,
      };
      const started = deps.clock.now().getTime();
      const elapsed = () => deps.clock.now().getTime() - started;
      let text: string | null = null;
      let usage: TokenUsage | null = null;
      ctx.heartbeat();
      const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const response = await adapter.generate({
          messages: input.messages,
          intent: input.intent,
          signal: ctx.cancellationSignal,
          telemetry: { attempt, fallback: trace.fallback },
        });
        text = response.text;
        usage = response.usage;
        const candidate = parseCandidate(response.text);
        const redacted = redactJson(candidate).value;
        const latencyMs = elapsed();
        const event = buildTelemetryEvent(
          deterministicUuid(artifactId, 'MODEL_CALL_SUCCEEDED'),
          t,
          'MODEL_CALL_SUCCEEDED',
          'model',
          'SUCCEEDED',
          {
            attempt,
            details: {
              latencyMs,
              usage: response.usage,
              responseModel: response.responseModel,
              tokenizer: adapter.tokenizer.name,
            },
          },
        );
        return {
          result: { runtime, candidate, artifactId, trace: t },
          events: [event],
          write: async (trx: Db) => {
            await insertPromptArtifact(trx, {
              ...base,
              kind: 'COMPLETION',
              content: JSON.stringify(redacted),
              content_hash: sha256Hex(canonicalJson(candidate)),
              error_type: null,
              error_message: null,
              latency_ms: latencyMs,
              ...usageColumns(response.usage),
            });
            // The prompt run names who actually answered, not the chain's first provider.
            await recordPromptRunAnswer(trx, trace.tenantId, input.promptRunId, runtime);
          },
        };
      } catch (err) {
        const failure =
          err instanceof ModelError
            ? err
            : new ModelError(MODEL_FAILURE.unavailable, `model adapter failed: ${String(err)}`, { cause: err });
        // From the activity's real retry policy (attempt limit and non-retryable types), not a copy.
        const willRetry = temporalWillRetry(ctx.info, { type: failure.type, nonRetryable: !failure.retryable });
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
            details: { willRetry, latencyMs: elapsed(), usage },
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
            latency_ms: elapsed(),
            ...usageColumns(usage),
          }),
        );
        throw ApplicationFailure.create({ message, type: failure.type, nonRetryable: !failure.retryable });
      } finally {
        clearInterval(heartbeat);
      }
    });
  };
}

/** Token usage of one attempt, as artifact columns. */
function usageColumns(usage: TokenUsage | null) {
  return {
    prompt_tokens: usage?.promptTokens ?? null,
    completion_tokens: usage?.completionTokens ?? null,
    usage_source: usage?.source ?? null,
  };
}

/** One artifact per (prompt run, provider, attempt): an attempt's evidence has exactly one id. */
export function modelArtifactId(promptRunId: string, provider: string, attempt: number): string {
  return deterministicUuid(promptRunId, provider, attempt);
}

/** Each earlier attempt with no artifact ended in a crash or a timeout: record it as lost. */
async function recordLostAttempts(
  deps: ActivityDeps,
  input: CallModelInput,
  trace: TraceContext,
  attempt: number,
): Promise<void> {
  const ids = Array.from({ length: attempt - 1 }, (_, i) =>
    modelArtifactId(input.promptRunId, input.runtime.provider, i + 1),
  );
  const present = new Set(
    (
      await deps.db
        .selectFrom('ai_generation_prompt_artifacts')
        .select('id')
        .where('tenant_id', '=', trace.tenantId)
        .where('id', 'in', ids)
        .execute()
    ).map((r) => r.id),
  );
  for (let n = 1; n < attempt; n++) {
    const artifactId = ids[n - 1]!;
    if (present.has(artifactId)) continue;
    const message = `attempt ${n} ended without recording itself (worker crash or heartbeat timeout)`;
    const event = buildTelemetryEvent(
      deterministicUuid(artifactId, 'MODEL_ATTEMPT_FAILED'),
      trace,
      'MODEL_ATTEMPT_FAILED',
      'model',
      'RETRYING',
      {
        attempt: n,
        error: { type: RUN_FAILURE.attemptLost, message },
        details: { willRetry: true, recordedByAttempt: attempt },
      },
    );
    await commitStep(deps, [event], (trx) =>
      insertPromptArtifact(trx, {
        id: artifactId,
        ...evidenceLinks(trace),
        prompt_run_id: input.promptRunId,
        runtime_provider: input.runtime.provider,
        model_identity: input.runtime.model,
        attempt: n,
        kind: 'FAILED_ATTEMPT',
        content: JSON.stringify({ completionExcerpt: null }),
        content_hash: sha256Hex(''),
        error_type: RUN_FAILURE.attemptLost,
        error_message: message,
        latency_ms: 0,
      }),
    );
  }
}
