import { buildContractDraft, CONTRACT_STRATEGY_VERSION, type ContractDraft } from '../../domain/contracts/generate';
import { validateContract, type PreviousVersion, type ValidationContext } from '../../domain/contracts/validate';
import type { GeneratedCandidate } from '../../domain/model-candidate';
import type { GenerationIntent } from '../../domain/types';

type Schema = Record<string, unknown>;

const inputSchema = (): Schema => ({
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    units: { type: 'string', enum: ['metric', 'imperial'], description: 'Unit system' },
  },
  required: ['city'],
  additionalProperties: false,
});
const outputSchema = (): Schema => ({
  type: 'object',
  properties: { temperature: { type: 'number', description: 'Current temperature' } },
  required: ['temperature'],
});

function draft(
  over: { inputSchema?: Schema; outputSchema?: Schema; manifest?: Partial<ContractDraft['manifest']> } = {},
): ContractDraft {
  return {
    capabilityKey: 'get-weather',
    lifecycleState: 'Draft',
    manifest: {
      capabilityKey: 'get-weather',
      name: 'Get Weather',
      description: 'Returns the current weather for a city.',
      version: '1.0.0',
      runtime: 'node20',
      language: 'typescript',
      tags: ['weather'],
      lifecycleState: 'Draft',
      ...over.manifest,
    },
    inputSchema: over.inputSchema ?? inputSchema(),
    outputSchema: over.outputSchema ?? outputSchema(),
    runtimeConstraints: {
      timeoutMs: 5000,
      memoryMb: 128,
      network: 'egress-allowlist',
      allowedHosts: ['api.weather.example'],
    },
    conformanceMetadata: {
      contractStrategyVersion: CONTRACT_STRATEGY_VERSION,
      generatedBy: { provider: 'local', model: 'local-1' },
      generationRunId: 'run-1',
      executionSnapshotId: 'snap-1',
      promptHash: 'a'.repeat(64),
    },
    scaffold: { entrypoint: 'index.ts', files: [] },
  };
}

const previous = (over: Partial<PreviousVersion> = {}): PreviousVersion => ({
  capabilityKey: 'get-weather',
  inputSchema: inputSchema(),
  outputSchema: outputSchema(),
  ...over,
});

function ctx(over: Partial<ValidationContext> = {}): ValidationContext {
  return {
    strictMode: true,
    allowedRuntimes: ['node20', 'python3.12'],
    requestedRuntime: 'node20',
    previous: null,
    ...over,
  };
}

const gate = (report: ReturnType<typeof validateContract>, name: string) => report.gates.find((g) => g.gate === name);
const failedGates = (report: ReturnType<typeof validateContract>) =>
  report.gates.filter((g) => !g.passed).map((g) => g.gate);

