import { getEncoding } from 'js-tiktoken';
import { CANDIDATE_RESPONSE_FORMAT, strictCompatible } from '../../providers/model/openai';
import {
  encodingNameFor,
  estimateTokens,
  tokenCounterFor,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_REPLY,
} from '../../providers/model/tokenizer';

const text = 'Extract totals and line items from an invoice PDF, then return {"total": 12.5} as JSON.';

describe('token counts', () => {
  it.each([
    ['gpt-4o-mini', 'o200k_base'],
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['gpt-4.1-mini', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['llama-3.1-70b', null],
    ['local-deterministic-v1', null],
  ])('%s is counted with %s', (model, encoding) => {
    expect(encodingNameFor(model)).toBe(encoding);
  });

  it.each(['o200k_base', 'cl100k_base'] as const)('match the reference %s encoder exactly', (name) => {
    const model = name === 'o200k_base' ? 'gpt-4o-mini' : 'gpt-4';
    const reference = getEncoding(name);
    const counter = tokenCounterFor(model);
    expect(counter.name).toBe(name);
    for (const sample of [text, 'hello world', 'Ünïcödé — 日本語のテキスト', '']) {
      expect(counter.count(sample)).toBe(reference.encode(sample).length);
    }
    expect(counter.count('hello world')).toBe(2);
  });

  it('uses the documented estimate (one token per four characters, rounded up) for unknown models', () => {
    const counter = tokenCounterFor('llama-3.1-70b');
    expect(counter.name).toBe('estimate:chars/4');
    expect(counter.count(text)).toBe(Math.ceil(text.length / 4));
    expect(estimateTokens('abcde')).toBe(2);
  });

  it('counts chat messages with the per-message and reply framing', () => {
    const counter = tokenCounterFor('gpt-4o-mini');
    const messages = [
      { role: 'system', content: 'You design capabilities.' },
      { role: 'user', content: text },
    ];
    const expected =
      messages.reduce((n, m) => n + TOKENS_PER_MESSAGE + counter.count(m.role) + counter.count(m.content), 0) +
      TOKENS_PER_REPLY;
    expect(counter.countChat(messages)).toBe(expected);
  });
});

describe('structured outputs', () => {
  it('asks for the candidate JSON Schema, strict only where every object is closed', () => {
    expect(CANDIDATE_RESPONSE_FORMAT.type).toBe('json_schema');
    const schema = CANDIDATE_RESPONSE_FORMAT.json_schema.schema as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['manifest', 'inputSchema', 'outputSchema', 'runtimeConstraints', 'scaffold']),
    );
    // inputSchema/outputSchema are open JSON Schema documents: strict mode cannot describe them.
    expect(CANDIDATE_RESPONSE_FORMAT.json_schema.strict).toBe(false);
    expect(
      strictCompatible({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'number' } } },
        required: ['a', 'b'],
        additionalProperties: false,
      }),
    ).toBe(true);
    expect(strictCompatible({ type: 'object', properties: { a: { type: 'string' } }, required: [] })).toBe(false);
  });
});
