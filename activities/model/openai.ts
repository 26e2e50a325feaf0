import OpenAI from 'openai';
import { MODEL_FAILURE, ModelError, type ModelRequest, type ModelResponse, type ModelRuntime } from './runtime';

export interface OpenAiModelOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
}

/**
 * OpenAI, or any OpenAI-compatible endpoint via `baseURL`. The client's own retries are off:
 * Temporal's retry policy is the one retry layer, so every attempt is visible.
 */
export class OpenAiModel implements ModelRuntime {
  readonly provider = 'openai';
  readonly model: string;
  private readonly client: OpenAI;

  constructor(opts: OpenAiModelOptions) {
    this.model = opts.model;
    this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs, maxRetries: 0 });
  }

  async generate({ messages, signal }: ModelRequest): Promise<ModelResponse> {
    try {
      const completion = await this.client.chat.completions.create(
        { model: this.model, messages, response_format: { type: 'json_object' }, temperature: 0 },
        { signal },
      );
      const text = completion.choices[0]?.message?.content;
      if (!text) throw new ModelError(MODEL_FAILURE.invalidOutput, 'completion has no message content');
      return {
        text,
        usage: {
          promptTokens: completion.usage?.prompt_tokens ?? null,
          completionTokens: completion.usage?.completion_tokens ?? null,
        },
      };
    } catch (err) {
      throw toModelError(err);
    }
  }
}

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
