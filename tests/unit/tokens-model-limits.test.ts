import { OpenAiModel } from '../../providers/model/openai';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';

/** Limits on model calls: `max_tokens` on every request, and oversized output refused unparsed. */
let openai: FakeOpenAi;
beforeAll(async () => {
  openai = await startFakeOpenAi();
});
afterAll(async () => openai?.close());

const intent = { name: 'Weather Lookup', targetRuntime: 'node20', language: 'typescript' };
const model = (maxTokens?: number) =>
  new OpenAiModel({
    apiKey: 'sk-test-unit',
    baseURL: openai.baseUrl,
    model: 'gpt-4o-mini',
    timeoutMs: 5000,
    maxTokens,
  });

describe('model call limits', () => {
  it('sends max_tokens (MODEL_MAX_TOKENS) with every request', async () => {
    openai.script({ kind: 'completion', content: completionFor(intent) });
    await model(321).generate({ messages: [{ role: 'user', content: 'hi' }] } as never);
    expect(openai.requests[openai.requests.length - 1]!.body.max_tokens).toBe(321);
  });

  it('refuses a completion over the size cap as invalid output', async () => {
    openai.script({ kind: 'completion', content: completionFor(intent, { padding: 'x'.repeat(300 * 1024) }) });
    await expect(model().generate({ messages: [{ role: 'user', content: 'hi' }] } as never)).rejects.toThrow(
      /at most 262144/,
    );
  });
});
