import type { ModelRequest, ModelResponse, ModelRuntime } from './runtime';
import { tokenCounterFor } from './tokenizer';

/**
 * A deterministic, offline model: it builds a plausible contract from the intent alone. A
 * development runtime: the default chain only in development and test when no provider key is
 * configured, never added to a chain implicitly. Its identity ("local" / "local-deterministic-v1",
 * runtime class `development`) is recorded wherever a real model's would be, and in production its
 * drafts cannot be promoted past Review.
 */
export class LocalDeterministicModel implements ModelRuntime {
  readonly provider = 'local';
  readonly model = 'local-deterministic-v1';
  readonly runtimeClass = 'development' as const;
  readonly tokenizer = tokenCounterFor(this.model);

  async generate({ intent, messages }: ModelRequest): Promise<ModelResponse> {
    const seed = intent.seedInputSchema;
    const inputSchema =
      seed && typeof seed === 'object'
        ? seed
        : {
            type: 'object',
            properties: { query: { type: 'string', description: `What to ${intent.name.toLowerCase()}` } },
            required: ['query'],
            additionalProperties: false,
          };
    const candidate = {
      manifest: {
        name: intent.name,
        description: intent.problemStatement,
        version: '1.0.0',
        runtime: intent.targetRuntime,
        language: intent.language,
        tags: ['generated', 'local'],
      },
      inputSchema,
      outputSchema: {
        type: 'object',
        properties: {
          result: { type: 'string', description: `Result of ${intent.name}` },
          warnings: { type: 'array', items: { type: 'string' }, description: 'Non-fatal problems met' },
        },
        required: ['result'],
        additionalProperties: false,
      },
      runtimeConstraints: { timeoutMs: 30_000, memoryMb: 256, network: 'none', allowedHosts: [] },
      scaffold: {
        entrypoint: intent.language === 'python' ? 'main.py' : 'index.ts',
        files: [
          { path: intent.language === 'python' ? 'main.py' : 'index.ts', purpose: 'capability handler' },
          { path: 'schema/input.json', purpose: 'input JSON Schema' },
          { path: 'schema/output.json', purpose: 'output JSON Schema' },
        ],
      },
    };
    const text = JSON.stringify(candidate);
    // No provider to report usage: counted with this runtime's tokenizer (the documented estimate).
    return {
      text,
      responseModel: this.model,
      usage: {
        promptTokens: this.tokenizer.countChat(messages),
        completionTokens: this.tokenizer.count(text),
        source: 'tokenizer',
      },
    };
  }
}
