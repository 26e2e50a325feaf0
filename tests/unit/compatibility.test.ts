import {
  breakingRules,
  bumpVersion,
  COMPATIBILITY_RULES,
  compareVersions,
  decideBump,
  diffContracts,
  diffSchemas,
  type SchemaDirection,
} from '../../domain/contracts/compatibility';
import { definitionHash } from '../../domain/contracts/definition';
import { acceptBreakRefusal, acceptedBreakLapse } from '../../domain/contracts/accepted-break';

type S = Record<string, unknown>;

const obj = (properties: S, required: string[] = [], extra: S = {}): S => ({
  type: 'object',
  properties,
  required,
  ...extra,
});
const str = (extra: S = {}): S => ({ type: 'string', ...extra });
const num = (extra: S = {}): S => ({ type: 'number', ...extra });

/** [case, direction, old, new, expected "rule@path:breaking" list (order-insensitive)] */
type Case = [string, SchemaDirection, S, S, string[]];

const base = obj({ city: str(), days: { type: 'integer' } }, ['city']);

const cases: Case[] = [
  // -- identical
  ['identical input', 'input', base, structuredClone(base), []],
  [
    'identical output, different key order',
    'output',
    base,
    { required: ['city'], properties: base.properties, type: 'object' },
    [],
  ],

  // -- properties and required, input
  [
    'input: optional property added',
    'input',
    base,
    obj({ ...(base.properties as S), units: str() }, ['city']),
    ['property-added@#/properties/units:false'],
  ],
  [
    'input: required property added',
    'input',
    base,
    obj({ ...(base.properties as S), units: str() }, ['city', 'units']),
    ['property-added@#/properties/units:false', 'required-added@#/required/units:true'],
  ],
  [
    'input: optional → required',
    'input',
    base,
    obj(base.properties as S, ['city', 'days']),
    ['required-added@#/required/days:true'],
  ],
  [
    'input: required → optional',
    'input',
    base,
    obj(base.properties as S, []),
    ['required-removed@#/required/city:false'],
  ],
  [
    'input: property removed',
    'input',
    base,
    obj({ city: str() }, ['city']),
    ['property-removed@#/properties/days:true'],
  ],
  [
    'input: property added to a closed object',
    'input',
    obj({ a: str() }, [], { additionalProperties: false }),
    obj({ a: str(), b: str() }, [], { additionalProperties: false }),
    ['property-added-to-closed-object@#/properties/b:false'],
  ],

  // -- properties and required, output
  [
    'output: optional property added',
    'output',
    base,
    obj({ ...(base.properties as S), units: str() }, ['city']),
    ['property-added@#/properties/units:false'],
  ],
  [
    'output: property added to a closed object',
    'output',
    obj({ a: str() }, [], { additionalProperties: false }),
    obj({ a: str(), b: str() }, [], { additionalProperties: false }),
    ['property-added-to-closed-object@#/properties/b:true'],
  ],
  [
    'output: required property removed',
    'output',
    base,
    obj({ days: { type: 'integer' } }, []),
    ['property-removed@#/properties/city:true', 'required-removed@#/required/city:true'],
  ],
  [
    'output: required → optional',
    'output',
    base,
    obj(base.properties as S, []),
    ['required-removed@#/required/city:true'],
  ],
  [
    'output: optional → required',
    'output',
    base,
    obj(base.properties as S, ['city', 'days']),
    ['required-added@#/required/days:false'],
  ],

  // -- types
  [
    'input: type narrowed number → integer',
    'input',
    obj({ n: num() }),
    obj({ n: { type: 'integer' } }),
    ['type-narrowed@#/properties/n/type:true'],
  ],
  [
    'output: type narrowed number → integer',
    'output',
    obj({ n: num() }),
    obj({ n: { type: 'integer' } }),
    ['type-narrowed@#/properties/n/type:false'],
  ],
  [
    'input: type widened integer → number',
    'input',
    obj({ n: { type: 'integer' } }),
    obj({ n: num() }),
    ['type-widened@#/properties/n/type:false'],
  ],
  [
    'output: type widened integer → number',
    'output',
    obj({ n: { type: 'integer' } }),
    obj({ n: num() }),
    ['type-widened@#/properties/n/type:true'],
  ],
  [
    'input: type changed string → number',
    'input',
    obj({ n: str() }),
    obj({ n: num() }),
    ['type-changed@#/properties/n/type:true'],
  ],
  [
    'output: type changed string → number',
    'output',
    obj({ n: str() }),
    obj({ n: num() }),
    ['type-changed@#/properties/n/type:true'],
  ],
  [
    'input: type array widened string → [string, number]',
    'input',
    obj({ v: str() }),
    obj({ v: { type: ['string', 'number'] } }),
    ['type-widened@#/properties/v/type:false'],
  ],
  [
    'output: type array widened string → [string, number]',
    'output',
    obj({ v: str() }),
    obj({ v: { type: ['string', 'number'] } }),
    ['type-widened@#/properties/v/type:true'],
  ],
  [
    'input: type array narrowed [string, number] → string',
    'input',
    obj({ v: { type: ['string', 'number'] } }),
    obj({ v: str() }),
    ['type-narrowed@#/properties/v/type:true'],
  ],
  [
    'input: type added where none was declared',
    'input',
    obj({ v: { description: 'x' } }),
    obj({ v: str() }),
    ['type-narrowed@#/properties/v/type:true'],
  ],
  [
    'output: type dropped',
    'output',
    obj({ v: str() }),
    obj({ v: { description: 'x' } }),
    ['type-widened@#/properties/v/type:true'],
  ],

  // -- nullability
  [
    'output: null newly possible (type array)',
    'output',
    obj({ v: str() }),
    obj({ v: { type: ['string', 'null'] } }),
    ['nullable-added@#/properties/v/type:true'],
  ],
  [
    'input: null newly accepted (type array)',
    'input',
    obj({ v: str() }),
    obj({ v: { type: ['string', 'null'] } }),
    ['nullable-added@#/properties/v/type:false'],
  ],
  [
    'input: null no longer accepted',
    'input',
    obj({ v: { type: ['string', 'null'] } }),
    obj({ v: str() }),
    ['nullable-removed@#/properties/v/type:true'],
  ],
  [
    'output: null no longer returned',
    'output',
    obj({ v: { type: ['string', 'null'] } }),
    obj({ v: str() }),
    ['nullable-removed@#/properties/v/type:false'],
  ],
  [
    'output: null newly possible (nullable: true)',
    'output',
    obj({ v: str() }),
    obj({ v: str({ nullable: true }) }),
    ['nullable-added@#/properties/v/type:true'],
  ],
  [
    'output: null newly possible (anyOf with null)',
    'output',
    obj({ v: str() }),
    obj({ v: { anyOf: [str(), { type: 'null' }] } }),
    ['nullable-added@#/properties/v/type:true'],
  ],
  [
    'type array and anyOf-null spellings are equivalent',
    'output',
    obj({ v: { type: ['string', 'null'] } }),
    obj({ v: { anyOf: [str(), { type: 'null' }] } }),
    [],
  ],

  // -- enum / const
  [
    'input: enum value removed',
    'input',
    obj({ u: str({ enum: ['c', 'f', 'k'] }) }),
    obj({ u: str({ enum: ['c', 'f'] }) }),
    ['enum-value-removed@#/properties/u/enum:true'],
  ],
  [
    'input: enum value added',
    'input',
    obj({ u: str({ enum: ['c', 'f'] }) }),
    obj({ u: str({ enum: ['c', 'f', 'k'] }) }),
    ['enum-value-added@#/properties/u/enum:false'],
  ],
  [
    'output: enum value added',
    'output',
    obj({ u: str({ enum: ['c', 'f'] }) }),
    obj({ u: str({ enum: ['c', 'f', 'k'] }) }),
    ['enum-value-added@#/properties/u/enum:true'],
  ],
  [
    'output: enum value removed',
    'output',
    obj({ u: str({ enum: ['c', 'f', 'k'] }) }),
    obj({ u: str({ enum: ['c', 'f'] }) }),
    ['enum-value-removed@#/properties/u/enum:false'],
  ],
  [
    'input: enum introduced',
    'input',
    obj({ u: str() }),
    obj({ u: str({ enum: ['c'] }) }),
    ['enum-added@#/properties/u/enum:true'],
  ],
  [
    'output: enum dropped',
    'output',
    obj({ u: str({ enum: ['c'] }) }),
    obj({ u: str() }),
    ['enum-removed@#/properties/u/enum:true'],
  ],
  [
    'input: const changed',
    'input',
    obj({ k: { const: 'v1' } }),
    obj({ k: { const: 'v2' } }),
    ['const-changed@#/properties/k/const:true'],
  ],
  [
    'output: const removed',
    'output',
    obj({ k: str({ const: 'v1' }) }),
    obj({ k: str() }),
    ['const-removed@#/properties/k/const:true'],
  ],
  [
    'input: const added',
    'input',
    obj({ k: str() }),
    obj({ k: str({ const: 'v1' }) }),
    ['const-added@#/properties/k/const:true'],
  ],

  // -- numeric constraints
  [
    'input: minimum raised',
    'input',
    obj({ n: num({ minimum: 0 }) }),
    obj({ n: num({ minimum: 1 }) }),
    ['minimum-narrowed@#/properties/n/minimum:true'],
  ],
  [
    'input: minimum lowered',
    'input',
    obj({ n: num({ minimum: 1 }) }),
    obj({ n: num({ minimum: 0 }) }),
    ['minimum-widened@#/properties/n/minimum:false'],
  ],
  [
    'output: maximum raised',
    'output',
    obj({ n: num({ maximum: 10 }) }),
    obj({ n: num({ maximum: 100 }) }),
    ['maximum-widened@#/properties/n/maximum:true'],
  ],
  [
    'input: maximum added',
    'input',
    obj({ n: num() }),
    obj({ n: num({ maximum: 100 }) }),
    ['maximum-narrowed@#/properties/n/maximum:true'],
  ],
  [
    'output: maximum removed',
    'output',
    obj({ n: num({ maximum: 100 }) }),
    obj({ n: num() }),
    ['maximum-widened@#/properties/n/maximum:true'],
  ],
  [
    'input: exclusiveMinimum raised',
    'input',
    obj({ n: num({ exclusiveMinimum: 0 }) }),
    obj({ n: num({ exclusiveMinimum: 5 }) }),
    ['exclusive-minimum-narrowed@#/properties/n/exclusiveMinimum:true'],
  ],
  [
    'output: exclusiveMaximum lowered',
    'output',
    obj({ n: num({ exclusiveMaximum: 10 }) }),
    obj({ n: num({ exclusiveMaximum: 5 }) }),
    ['exclusive-maximum-narrowed@#/properties/n/exclusiveMaximum:false'],
  ],
  [
    'input: multipleOf changed',
    'input',
    obj({ n: num({ multipleOf: 2 }) }),
    obj({ n: num({ multipleOf: 3 }) }),
    ['multiple-of-changed@#/properties/n/multipleOf:true'],
  ],

  // -- string constraints
  [
    'input: minLength raised',
    'input',
    obj({ s: str({ minLength: 1 }) }),
    obj({ s: str({ minLength: 3 }) }),
    ['min-length-narrowed@#/properties/s/minLength:true'],
  ],
  [
    'input: maxLength lowered',
    'input',
    obj({ s: str({ maxLength: 100 }) }),
    obj({ s: str({ maxLength: 10 }) }),
    ['max-length-narrowed@#/properties/s/maxLength:true'],
  ],
  [
    'output: maxLength raised',
    'output',
    obj({ s: str({ maxLength: 10 }) }),
    obj({ s: str({ maxLength: 100 }) }),
    ['max-length-widened@#/properties/s/maxLength:true'],
  ],
  [
    'output: maxLength lowered',
    'output',
    obj({ s: str({ maxLength: 100 }) }),
    obj({ s: str({ maxLength: 10 }) }),
    ['max-length-narrowed@#/properties/s/maxLength:false'],
  ],
  [
    'input: pattern added',
    'input',
    obj({ s: str() }),
    obj({ s: str({ pattern: '^[a-z]+$' }) }),
    ['pattern-added@#/properties/s/pattern:true'],
  ],
  [
    'input: pattern removed',
    'input',
    obj({ s: str({ pattern: '^[a-z]+$' }) }),
    obj({ s: str() }),
    ['pattern-removed@#/properties/s/pattern:false'],
  ],
  [
    'output: pattern removed',
    'output',
    obj({ s: str({ pattern: '^[a-z]+$' }) }),
    obj({ s: str() }),
    ['pattern-removed@#/properties/s/pattern:true'],
  ],
  [
    'output: pattern changed',
    'output',
    obj({ s: str({ pattern: '^a' }) }),
    obj({ s: str({ pattern: '^b' }) }),
    ['pattern-changed@#/properties/s/pattern:true'],
  ],
  [
    'input: format added',
    'input',
    obj({ s: str() }),
    obj({ s: str({ format: 'email' }) }),
    ['format-added@#/properties/s/format:true'],
  ],
  [
    'output: format removed',
    'output',
    obj({ s: str({ format: 'date-time' }) }),
    obj({ s: str() }),
    ['format-removed@#/properties/s/format:true'],
  ],
  [
    'input: format changed',
    'input',
    obj({ s: str({ format: 'date' }) }),
    obj({ s: str({ format: 'date-time' }) }),
    ['format-changed@#/properties/s/format:true'],
  ],

  // -- additionalProperties
  [
    'input: additionalProperties closed',
    'input',
    obj({ a: str() }),
    obj({ a: str() }, [], { additionalProperties: false }),
    ['additional-properties-closed@#/additionalProperties:true'],
  ],
  [
    'output: additionalProperties closed',
    'output',
    obj({ a: str() }),
    obj({ a: str() }, [], { additionalProperties: false }),
    ['additional-properties-closed@#/additionalProperties:false'],
  ],
  [
    'output: additionalProperties opened',
    'output',
    obj({ a: str() }, [], { additionalProperties: false }),
    obj({ a: str() }),
    ['additional-properties-opened@#/additionalProperties:true'],
  ],
  [
    'input: additionalProperties schema narrowed',
    'input',
    obj({}, [], { additionalProperties: num() }),
    obj({}, [], { additionalProperties: { type: 'integer' } }),
    ['type-narrowed@#/additionalProperties/type:true'],
  ],

  // -- arrays
  [
    'input: item type narrowed',
    'input',
    obj({ tags: { type: 'array', items: num() } }),
    obj({ tags: { type: 'array', items: { type: 'integer' } } }),
    ['type-narrowed@#/properties/tags/items/type:true'],
  ],
  [
    'output: item enum value added',
    'output',
    obj({ tags: { type: 'array', items: str({ enum: ['a'] }) } }),
    obj({ tags: { type: 'array', items: str({ enum: ['a', 'b'] }) } }),
    ['enum-value-added@#/properties/tags/items/enum:true'],
  ],
  [
    'input: minItems raised',
    'input',
    obj({ tags: { type: 'array', minItems: 0 } }),
    obj({ tags: { type: 'array', minItems: 1 } }),
    ['min-items-narrowed@#/properties/tags/minItems:true'],
  ],
  [
    'output: maxItems raised',
    'output',
    obj({ tags: { type: 'array', maxItems: 5 } }),
    obj({ tags: { type: 'array', maxItems: 50 } }),
    ['max-items-widened@#/properties/tags/maxItems:true'],
  ],
  [
    'input: uniqueItems added',
    'input',
    obj({ tags: { type: 'array' } }),
    obj({ tags: { type: 'array', uniqueItems: true } }),
    ['unique-items-added@#/properties/tags/uniqueItems:true'],
  ],
  [
    'input: tuple item narrowed (prefixItems)',
    'input',
    obj({ p: { type: 'array', prefixItems: [num(), str()] } }),
    obj({ p: { type: 'array', prefixItems: [{ type: 'integer' }, str()] } }),
    ['type-narrowed@#/properties/p/prefixItems/0/type:true'],
  ],

  // -- nested objects
  [
    'input: nested required property added',
    'input',
    obj({ address: obj({ street: str(), zip: str() }, ['street']) }),
    obj({ address: obj({ street: str(), zip: str() }, ['street', 'zip']) }),
    ['required-added@#/properties/address/required/zip:true'],
  ],
  [
    'output: deeply nested type widened',
    'output',
    obj({ a: obj({ b: obj({ c: { type: 'integer' } }) }) }),
    obj({ a: obj({ b: obj({ c: num() }) }) }),
    ['type-widened@#/properties/a/properties/b/properties/c/type:true'],
  ],
  [
    'output: nested property in array items removed',
    'output',
    obj({ rows: { type: 'array', items: obj({ id: str(), name: str() }, ['id', 'name']) } }),
    obj({ rows: { type: 'array', items: obj({ id: str() }, ['id']) } }),
    [
      'property-removed@#/properties/rows/items/properties/name:true',
      'required-removed@#/properties/rows/items/required/name:true',
    ],
  ],

  // -- $ref / $defs
  [
    'input: narrowed through $ref',
    'input',
    { ...obj({ loc: { $ref: '#/$defs/Loc' } }), $defs: { Loc: obj({ lat: num() }) } },
    { ...obj({ loc: { $ref: '#/$defs/Loc' } }), $defs: { Loc: obj({ lat: num({ minimum: -90 }) }, ['lat']) } },
    [
      'minimum-narrowed@#/properties/loc/properties/lat/minimum:true',
      'required-added@#/properties/loc/required/lat:true',
    ],
  ],
  [
    'output: inline schema replaced by an equivalent $ref (definitions)',
    'output',
    obj({ loc: obj({ lat: num() }) }),
    { ...obj({ loc: { $ref: '#/definitions/Loc' } }), definitions: { Loc: obj({ lat: num() }) } },
    [],
  ],
  [
    'output: recursive $ref with an enum value added deep inside',
    'output',
    {
      $ref: '#/$defs/Node',
      $defs: {
        Node: obj({ kind: str({ enum: ['leaf'] }), children: { type: 'array', items: { $ref: '#/$defs/Node' } } }),
      },
    },
    {
      $ref: '#/$defs/Node',
      $defs: {
        Node: obj({
          kind: str({ enum: ['leaf', 'branch'] }),
          children: { type: 'array', items: { $ref: '#/$defs/Node' } },
        }),
      },
    },
    ['enum-value-added@#/properties/kind/enum:true'],
  ],
  [
    'input: unresolvable $ref',
    'input',
    obj({ a: str() }),
    obj({ a: { $ref: '#/$defs/Missing' } }),
    ['ref-unresolved@#/properties/a:true'],
  ],

  // -- composition
  [
    'input: oneOf changed',
    'input',
    obj({ a: { oneOf: [str(), num()] } }),
    obj({ a: { oneOf: [str(), { type: 'boolean' }] } }),
    ['composition-changed@#/properties/a/oneOf:true'],
  ],
];

