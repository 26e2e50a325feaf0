import { mergeCounts, redact, redactJson } from '../domain/prompts/redact';
import type { GenerationIntent } from '../domain/types';

/**
 * Redact once, at the edge: the intent is redacted here, before the run row, the snapshot, the
 * Temporal history, the model, drafts, catalog, logs, spans and metrics ever see it. Only this
 * redacted copy exists afterwards (the capability key is derived from the redacted name).
 */
export function redactIntent(intent: GenerationIntent): {
  intent: GenerationIntent;
  redactions: Array<{ kind: string; count: number }>;
} {
  const name = redact(intent.name);
  const problem = redact(intent.problemStatement);
  const seed = redactJson(intent.seedInputSchema);
  const examples = redactJson(intent.examples);
  return {
    intent: {
      ...intent,
      name: name.text,
      problemStatement: problem.text,
      seedInputSchema: seed.value,
      examples: examples.value,
    },
    redactions: mergeCounts(name.counts, problem.counts, seed.counts, examples.counts),
  };
}

/** Reviewer comments are stored in governance records and history: redacted the same way. */
export function redactComment<T extends string | null>(comment: T): T {
  return (comment === null ? null : redact(comment).text) as T;
}

/** The correlation id as stored: `<tenant>/<X-Correlation-Id>`, so it never collides across tenants. */
export function tenantCorrelationId(tenantId: string, correlationId: string): string {
  return `${tenantId}/${correlationId}`;
}
