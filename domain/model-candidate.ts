import { z } from 'zod';
import { MODEL_FAILURE, ModelError } from './failures';

/**
 * What a model must return. Unknown keys are dropped (models add commentary); missing or
 * mistyped ones make the completion invalid, with the path named.
 */
const jsonSchemaObject = z.record(z.string(), z.unknown());

export const generatedCandidateSchema = z.object({
  manifest: z.object({
    name: z.string().min(1).max(120),
    description: z.string().min(1).max(2000),
    version: z.string().min(1).max(32).default('1.0.0'),
    runtime: z.string().min(1).max(64),
    language: z.string().min(1).max(64),
    tags: z.array(z.string().max(64)).max(20).default([]),
  }),
  inputSchema: jsonSchemaObject,
  outputSchema: jsonSchemaObject,
  runtimeConstraints: z.object({
    timeoutMs: z.number().int().positive().max(900_000),
    memoryMb: z.number().int().positive().max(16_384),
    network: z.enum(['none', 'egress-allowlist', 'full']),
    allowedHosts: z.array(z.string().max(253)).max(50).default([]),
  }),
  scaffold: z.object({
    entrypoint: z.string().min(1).max(200),
    files: z.array(z.object({ path: z.string().min(1).max(200), purpose: z.string().max(500) })).max(50),
  }),
});
export type GeneratedCandidate = z.infer<typeof generatedCandidateSchema>;

function stripCodeFence(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

export function parseCandidate(text: string): GeneratedCandidate {
  let json: unknown;
  try {
    json = JSON.parse(stripCodeFence(text));
  } catch (err) {
    throw new ModelError(MODEL_FAILURE.invalidOutput, `completion is not JSON: ${(err as Error).message}`);
  }
  const parsed = generatedCandidateSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelError(MODEL_FAILURE.invalidOutput, `completion does not match the contract shape: ${issues}`);
  }
  return parsed.data;
}
