import { Tiktoken, getEncodingNameForModel, type TiktokenBPE, type TiktokenModel } from 'js-tiktoken/lite';

/**
 * Token counts. OpenAI models are counted with their real BPE (`js-tiktoken`: o200k_base for the
 * GPT-4o / 4.1 / 5 / o-series families, cl100k_base for GPT-4 and 3.5); any other model gets the
 * documented estimate of one token per four characters, rounded up, and says so in `name`.
 *
 * Chat messages add a fixed framing per message, following OpenAI's published counting recipe:
 * 3 tokens per message (role and separators) plus 3 that prime the reply.
 */

export type TokenCounterName = 'o200k_base' | 'cl100k_base' | 'estimate:chars/4';

export interface TokenCounter {
  /** Which tokenizer counted: a real encoding, or the estimate. */
  readonly name: TokenCounterName;
  count(text: string): number;
  countChat(messages: ReadonlyArray<{ role: string; content: string }>): number;
}

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_REPLY = 3;

/** The documented estimate for models without a known tokenizer. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// Building an encoder from its ranks takes a moment (o200k is ~4 MB): once per encoding, on first use.
const encodings = new Map<string, Tiktoken>();
function encoding(name: 'o200k_base' | 'cl100k_base'): Tiktoken {
  let e = encodings.get(name);
  if (!e) {
    // The ranks are CommonJS data modules reached through the package's export map.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const ranks = (
      name === 'o200k_base' ? require('js-tiktoken/ranks/o200k_base') : require('js-tiktoken/ranks/cl100k_base')
    ) as TiktokenBPE;
    /* eslint-enable @typescript-eslint/no-require-imports */
    e = new Tiktoken(ranks);
    encodings.set(name, e);
  }
  return e;
}

/** The encoding of an OpenAI model: the package's table, then the family prefixes it may not list yet. */
export function encodingNameFor(model: string): 'o200k_base' | 'cl100k_base' | null {
  try {
    const name = getEncodingNameForModel(model as TiktokenModel);
    if (name === 'o200k_base' || name === 'cl100k_base') return name;
  } catch {
    // not in the package's table
  }
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)/.test(model)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002)/.test(model)) return 'cl100k_base';
  return null;
}

function chat(count: (t: string) => number) {
  return (messages: ReadonlyArray<{ role: string; content: string }>) =>
    messages.reduce((n, m) => n + TOKENS_PER_MESSAGE + count(m.role) + count(m.content), 0) + TOKENS_PER_REPLY;
}

export function tokenCounterFor(model: string): TokenCounter {
  const name = encodingNameFor(model);
  if (name === null) {
    return { name: 'estimate:chars/4', count: estimateTokens, countChat: chat(estimateTokens) };
  }
  const count = (text: string) => encoding(name).encode(text, [], []).length;
  return { name, count, countChat: chat(count) };
}
