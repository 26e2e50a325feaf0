import type { AppConfig } from '../../lib/config';
import { withGenAiSpans } from './instrumented';
import { LocalDeterministicModel } from './local';
import { OpenAiModel } from './openai';
import type { ModelRuntime } from './runtime';

/**
 * The adapters this worker can run, by provider name; the snapshot's chain (exactly the configured
 * `AI_MODEL_PROVIDERS`, never more) picks among them. Each call is a GenAI span.
 */
export function createModelRuntimes(config: AppConfig): Record<string, ModelRuntime> {
  const models: Record<string, ModelRuntime> = { local: withGenAiSpans(new LocalDeterministicModel()) };
  if (config.openaiApiKey) {
    models.openai = withGenAiSpans(
      new OpenAiModel({
        apiKey: config.openaiApiKey,
        baseURL: config.openaiBaseUrl,
        model: config.openaiModel,
        timeoutMs: config.openaiTimeoutMs,
        maxTokens: config.security.modelMaxTokens,
      }),
    );
  }
  return models;
}
