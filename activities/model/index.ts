import type { AppConfig } from '../../lib/config';
import { LocalDeterministicModel } from './local';
import { OpenAiModel } from './openai';
import type { ModelRuntime } from './runtime';

/** The adapters this worker can run, by provider name; the snapshot's chain picks among them. */
export function createModelRuntimes(config: AppConfig): Record<string, ModelRuntime> {
  const models: Record<string, ModelRuntime> = { local: new LocalDeterministicModel() };
  if (config.openaiApiKey) {
    models.openai = new OpenAiModel({
      apiKey: config.openaiApiKey,
      baseURL: config.openaiBaseUrl,
      model: config.openaiModel,
      timeoutMs: config.openaiTimeoutMs,
    });
  }
  return models;
}