const render = (f: { rule: string; path: string; breaking: boolean }) => `${f.rule}@${f.path}:${f.breaking}`;

describe('diffSchemas', () => {
  it('has at least 40 table cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', (_name, direction, oldSchema, newSchema, expected) => {
    const findings = diffSchemas(oldSchema, newSchema, direction);
    expect(findings.map(render).sort()).toEqual([...expected].sort());
    for (const f of findings) {
      expect(f.direction).toBe(direction);
      expect(Object.keys(COMPATIBILITY_RULES)).toContain(f.rule);
    }
  });

  it('records the old and new values of each finding', () => {
    const [f] = diffSchemas(obj({ n: num({ minimum: 0 }) }), obj({ n: num({ minimum: 5 }) }), 'input');
    expect(f).toEqual({
      rule: 'minimum-narrowed',
      path: '#/properties/n/minimum',
      direction: 'input',
      breaking: true,
      old: 0,
      new: 5,
    });
  });
});

describe('diffContracts', () => {
  const v1 = { inputSchema: base, outputSchema: obj({ temperature: num() }, ['temperature']) };

  it('reports a compatible change with its findings, as not breaking, and a minor bump', () => {
    const v2 = { ...v1, inputSchema: obj({ ...(base.properties as S), units: str() }, ['city']) };
    const report = diffContracts(v1, v2);
    expect(report.breaking).toBe(false);
    expect(report.findings).toHaveLength(1);
    expect(decideBump(report)).toBe('minor');
  });

  it('is breaking when either side breaks, and names the distinct breaking rules', () => {
    const v2 = {
      inputSchema: obj(base.properties as S, ['city', 'days']),
      outputSchema: obj({ temperature: { type: ['number', 'null'] } }, []),
    };
    const report = diffContracts(v1, v2);
    expect(report.breaking).toBe(true);
    expect(breakingRules(report)).toEqual(['nullable-added', 'required-added', 'required-removed']);
    expect(decideBump(report)).toBe('major');
    expect(report.findings.map((f) => f.direction)).toEqual(['input', 'output', 'output']);
  });

  it('decides a patch when nothing observable changed', () => {
    expect(decideBump(diffContracts(v1, structuredClone(v1)))).toBe('patch');
  });

  it('treats a missing output schema as "anything"', () => {
    const report = diffContracts({ ...v1, outputSchema: null }, v1);
    expect(report.findings.some((f) => f.direction === 'output' && f.rule === 'type-narrowed')).toBe(true);
    expect(report.breaking).toBe(false);
  });
});

