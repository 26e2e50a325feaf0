import type { ModelRequest, ModelResponse, ModelRuntime } from './runtime';

/**
 * A deterministic, offline model: it builds a plausible contract from the intent alone. It is the
 * default when no provider key is configured and the last link of every chain; its identity
 * ("local" / "local-deterministic-v1") is recorded wherever a real model's would be.
 */
export class LocalDeterministicModel implements ModelRuntime {
  readonly provider = 'local';
  readonly model = 'local-deterministic-v1';

  async generate({ intent }: ModelRequest): Promise<ModelResponse> {
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
    return { text: JSON.stringify(candidate), usage: { promptTokens: null, completionTokens: null } };
  }
}
