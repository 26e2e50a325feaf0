import { parseCandidate } from '../../domain/model-candidate';
import { MODEL_FAILURE, ModelError } from '../../domain/failures';

const valid = {
  manifest: { name: 'Get Weather', description: 'Weather for a city.', runtime: 'node20', language: 'typescript' },
  inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City' } } },
  outputSchema: { type: 'object', properties: { temperature: { type: 'number', description: 'Temp' } } },
  runtimeConstraints: { timeoutMs: 5000, memoryMb: 128, network: 'none' },
  scaffold: { entrypoint: 'index.ts', files: [{ path: 'index.ts', purpose: 'entry point' }] },
};

function invalidOutput(text: string): ModelError {
  try {
    parseCandidate(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    const e = err as ModelError;
    expect(e.type).toBe(MODEL_FAILURE.invalidOutput);
    expect(e.retryable).toBe(false);
    return e;
  }
  throw new Error(`parseCandidate accepted ${text}`);
}

function without(path: string[]): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  delete node[path[path.length - 1]!];
  return copy;
}

describe('parseCandidate', () => {
  it('parses valid JSON and fills the defaults', () => {
    const c = parseCandidate(JSON.stringify(valid));
    expect(c.manifest).toEqual({ ...valid.manifest, version: '1.0.0', tags: [] });
    expect(c.runtimeConstraints.allowedHosts).toEqual([]);
    expect(c.inputSchema).toEqual(valid.inputSchema);
  });

  it.each([
    ['```json\n' + JSON.stringify(valid) + '\n```'],
    ['```\n' + JSON.stringify(valid, null, 2) + '\n```'],
    ['  \n```json' + JSON.stringify(valid) + '```\n  '],
  ])('parses JSON inside a code fence: %#', (text) => {
    expect(parseCandidate(text)).toEqual(parseCandidate(JSON.stringify(valid)));
  });

  it('drops keys the contract does not know, such as a model-chosen capability key', () => {
    const c = parseCandidate(JSON.stringify({ ...valid, capabilityKey: 'x', commentary: 'hi' }));
    expect(c).not.toHaveProperty('capabilityKey');
    expect(c).not.toHaveProperty('commentary');
  });

  it.each(['', 'Sure! Here is your capability.', '{"manifest": ', 'null'])(
    'refuses non-JSON or empty output %j',
    (text) => {
      const e = invalidOutput(text);
      expect(e.message).toMatch(/not JSON|does not match the contract shape/);
    },
  );

  it.each<[string, unknown, RegExp]>([
    ['a missing manifest.runtime', without(['manifest', 'runtime']), /manifest\.runtime/],
    ['a missing manifest', without(['manifest']), /manifest/],
    ['a missing output schema', without(['outputSchema']), /outputSchema/],
    [
      'a network mode outside the enum',
      { ...valid, runtimeConstraints: { ...valid.runtimeConstraints, network: 'any' } },
      /runtimeConstraints\.network/,
    ],
    [
      'a fractional timeout',
      { ...valid, runtimeConstraints: { ...valid.runtimeConstraints, timeoutMs: 1.5 } },
      /runtimeConstraints\.timeoutMs/,
    ],
    ['an input schema that is an array', { ...valid, inputSchema: [] }, /inputSchema/],
    ['a JSON array at the root', [valid], /\(root\)/],
  ])('refuses %s, naming the path', (_title, json, path) => {
    const e = invalidOutput(JSON.stringify(json));
    expect(e.message).toMatch(/does not match the contract shape/);
    expect(e.message).toMatch(path);
  });

  it('names at most five issues', () => {
    const e = invalidOutput('{}');
    expect(e.message.split('; ').length).toBeLessThanOrEqual(5);
  });
});