describe('versions', () => {
  it.each([
    ['1.4.2', 'major', '2.0.0'],
    ['1.4.2', 'minor', '1.5.0'],
    ['1.4.2', 'patch', '1.4.3'],
  ] as const)('bumps %s by %s to %s', (v, bump, expected) => {
    expect(bumpVersion(v, bump)).toBe(expected);
  });

  it('refuses a non-semantic version', () => {
    expect(() => bumpVersion('v1', 'minor')).toThrow(/not a semantic version/);
  });

  it('orders versions numerically', () => {
    expect(['1.10.0', '1.2.0', '2.0.0', '1.2.1'].sort(compareVersions)).toEqual(['1.2.0', '1.2.1', '1.10.0', '2.0.0']);
  });
});

describe('definitionHash (RFC 8785)', () => {
  const def = {
    capabilityKey: 'weather-now',
    version: '1.0.0',
    manifest: { name: 'Weather Now', lifecycleState: 'Draft', tags: ['a'] },
    inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
    outputSchema: null,
    runtimeConstraints: { timeoutMs: 1000 },
    scaffold: null,
  };

  it('is the same whatever the key order and the lifecycle state', () => {
    const reordered = {
      ...def,
      manifest: { tags: ['a'], lifecycleState: 'Active', name: 'Weather Now' },
      inputSchema: { properties: { city: { type: 'string' } }, type: 'object' },
    };
    expect(definitionHash(reordered)).toBe(definitionHash(def));
    expect(definitionHash(def)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with the definition and the version', () => {
    expect(definitionHash({ ...def, version: '1.1.0' })).not.toBe(definitionHash(def));
    expect(definitionHash({ ...def, inputSchema: { type: 'object' } })).not.toBe(definitionHash(def));
  });
});

describe('acceptBreakRefusal', () => {
  const reviewer = { subject: 'bob', tenantId: 't1', roles: ['capability-reviewer'] };
  const ctx = {
    tenantId: 't1',
    requestedBy: { subject: 'alice', tenantId: 't1', roles: ['capability-author'] },
    breakingRules: ['required-added', 'type-changed'],
    awaitingDecision: true,
    nowUtc: '2026-11-24T00:00:00Z',
  };
  const request = {
    ruleIds: ['type-changed', 'required-added'],
    reason: 'callers migrated',
    owner: 'weather-team',
    expiresAtUtc: '2026-12-24T00:00:00Z',
    reviewer,
    correlationId: 'c',
  };

  it('admits a reviewer accepting every breaking rule with a reason, an owner and a future expiry', () => {
    expect(acceptBreakRefusal(request, ctx)).toBeNull();
  });

  it.each<[string, Partial<typeof request>, Partial<typeof ctx>, RegExp]>([
    ['another tenant', { reviewer: { ...reviewer, tenantId: 't2' } }, {}, /another tenant/],
    ['no reviewer role', { reviewer: { ...reviewer, roles: ['capability-author'] } }, {}, /requires one of the roles/],
    ['nothing waiting', {}, { awaitingDecision: false }, /no breaking change waiting/],
    ['the requester', { reviewer: { ...reviewer, subject: 'alice' } }, {}, /other than the requester/],
    ['no reason', { reason: ' ' }, {}, /requires a reason/],
    ['no owner', { owner: '' }, {}, /requires an owner/],
    ['a past expiry', { expiresAtUtc: '2026-01-01T00:00:00Z' }, {}, /in the future/],
    ['a missing rule', { ruleIds: ['required-added'] }, {}, /not accepted for rule\(s\) type-changed/],
    ['a rule that is not breaking here', { ruleIds: [...request.ruleIds, 'enum-value-added'] }, {}, /not among/],
  ])('refuses %s', (_name, r, c, message) => {
    expect(acceptBreakRefusal({ ...request, ...r }, { ...ctx, ...c })).toMatch(message);
  });
});

describe('acceptedBreakLapse', () => {
  const id = 'decision-1';
  const expiresAtUtc = '2026-11-24T12:00:00.000Z';
  it('holds until the expiry, and not at or after it', () => {
    expect(acceptedBreakLapse({ governanceDecisionId: id, expiresAtUtc }, '2026-11-24T11:59:59.999Z')).toBeNull();
    expect(acceptedBreakLapse({ governanceDecisionId: id, expiresAtUtc }, '2026-11-24T12:00:00.000Z')).toMatch(
      /decision-1\) expired at 2026-11-24T12:00:00.000Z/,
    );
    expect(acceptedBreakLapse({ governanceDecisionId: id, expiresAtUtc }, '2027-01-01T00:00:00Z')).toMatch(/expired/);
  });
  it.each([undefined, null, '', 'next tuesday', 1_800_000_000_000])('holds nothing with expiry %p', (expiry) => {
    expect(acceptedBreakLapse({ governanceDecisionId: id, expiresAtUtc: expiry }, '2026-11-24T11:00:00Z')).toMatch(
      /no valid expiry/,
    );
  });
});