describe('validateContract', () => {
  it('passes a valid first draft, with every gate reported', () => {
    const report = validateContract(draft(), ctx());
    expect(report.outcome).toBe('PASSED');
    expect(report.gates.map((g) => g.gate)).toEqual([
      'schema-parse',
      'required-fields',
      'backward-compatibility',
      'lifecycle',
      'runtime-admitted',
    ]);
    expect(failedGates(report)).toEqual([]);
    expect(gate(report, 'backward-compatibility')!.messages).toEqual(['first version of this capability key']);
  });

  it('accepts a draft-07 schema', () => {
    const s = { ...inputSchema(), $schema: 'http://json-schema.org/draft-07/schema#' };
    expect(validateContract(draft({ inputSchema: s }), ctx()).outcome).toBe('PASSED');
  });

  it.each<[string, Schema, RegExp]>([
    [
      'a non-string type',
      { type: 'object', properties: { city: { type: 12, description: 'c' } } },
      /inputSchema\/properties\/city\/type/,
    ],
    [
      'properties that are not an object',
      { type: 'object', properties: 'city' },
      /inputSchema\/properties: must be object/,
    ],
    [
      'an unknown type name',
      { type: 'object', properties: { city: { type: 'text', description: 'c' } } },
      /inputSchema/,
    ],
    [
      'a pattern that is not a regular expression',
      { type: 'object', properties: { city: { type: 'string', pattern: '(', description: 'c' } } },
      /inputSchema/,
    ],
    [
      'an unresolvable $ref',
      { type: 'object', properties: { city: { $ref: '#/$defs/missing', description: 'c' } } },
      /inputSchema/,
    ],
  ])('fails schema-parse for %s', (_title, schema, message) => {
    const report = validateContract(draft({ inputSchema: schema }), ctx({ strictMode: false }));
    expect(report.outcome).toBe('FAILED');
    expect(gate(report, 'schema-parse')!.passed).toBe(false);
    expect(gate(report, 'schema-parse')!.messages.join('\n')).toMatch(message);
  });

  describe('a property without a description', () => {
    const undocumented = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

    it('fails in strict mode, as a warning', () => {
      const report = validateContract(draft({ inputSchema: undocumented }), ctx({ strictMode: true }));
      expect(report.outcome).toBe('FAILED');
      expect(gate(report, 'required-fields')!.passed).toBe(true);
      expect(gate(report, 'required-fields:warnings')).toEqual({
        gate: 'required-fields:warnings',
        passed: false,
        severity: 'warning',
        messages: ['inputSchema.properties.city has no description'],
      });
    });

    it('passes outside strict mode, still reporting the warning', () => {
      const report = validateContract(draft({ inputSchema: undocumented }), ctx({ strictMode: false }));
      expect(report.outcome).toBe('PASSED');
      expect(gate(report, 'required-fields:warnings')!.messages).toEqual([
        'inputSchema.properties.city has no description',
      ]);
    });
  });

  it.each<[string, Parameters<typeof draft>[0], RegExp]>([
    [
      'required naming an undeclared property',
      { inputSchema: { ...inputSchema(), required: ['city', 'country'] } },
      /inputSchema.required names "country"/,
    ],
    [
      'a non-object schema',
      { outputSchema: { type: 'string', properties: { a: { type: 'string', description: 'a' } } } },
      /outputSchema.type must be "object"/,
    ],
    ['a schema without properties', { outputSchema: { type: 'object' } }, /outputSchema declares no properties/],
    ['an empty manifest name', { manifest: { name: '  ' } }, /manifest.name is required/],
    ['a version that is not semantic', { manifest: { version: 'v1' } }, /manifest.version "v1" is not semantic/],
  ])('fails required-fields for %s, even outside strict mode', (_title, over, message) => {
    const report = validateContract(draft(over), ctx({ strictMode: false }));
    expect(report.outcome).toBe('FAILED');
    expect(gate(report, 'required-fields')!.passed).toBe(false);
    expect(gate(report, 'required-fields')!.messages.join('\n')).toMatch(message);
  });

  describe('backward compatibility with the previous version', () => {
    const withInput = (mutate: (props: Record<string, Schema>, s: Schema) => void): Schema => {
      const s = inputSchema();
      mutate(s.properties as Record<string, Schema>, s);
      return s;
    };

    it.each<[string, Parameters<typeof draft>[0], RegExp]>([
      [
        'a removed input property',
        { inputSchema: withInput((p) => delete p.units) },
        /property-removed at input #\/properties\/units/,
      ],
      [
        'a retyped input property',
        { inputSchema: withInput((p) => (p.city = { type: 'integer', description: 'c' })) },
        /type-changed at input #\/properties\/city\/type: \["string"\] → \["integer"\]/,
      ],
      [
        'a newly required input property',
        { inputSchema: withInput((_p, s) => (s.required = ['city', 'units'])) },
        /required-added at input #\/required\/units/,
      ],
      [
        'a new input property that is required',
        {
          inputSchema: withInput(
            (p, s) => ((p.lang = { type: 'string', description: 'l' }), (s.required = ['city', 'lang'])),
          ),
        },
        /required-added at input #\/required\/lang/,
      ],
      [
        'a removed output property',
        { outputSchema: { type: 'object', properties: { humidity: { type: 'number', description: 'h' } } } },
        /property-removed at output #\/properties\/temperature/,
      ],
      [
        'a retyped output property',
        { outputSchema: { type: 'object', properties: { temperature: { type: 'string', description: 't' } } } },
        /type-changed at output #\/properties\/temperature\/type/,
      ],
    ])('fails for %s', (_title, over, message) => {
      const report = validateContract(draft(over), ctx({ strictMode: false, previous: previous() }));
      expect(report.outcome).toBe('FAILED');
      expect(failedGates(report)).toEqual(['backward-compatibility']);
      expect(gate(report, 'backward-compatibility')!.messages.join('\n')).toMatch(message);
    });

    it.each<[string, Parameters<typeof draft>[0]]>([
      ['the same contract', {}],
      [
        'an added optional input property',
        { inputSchema: withInput((p) => (p.lang = { type: 'string', description: 'l' })) },
      ],
      ['a required input property that became optional', { inputSchema: withInput((_p, s) => (s.required = [])) }],
      [
        'an added output property',
        {
          outputSchema: {
            ...outputSchema(),
            properties: {
              temperature: { type: 'number', description: 't' },
              humidity: { type: 'number', description: 'h' },
            },
          },
        },
      ],
    ])('passes for %s', (_title, over) => {
      const report = validateContract(draft(over), ctx({ previous: previous() }));
      expect(report.outcome).toBe('PASSED');
      expect(gate(report, 'backward-compatibility')).toEqual({
        gate: 'backward-compatibility',
        passed: true,
        severity: 'error',
        messages: [],
      });
    });

    it('accepts any output when the previous version had no output schema', () => {
      const report = validateContract(draft(), ctx({ previous: previous({ outputSchema: null }) }));
      expect(report.outcome).toBe('PASSED');
    });
  });

  it.each<[string, Partial<ValidationContext>, string, RegExp[]]>([
    [
      'a runtime that is not admitted',
      { allowedRuntimes: ['python3.12'], requestedRuntime: 'node20' },
      'node20',
      [/runtime "node20" is not admitted \(python3.12\)/],
    ],
    [
      'a runtime that differs from the requested one',
      { requestedRuntime: 'python3.12' },
      'node20',
      [/differs from the requested "python3.12"/],
    ],
    [
      'a runtime that is neither',
      { requestedRuntime: 'node20' },
      'deno',
      [/not admitted/, /differs from the requested/],
    ],
  ])('fails runtime-admitted for %s', (_title, c, runtime, messages) => {
    const report = validateContract(draft({ manifest: { runtime } }), ctx({ strictMode: false, ...c }));
    expect(report.outcome).toBe('FAILED');
    expect(failedGates(report)).toEqual(['runtime-admitted']);
    const g = gate(report, 'runtime-admitted')!;
    expect(g.messages).toHaveLength(messages.length);
    messages.forEach((m, i) => expect(g.messages[i]).toMatch(m));
  });

  it('fails the lifecycle gate when the manifest claims another state', () => {
    const report = validateContract(draft({ manifest: { lifecycleState: 'Active' } }), ctx());
    expect(report.outcome).toBe('FAILED');
    expect(failedGates(report)).toEqual(['lifecycle']);
  });

  it('does not modify the draft it validates', () => {
    const d = draft();
    const before = structuredClone(d);
    validateContract(d, ctx({ previous: previous() }));
    expect(d).toEqual(before);
  });
});

