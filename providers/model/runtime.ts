import type { GenerationIntent } from '../../domain/types';
import type { PromptMessage } from '../../domain/prompts/assemble';
import type { TokenCounter } from './tokenizer';

/**
 * The runtime adapter every model provider implements. Controllers and the workflow never see a
 * provider's SDK; they see this interface and the typed failures below.
 */
export interface ModelRequest {
  messages: PromptMessage[];
  /** The structured intent, for adapters that do not read prose (the local one). */
  intent: GenerationIntent;
  signal?: AbortSignal;
  /** For the call's span: which attempt, where in the chain, and the fallback so far. */
  telemetry?: { attempt: number; fallback: { used: boolean; reason: string | null } };
}

export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  /** Where the figures came from: the provider's own report, or our tokenizer (see `tokenizer`). */
  source: 'provider' | 'tokenizer';
}

export interface ModelResponse {
  /** The raw completion text; parsed and validated by the caller, whatever the provider. */
  text: string;
  usage: TokenUsage;
  /** The model that answered, as the provider reports it (e.g. a dated snapshot of the requested one). */
  responseModel: string;
}

/**
 * `production`: a real model service. `development`: a runtime for working without one (the local
 * deterministic model). Drafts from a development runtime are marked as such everywhere, and in
 * production they cannot be promoted past Review.
 */
export type RuntimeClass = 'production' | 'development';

export interface ModelRuntime {
  readonly provider: string;
  readonly model: string;
  readonly runtimeClass: RuntimeClass;
  /** How this runtime's tokens are counted (a real tokenizer, or the documented estimate). */
  readonly tokenizer: TokenCounter;
  generate(request: ModelRequest): Promise<ModelResponse>;
}
