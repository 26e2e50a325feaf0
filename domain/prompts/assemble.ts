import { canonicalJson, sha256Hex } from '../deterministic-id';
import type { GenerationIntent } from '../types';
import { mergeCounts, redact, redactJson } from './redact';
import type { PromptTemplate } from './templates';

/**
 * Binds an intent into a template: approved slots only, every user-supplied value redacted, the
 * whole prompt kept within a token budget. Pure and deterministic: the same intent and template
 * always give the same messages and hash.
 */

export const DEFAULT_TOKEN_BUDGET = 3000;

export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

export interface AssembledPrompt {
  messages: PromptMessage[];
  sections: Array<{ name: string; role: 'system' | 'user'; text: string; hash: string }>;
  promptHash: string;
  redactions: Array<{ kind: string; count: number }>;
  tokenEstimate: number;
  tokenBudget: number;
  /** What was cut to meet the budget, in order. */
  budgetActions: string[];
}

export class PromptBudgetError extends Error {
  override name = 'PromptBudgetError';
}

export class PromptSlotError extends Error {
  override name = 'PromptSlotError';
}

/** A rough, provider-neutral estimate (about four characters per token for English and JSON). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function bind(text: string, values: Record<string, string>, slots: readonly string[]): string {
  return text.replace(/\{\{([a-zA-Z]+)\}\}/g, (_m, slot: string) => {
    if (!slots.includes(slot)) throw new PromptSlotError(`template uses slot "${slot}" that it does not declare`);
    const v = values[slot];
    if (v === undefined) throw new PromptSlotError(`no value bound for slot "${slot}"`);
    return v;
  });
}

export function assemblePrompt(
  template: PromptTemplate,
  intent: GenerationIntent,
  /** `countTokens`: the target model's tokenizer (default: the provider-neutral estimate). */
  context: { allowedRuntimes: string[]; countTokens?: (text: string) => number },
  tokenBudget = DEFAULT_TOKEN_BUDGET,
): AssembledPrompt {
  const name = redact(intent.name);
  const problem = redact(intent.problemStatement);
  const seed = redactJson(intent.seedInputSchema ?? {});
  const examples = redactJson(intent.examples);
  const budgetActions: string[] = [];

  let exampleList = examples.value;
  let problemText = problem.text;
  const render = () => {
    // User text reaches the model as data: each field JSON-encoded (quoted, newlines and quotes
    // escaped), so it cannot open a new line, section or instruction of its own in the prompt.
    const values: Record<string, string> = {
      name: JSON.stringify(name.text),
      problemStatement: JSON.stringify(problemText),
      language: intent.language,
      targetRuntime: intent.targetRuntime,
      seedInputSchema: intent.seedInputSchema ? canonicalJson(seed.value) : '(none)',
      examples: exampleList.length ? JSON.stringify(exampleList) : '(none)',
      allowedRuntimes: context.allowedRuntimes.join(', '),
    };
    return template.sections.map((s) => ({
      name: s.name,
      role: s.role,
      text: bind(s.text, values, template.parameterSlots),
    }));
  };

  let sections = render();
  const count = context.countTokens ?? estimateTokens;
  const total = () => sections.reduce((n, s) => n + count(s.text), 0);
  // Cut the least essential context first: examples, then the tail of the problem statement.
  while (total() > tokenBudget && exampleList.length > 0) {
    exampleList = exampleList.slice(0, -1);
    budgetActions.push('dropped one example');
    sections = render();
  }
  if (total() > tokenBudget) {
    const excessChars = (total() - tokenBudget) * 4 + 16;
    if (problemText.length - excessChars >= 200) {
      problemText = `${problemText.slice(0, problemText.length - excessChars)} [truncated]`;
      budgetActions.push(`truncated problem statement by ${excessChars} characters`);
      sections = render();
    }
  }
  if (total() > tokenBudget) {
    throw new PromptBudgetError(`prompt needs about ${total()} tokens, over the budget of ${tokenBudget}`);
  }

  const messages: PromptMessage[] = [];
  for (const s of sections) {
    const last = messages[messages.length - 1];
    if (last && last.role === s.role) last.content = `${last.content}\n\n${s.text}`;
    else messages.push({ role: s.role, content: s.text });
  }
  return {
    messages,
    sections: sections.map((s) => ({ ...s, hash: sha256Hex(s.text) })),
    promptHash: sha256Hex(canonicalJson({ template: `${template.templateId}@${template.version}`, messages })),
    redactions: mergeCounts(name.counts, problem.counts, seed.counts, examples.counts),
    tokenEstimate: total(),
    tokenBudget,
    budgetActions,
  };
}