// Known defects, marked `failing` so the suite stays green; remove `.failing` once fixed.
describe('validateContract (known defects)', () => {
  it('passes a schema with an $id every time it is validated, not only the first time', () => {
    // The Ajv instances are module singletons: compiling a second schema object with the same $id
    // throws "schema with key or id ... already exists", so a retried validation activity, or any
    // later run whose contract keeps its $id, fails schema-parse.
    const withId = () => draft({ inputSchema: { ...inputSchema(), $id: 'https://toolnexus.test/get-weather/input' } });
    expect(validateContract(withId(), ctx()).outcome).toBe('PASSED');
    expect(validateContract(withId(), ctx()).outcome).toBe('PASSED');
  });

  it('reports a null property schema as a failed gate instead of throwing', () => {
    const s = { type: 'object', properties: { city: null, units: { type: 'string', description: 'u' } } };
    expect(validateContract(draft({ inputSchema: s }), ctx({ previous: previous() })).outcome).toBe('FAILED');
  });
});

describe('buildContractDraft', () => {
  const candidate: GeneratedCandidate = {
    manifest: {
      name: 'Weather',
      description: 'Weather for a city.',
      version: '1.0.0',
      runtime: 'node20',
      language: 'typescript',
      tags: ['weather'],
    },
    inputSchema: inputSchema(),
    outputSchema: outputSchema(),
    runtimeConstraints: { timeoutMs: 1000, memoryMb: 64, network: 'none', allowedHosts: [] },
    scaffold: { entrypoint: 'index.ts', files: [{ path: 'index.ts', purpose: 'entry' }] },
  };
  const intent: GenerationIntent = {
    name: 'Get Weather',
    problemStatement: 'p',
    language: 'typescript',
    targetRuntime: 'node20',
    seedInputSchema: null,
    examples: [],
  };
  const buildCtx = {
    capabilityKey: 'get-weather',
    intent,
    runtime: { provider: 'openai', model: 'gpt-4o-mini' },
    runId: 'run-1',
    executionSnapshotId: 'snap-1',
    promptHash: 'h'.repeat(64),
  };

  it('takes the key from the server, never from the model, and starts in Draft', () => {
    const sneaky = {
      ...candidate,
      capabilityKey: 'admin-takeover',
      manifest: { ...candidate.manifest, capabilityKey: 'admin-takeover', lifecycleState: 'Active' },
    } as GeneratedCandidate;
    const d = buildContractDraft(sneaky, buildCtx);
    expect(d.capabilityKey).toBe('get-weather');
    expect(d.manifest.capabilityKey).toBe('get-weather');
    expect(d.lifecycleState).toBe('Draft');
    expect(d.manifest.lifecycleState).toBe('Draft');
    expect(JSON.stringify(d)).not.toContain('admin-takeover');
  });

  it('copies the candidate and attaches provenance', () => {
    const d = buildContractDraft(candidate, buildCtx);
    expect(d).toMatchObject({
      manifest: {
        // The catalog name comes from the request, never the model.
        name: 'Get Weather',
        description: 'Weather for a city.',
        version: '1.0.0',
        runtime: 'node20',
        language: 'typescript',
        tags: ['weather'],
      },
      inputSchema: candidate.inputSchema,
      outputSchema: candidate.outputSchema,
      runtimeConstraints: candidate.runtimeConstraints,
      scaffold: candidate.scaffold,
      conformanceMetadata: {
        contractStrategyVersion: CONTRACT_STRATEGY_VERSION,
        generatedBy: { provider: 'openai', model: 'gpt-4o-mini' },
        generationRunId: 'run-1',
        executionSnapshotId: 'snap-1',
        promptHash: 'h'.repeat(64),
      },
    });
  });

  it('builds a draft that passes validation when the candidate is sound', () => {
    expect(validateContract(buildContractDraft(candidate, buildCtx), ctx()).outcome).toBe('PASSED');
  });
});
