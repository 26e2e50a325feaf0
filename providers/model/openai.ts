import OpenAI from 'openai';
import { z } from 'zod';
import { MODEL_FAILURE, ModelError } from '../../domain/failures';
import { generatedCandidateSchema } from '../../domain/model-candidate';
import type { ModelRequest, ModelResponse, ModelRuntime } from './runtime';
import { tokenCounterFor, type TokenCounter } from './tokenizer';

export interface OpenAiModelOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  /** `max_tokens` on every call (MODEL_MAX_TOKENS): a runaway completion is cut, never billed open-ended. */
  maxTokens?: number;
}

/**
 * OpenAI, or any OpenAI-compatible endpoint via `baseURL`. The client's own retries are off:
 * Temporal's retry policy is the one retry layer, so every attempt is visible.
 */
export class OpenAiModel implements ModelRuntime {
  readonly provider = 'openai';
  readonly model: string;
  readonly runtimeClass = 'production' as const;
  readonly tokenizer: TokenCounter;
  private readonly client: OpenAI;
  private readonly maxTokens: number;

  constructor(opts: OpenAiModelOptions) {
    this.model = opts.model;
    this.maxTokens = opts.maxTokens ?? 4096;
    this.tokenizer = tokenCounterFor(opts.model);
    this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs, maxRetries: 0 });
  }

  async generate({ messages, signal }: ModelRequest): Promise<ModelResponse> {
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          response_format: CANDIDATE_RESPONSE_FORMAT,
          temperature: 0,
          max_tokens: this.maxTokens,
        },
        { signal },
      );
      const choice = completion.choices[0];
      const refusal = (choice?.message as { refusal?: string | null } | undefined)?.refusal;
      if (refusal) throw new ModelError(MODEL_FAILURE.invalidOutput, `model refused: ${refusal.slice(0, 300)}`);
      if (choice?.finish_reason === 'length') {
        throw new ModelError(MODEL_FAILURE.invalidOutput, 'completion was cut off at the token limit');
      }
      const text = choice?.message?.content;
      if (!text) throw new ModelError(MODEL_FAILURE.invalidOutput, 'completion has no message content');
      if (text.length > MAX_COMPLETION_CHARS) {
        throw new ModelError(
          MODEL_FAILURE.invalidOutput,
          `completion is ${text.length} characters; at most ${MAX_COMPLETION_CHARS}`,
        );
      }
      const reported = completion.usage;
      return {
        text,
        responseModel: completion.model || this.model,
        // The provider's own figures when it reports them; otherwise our tokenizer's count.
        usage: reported
          ? { promptTokens: reported.prompt_tokens, completionTokens: reported.completion_tokens, source: 'provider' }
          : {
              promptTokens: this.tokenizer.countChat(messages),
              completionTokens: this.tokenizer.count(text),
              source: 'tokenizer',
            },
      };
    } catch (err) {
      throw toModelError(err);
    }
  }
}

/** Size cap on model output before it is parsed (JSON.parse and zod are linear, but memory is not free). */
const MAX_COMPLETION_CHARS = 256 * 1024;

/**
 * Structured outputs: the candidate's JSON Schema as the response format. Strict mode needs every
 * object closed with all properties required; the candidate's input and output schemas are open
 * JSON Schema documents, so strict mode is used only when the schema allows it and the reply is
 * always validated again (a mismatch is `Model:InvalidOutput`: recorded, not retried, fallback).
 */
export const CANDIDATE_JSON_SCHEMA = z.toJSONSchema(generatedCandidateSchema, { io: 'input' }) as Record<
  string,
  unknown
>;
delete CANDIDATE_JSON_SCHEMA.$schema;

export function strictCompatible(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return true;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object') {
    const props = s.properties as Record<string, unknown> | undefined;
    if (!props || s.additionalProperties !== false) return false;
    const required = new Set((s.required as string[] | undefined) ?? []);
    if (Object.keys(props).some((k) => !required.has(k))) return false;
    return Object.values(props).every(strictCompatible);
  }
  if (s.type === 'array') return strictCompatible(s.items);
  return true;
}

export const CANDIDATE_RESPONSE_FORMAT = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'capability_candidate',
    description: 'A capability contract candidate: manifest, input/output JSON Schema, constraints, scaffold.',
    schema: CANDIDATE_JSON_SCHEMA,
    strict: strictCompatible(CANDIDATE_JSON_SCHEMA),
  },
};

export function toModelError(err: unknown): ModelError {
  if (err instanceof ModelError) return err;
  // Checked before APIError, of which it is a status-less subclass.
  if (err instanceof OpenAI.APIUserAbortError) {
    return new ModelError(MODEL_FAILURE.timeout, 'model request was aborted', { cause: err });
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError(MODEL_FAILURE.timeout, 'model request timed out', { cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new ModelError(MODEL_FAILURE.unavailable, `cannot reach the model endpoint: ${err.message}`, { cause: err });
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    // The provider's message is kept, but never the request (it may echo the prompt).
    const what = `model endpoint answered: ${err.message}`.slice(0, 500);
    if (status === 429) return new ModelError(MODEL_FAILURE.rateLimited, what, { cause: err });
    if (status === 401 || status === 403) return new ModelError(MODEL_FAILURE.authFailed, what, { cause: err });
    if (status === 408) return new ModelError(MODEL_FAILURE.timeout, what, { cause: err });
    if (status >= 500) return new ModelError(MODEL_FAILURE.unavailable, what, { cause: err });
    return new ModelError(MODEL_FAILURE.badRequest, what, { cause: err });
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return new ModelError(MODEL_FAILURE.timeout, 'model request was aborted', { cause: err });
  }
  return new ModelError(MODEL_FAILURE.unavailable, `model call failed: ${String(err)}`, { cause: err });
}
