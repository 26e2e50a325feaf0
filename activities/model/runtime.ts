import type { GenerationIntent } from '../../workflows/types';
import type { PromptMessage } from '../prompts/assemble';

/**
 * The runtime adapter every model provider implements. Controllers and the workflow never see a
 * provider's SDK; they see this interface and the typed failures below.
 */
export interface ModelRequest {
  messages: PromptMessage[];
  /** The structured intent, for adapters that do not read prose (the local one). */
  intent: GenerationIntent;
  signal?: AbortSignal;
}

export interface ModelResponse {
  /** The raw completion text; parsed and validated by the caller, whatever the provider. */
  text: string;
  usage: { promptTokens: number | null; completionTokens: number | null };
}

export interface ModelRuntime {
  readonly provider: string;
  readonly model: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
}

/** Failure types are namespaced; the workflow's retry policy and fallback branch on them. */
export const MODEL_FAILURE = {
  rateLimited: 'Model:RateLimited',
  unavailable: 'Model:Unavailable',
  timeout: 'Model:Timeout',
  authFailed: 'Model:AuthFailed',
  badRequest: 'Model:BadRequest',
  invalidOutput: 'Model:InvalidOutput',
} as const;
export type ModelFailureType = (typeof MODEL_FAILURE)[keyof typeof MODEL_FAILURE];

/** Retrying the same provider cannot help these; the workflow falls back at once. */
export const NON_RETRYABLE_MODEL_FAILURES: readonly ModelFailureType[] = [
  MODEL_FAILURE.authFailed,
  MODEL_FAILURE.badRequest,
  MODEL_FAILURE.invalidOutput,
];

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly type: ModelFailureType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return !NON_RETRYABLE_MODEL_FAILURES.includes(this.type);
  }
}
