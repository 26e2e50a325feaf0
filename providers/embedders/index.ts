import type { Embedder } from '../../domain/duplicates/detector';
import { LocalLexicalEmbedder } from './local';
import { OpenAiEmbedder } from './openai';

export interface EmbedderConfig {
  /** Set to use an OpenAI-compatible embeddings endpoint instead of the local embedder. */
  embeddingsModel?: string;
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  openaiTimeoutMs?: number;
}

/**
 * The configured embedder: an OpenAI-compatible endpoint when `AI_EMBEDDINGS_MODEL` and a key are
 * set, else the local lexical embedder. Vectors record which one made them.
 */
export function createEmbedder(cfg: EmbedderConfig = embedderConfigFromEnv()): Embedder {
  if (cfg.embeddingsModel && cfg.openaiApiKey) {
    return new OpenAiEmbedder({
      apiKey: cfg.openaiApiKey,
      baseURL: cfg.openaiBaseUrl,
      model: cfg.embeddingsModel,
      timeoutMs: cfg.openaiTimeoutMs ?? 30_000,
    });
  }
  return new LocalLexicalEmbedder();
}

export function embedderConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbedderConfig {
  return {
    embeddingsModel: env.AI_EMBEDDINGS_MODEL || undefined,
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    openaiBaseUrl: env.OPENAI_BASE_URL || undefined,
    openaiTimeoutMs: env.OPENAI_TIMEOUT_MS ? Number(env.OPENAI_TIMEOUT_MS) : undefined,
  };
}
