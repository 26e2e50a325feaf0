import { runtimePolicyViolations, type RuntimePolicyLimits } from '../../domain/runtime-policy';
import type { ContractDraft } from '../../domain/contracts/generate';
import { schemaParseGate } from '../../domain/contracts/validate';

const limits: RuntimePolicyLimits = { maxMemoryMb: 1024, maxTimeoutMs: 60_000 };
const ok = {
  runtimeConstraints: {
    timeoutMs: 10_000,
    memoryMb: 256,
    network: 'egress-allowlist',
    allowedHosts: ['api.weather.example'],
  },
  scaffold: { entrypoint: 'index.ts', files: [{ path: 'src/handler.ts', purpose: 'handler' }] },
  inputSchema: { type: 'object', properties: { city: { type: 'string', pattern: '^[A-Za-z ]{1,64}$' } } },
  outputSchema: { type: 'object' },
};

describe('runtime policy gate for model output', () => {
  it('passes a conforming draft and network none', () => {
    expect(runtimePolicyViolations(ok, limits)).toEqual([]);
    expect(
      runtimePolicyViolations(
        { ...ok, runtimeConstraints: { ...ok.runtimeConstraints, network: 'none', allowedHosts: [] } },
        limits,
      ),
    ).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'network full with a wildcard',
      { runtimeConstraints: { ...ok.runtimeConstraints, network: 'full', allowedHosts: ['*'] } },
      /"full" is not allowed/,
    ],
    [
      'a wildcard host',
      { runtimeConstraints: { ...ok.runtimeConstraints, allowedHosts: ['*.example.com'] } },
      /wildcard/,
    ],
    [
      'an IP host',
      { runtimeConstraints: { ...ok.runtimeConstraints, allowedHosts: ['169.254.169.254'] } },
      /IP address/,
    ],
    [
      'a host with a scheme',
      { runtimeConstraints: { ...ok.runtimeConstraints, allowedHosts: ['https://x.example'] } },
      /bare host/,
    ],
    [
      'localhost',
      { runtimeConstraints: { ...ok.runtimeConstraints, allowedHosts: ['localhost'] } },
      /local or internal/,
    ],
    [
      'an empty allow-list',
      { runtimeConstraints: { ...ok.runtimeConstraints, allowedHosts: [] } },
      /at least one concrete host/,
    ],
    [
      'memory over the ceiling',
      { runtimeConstraints: { ...ok.runtimeConstraints, memoryMb: 16_384 } },
      /memoryMb 16384 exceeds/,
    ],
    [
      'timeout over the ceiling',
      { runtimeConstraints: { ...ok.runtimeConstraints, timeoutMs: 900_000 } },
      /timeoutMs 900000 exceeds/,
    ],
    [
      'a ../ scaffold path',
      { scaffold: { entrypoint: 'index.ts', files: [{ path: '../../etc/passwd' }] } },
      /leaves the capability/,
    ],
    ['an absolute entrypoint', { scaffold: { entrypoint: '/usr/bin/node', files: [] } }, /must be relative/],
    ['a Windows path', { scaffold: { entrypoint: 'C:\\\\x.ts', files: [] } }, /must be relative/],
    ['a backslash escape', { scaffold: { entrypoint: 'a\\\\..\\\\..\\\\x', files: [] } }, /leaves the capability/],
    [
      'a catastrophic pattern',
      { inputSchema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } },
      /backtrack catastrophically/,
    ],
    ['a catastrophic patternProperties key', { outputSchema: { patternProperties: { '(x+x+)+y': {} } } }, /backtrack/],
    ['an invalid pattern', { inputSchema: { pattern: '([a-z' } }, /not a valid regular expression/],
  ])('refuses %s', (_title, over, message) => {
    const violations = runtimePolicyViolations({ ...ok, ...over }, limits);
    expect(violations.join('\n')).toMatch(message);
  });
});

describe("Ajv's logger", () => {
  it('writes nothing when model output carries a crafted format (no forged log lines)', () => {
    const spies = (['log', 'warn', 'error', 'info'] as const).map((m) => jest.spyOn(console, m).mockImplementation());
    try {
      const forged = 'x"\n{"level":"error","message":"FORGED admin granted"}';
      const schema = { type: 'object', properties: { a: { type: 'string', format: forged } } };
      schemaParseGate({ inputSchema: schema, outputSchema: schema } as unknown as ContractDraft);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
