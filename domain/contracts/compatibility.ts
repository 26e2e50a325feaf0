/**
 * Backward compatibility of a capability contract against its previous version: a pure, recursive,
 * direction-aware diff of the input and output JSON Schemas. No I/O.
 *
 * Every change is classified by its effect on the set of instances the schema accepts:
 * - `narrowed`: the new schema accepts less (a required property, a tighter bound, a removed enum value…);
 * - `widened`: it accepts more (a property no longer required, a looser bound, null newly possible…);
 * - `changed`: neither contains the other (a different pattern, a different const…);
 * - `neutral`: the accepted set is the same for anyone who relied on the old contract.
 *
 * The direction decides what breaks. An input schema is what callers may send: if it accepts less,
 * some old call is refused, so `narrowed` and `changed` break callers. An output schema is what
 * consumers are promised: if it may return more, a consumer meets a value it was never promised,
 * so `widened` and `changed` break consumers. A declared property that disappears breaks both
 * (callers' argument is dropped; consumers lose a promised field).
 *
 * Rule ids are stable; they are what a reviewer accepts when recording an accepted break.
 */

export type SchemaDirection = 'input' | 'output';
export type ChangeEffect = 'narrowed' | 'widened' | 'changed' | 'neutral';

export interface CompatibilityFinding {
  /** Stable rule id, e.g. `required-added`; see COMPATIBILITY_RULES. */
  rule: string;
  /** Location in the schema, as a JSON Pointer fragment after `$ref`s are followed: `#/properties/a/items`. */
  path: string;
  direction: SchemaDirection;
  breaking: boolean;
  old: unknown;
  new: unknown;
}

export interface CompatibilityReport {
  breaking: boolean;
  findings: CompatibilityFinding[];
}

export interface ContractSchemas {
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
}

/**
 * Every rule with the effect of its change on the accepted set; `breaking` follows from the
 * effect and the direction (except the rules marked `always`, which break in both directions).
 */
export const COMPATIBILITY_RULES = {
  'property-added': 'neutral',
  'property-added-to-closed-object': 'widened',
  'property-removed': 'always',
  'required-added': 'narrowed',
  'required-removed': 'widened',
  'type-narrowed': 'narrowed',
  'type-widened': 'widened',
  'type-changed': 'changed',
  'nullable-added': 'widened',
  'nullable-removed': 'narrowed',
  'enum-added': 'narrowed',
  'enum-removed': 'widened',
  'enum-value-added': 'widened',
  'enum-value-removed': 'narrowed',
  'const-added': 'narrowed',
  'const-removed': 'widened',
  'const-changed': 'changed',
  'minimum-narrowed': 'narrowed',
  'minimum-widened': 'widened',
  'maximum-narrowed': 'narrowed',
  'maximum-widened': 'widened',
  'exclusive-minimum-narrowed': 'narrowed',
  'exclusive-minimum-widened': 'widened',
  'exclusive-maximum-narrowed': 'narrowed',
  'exclusive-maximum-widened': 'widened',
  'multiple-of-changed': 'changed',
  'min-length-narrowed': 'narrowed',
  'min-length-widened': 'widened',
  'max-length-narrowed': 'narrowed',
  'max-length-widened': 'widened',
  'pattern-added': 'narrowed',
  'pattern-removed': 'widened',
  'pattern-changed': 'changed',
  'format-added': 'narrowed',
  'format-removed': 'widened',
  'format-changed': 'changed',
  'additional-properties-closed': 'narrowed',
  'additional-properties-opened': 'widened',
  'min-items-narrowed': 'narrowed',
  'min-items-widened': 'widened',
  'max-items-narrowed': 'narrowed',
  'max-items-widened': 'widened',
  'unique-items-added': 'narrowed',
  'unique-items-removed': 'widened',
  'min-properties-narrowed': 'narrowed',
  'min-properties-widened': 'widened',
  'max-properties-narrowed': 'narrowed',
  'max-properties-widened': 'widened',
  'composition-changed': 'changed',
  'ref-unresolved': 'changed',
} as const satisfies Record<string, ChangeEffect | 'always'>;

export type CompatibilityRule = keyof typeof COMPATIBILITY_RULES;

export function isBreaking(rule: CompatibilityRule, direction: SchemaDirection): boolean {
  const effect = COMPATIBILITY_RULES[rule];
  if (effect === 'always' || effect === 'changed') return true;
  if (effect === 'neutral') return false;
  return direction === 'input' ? effect === 'narrowed' : effect === 'widened';
}

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** JSON equality independent of object key order. */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(s: string): string {
  return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Resolves a local `$ref` (`#/$defs/X`, `#/definitions/X`, any `#/...` pointer) against the root. */
function resolveLocalRef(root: Schema, ref: string): Schema | null {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return null;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/').map(unescapePointer)) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObject(node)) node = node[part];
    else return null;
  }
  if (node === true) return {};
  return isObject(node) ? node : null;
}

interface Side {
  root: Schema;
  schema: Schema;
}

/** Follows `$ref` chains (a sibling-free ref is the referenced schema). */
function deref(side: Side, seen: Set<string>): Side | { unresolved: string } {
  let schema = side.schema;
  const chain = new Set<string>();
  while (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (chain.has(ref)) return { unresolved: ref };
    chain.add(ref);
    seen.add(ref);
    const target = resolveLocalRef(side.root, ref);
    if (!target) return { unresolved: ref };
    const siblings = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref'));
    schema = { ...target, ...siblings };
  }
  return { root: side.root, schema };
}

interface TypeInfo {
  /** Declared non-null types; null means "any type". */
  types: Set<string> | null;
  nullable: boolean;
}

/**
 * Types and nullability of a schema: `type` (string or array), OpenAPI's `nullable: true`, and the
 * common `anyOf`/`oneOf` of one schema and `{"type": "null"}` — which is unwrapped into its branch.
 */
function unwrapNullable(schema: Schema): { schema: Schema; viaComposition: boolean } {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.length !== 2) continue;
    const nullIdx = branches.findIndex((b) => isObject(b) && b.type === 'null' && Object.keys(b).length === 1);
    if (nullIdx === -1) continue;
    const other = branches[1 - nullIdx];
    if (!isObject(other)) continue;
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== key));
    return { schema: { ...rest, ...other }, viaComposition: true };
  }
  return { schema, viaComposition: false };
}

function typeInfo(schema: Schema, nullableByComposition: boolean): TypeInfo {
  let types: Set<string> | null = null;
  if (typeof schema.type === 'string') types = new Set([schema.type]);
  else if (Array.isArray(schema.type)) types = new Set(schema.type.filter((t): t is string => typeof t === 'string'));
  let nullable = nullableByComposition || schema.nullable === true;
  if (types?.has('null')) {
    nullable = true;
    types.delete('null');
    if (types.size === 0 && !nullableByComposition) types = new Set(); // `type: "null"` only
  }
  if (types === null) nullable = true; // no type: anything, null included
  return { types, nullable };
}

/** Does type set `a` accept everything `b` accepts? (`integer` ⊂ `number`; null = any.) */
function covers(a: Set<string> | null, b: Set<string> | null): boolean {
  if (a === null) return true;
  if (b === null) return false;
  for (const t of b) {
    if (a.has(t)) continue;
    if (t === 'integer' && a.has('number')) continue;
    return false;
  }
  return true;
}

function listTypes(t: Set<string> | null): string[] | null {
  return t === null ? null : [...t].sort();
}

type Emit = (rule: CompatibilityRule, path: string, oldValue: unknown, newValue: unknown) => void;

/** Lower bounds: a larger new value narrows. Upper bounds: a smaller new value narrows. */
const BOUNDS: Array<{ keyword: string; lower: boolean; rule: string }> = [
  { keyword: 'minimum', lower: true, rule: 'minimum' },
  { keyword: 'maximum', lower: false, rule: 'maximum' },
  { keyword: 'exclusiveMinimum', lower: true, rule: 'exclusive-minimum' },
  { keyword: 'exclusiveMaximum', lower: false, rule: 'exclusive-maximum' },
  { keyword: 'minLength', lower: true, rule: 'min-length' },
  { keyword: 'maxLength', lower: false, rule: 'max-length' },
  { keyword: 'minItems', lower: true, rule: 'min-items' },
  { keyword: 'maxItems', lower: false, rule: 'max-items' },
  { keyword: 'minProperties', lower: true, rule: 'min-properties' },
  { keyword: 'maxProperties', lower: false, rule: 'max-properties' },
];

function compareBounds(o: Schema, n: Schema, path: string, emit: Emit): void {
  for (const { keyword, lower, rule } of BOUNDS) {
    const a = o[keyword];
    const b = n[keyword];
    if (same(a, b)) continue;
    const at = `${path}/${keyword}`;
    const aNum = typeof a === 'number' ? a : undefined;
    const bNum = typeof b === 'number' ? b : undefined;
    // draft-04 boolean exclusive bounds and other non-numeric values: no order, report a change.
    if ((a !== undefined && aNum === undefined) || (b !== undefined && bNum === undefined)) {
      emit(`${rule}-narrowed` as CompatibilityRule, at, a ?? null, b ?? null);
      continue;
    }
    let narrowed: boolean;
    if (aNum === undefined)
      narrowed = true; // bound added
    else if (bNum === undefined)
      narrowed = false; // bound removed
    else narrowed = lower ? bNum > aNum : bNum < aNum;
    emit(`${rule}-${narrowed ? 'narrowed' : 'widened'}` as CompatibilityRule, at, a ?? null, b ?? null);
  }
  // A different multipleOf is reported as a change either way: neither set reliably contains the other.
  if (!same(o.multipleOf, n.multipleOf))
    emit('multiple-of-changed', `${path}/multipleOf`, o.multipleOf ?? null, n.multipleOf ?? null);
}

function compareKeywordPresence(o: Schema, n: Schema, keyword: 'pattern' | 'format', path: string, emit: Emit): void {
  const a = o[keyword];
  const b = n[keyword];
  if (same(a, b)) return;
  const at = `${path}/${keyword}`;
  if (a === undefined) emit(`${keyword}-added`, at, null, b);
  else if (b === undefined) emit(`${keyword}-removed`, at, a, null);
  else emit(`${keyword}-changed`, at, a, b);
}

function compareEnumConst(o: Schema, n: Schema, path: string, emit: Emit): void {
  const oe = Array.isArray(o.enum) ? o.enum : undefined;
  const ne = Array.isArray(n.enum) ? n.enum : undefined;
  if (oe && !ne) emit('enum-removed', `${path}/enum`, oe, null);
  else if (!oe && ne) emit('enum-added', `${path}/enum`, null, ne);
  else if (oe && ne) {
    const oldKeys = new Set(oe.map(canonical));
    const newKeys = new Set(ne.map(canonical));
    for (const v of oe) if (!newKeys.has(canonical(v))) emit('enum-value-removed', `${path}/enum`, v, null);
    for (const v of ne) if (!oldKeys.has(canonical(v))) emit('enum-value-added', `${path}/enum`, null, v);
  }
  const hasOld = 'const' in o;
  const hasNew = 'const' in n;
  if (hasOld && !hasNew) emit('const-removed', `${path}/const`, o.const, null);
  else if (!hasOld && hasNew) emit('const-added', `${path}/const`, null, n.const);
  else if (hasOld && hasNew && !same(o.const, n.const)) emit('const-changed', `${path}/const`, o.const, n.const);
}

function compareTypes(o: Schema, n: Schema, oViaComp: boolean, nViaComp: boolean, path: string, emit: Emit): void {
  const a = typeInfo(o, oViaComp);
  const b = typeInfo(n, nViaComp);
  const at = `${path}/type`;
  const aTypes = listTypes(a.types);
  const bTypes = listTypes(b.types);
  if (!same(aTypes, bTypes)) {
    const newCoversOld = covers(b.types, a.types);
    const oldCoversNew = covers(a.types, b.types);
    if (newCoversOld && !oldCoversNew) emit('type-widened', at, aTypes, bTypes);
    else if (oldCoversNew && !newCoversOld) emit('type-narrowed', at, aTypes, bTypes);
    else if (!newCoversOld && !oldCoversNew) emit('type-changed', at, aTypes, bTypes);
  }
  // "Any type" already includes null; only report nullability when a type is declared on both sides.
  if (a.types !== null && b.types !== null) {
    if (!a.nullable && b.nullable) emit('nullable-added', at, false, true);
    else if (a.nullable && !b.nullable) emit('nullable-removed', at, true, false);
  }
}

function requiredSet(s: Schema): Set<string> {
  return new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
}

function propertiesOf(s: Schema): Record<string, unknown> {
  return isObject(s.properties) ? s.properties : {};
}

/** `false` closes the object; `true`, absent or a schema leaves it open (a schema is compared recursively). */
function closed(s: Schema): boolean {
  return s.additionalProperties === false;
}

function asSchema(v: unknown): Schema | null {
  if (v === true || v === undefined) return {};
  return isObject(v) ? v : null;
}

interface WalkContext {
  emit: Emit;
  /** `$ref` pairs already compared on this branch: recursion guard for recursive schemas. */
  visited: Set<string>;
}

function walk(oldSide: Side, newSide: Side, path: string, ctx: WalkContext): void {
  const oldSeen = new Set<string>();
  const newSeen = new Set<string>();
  const o0 = deref(oldSide, oldSeen);
  const n0 = deref(newSide, newSeen);
  if ('unresolved' in o0 || 'unresolved' in n0) {
    ctx.emit(
      'ref-unresolved',
      path,
      'unresolved' in o0 ? o0.unresolved : (oldSide.schema.$ref ?? null),
      'unresolved' in n0 ? n0.unresolved : (newSide.schema.$ref ?? null),
    );
    return;
  }
  const pairKey = `${[...oldSeen].join('|')}=>${[...newSeen].join('|')}`;
  if (oldSeen.size + newSeen.size > 0) {
    if (ctx.visited.has(pairKey)) return;
    ctx.visited = new Set(ctx.visited).add(pairKey);
  }
  const ou = unwrapNullable(o0.schema);
  const nu = unwrapNullable(n0.schema);
  const o = ou.schema;
  const n = nu.schema;
  const emit = ctx.emit;

  compareTypes(o, n, ou.viaComposition, nu.viaComposition, path, emit);
  compareEnumConst(o, n, path, emit);
  compareBounds(o, n, path, emit);
  compareKeywordPresence(o, n, 'pattern', path, emit);
  compareKeywordPresence(o, n, 'format', path, emit);
  if (!same(o.uniqueItems === true, n.uniqueItems === true)) {
    emit(
      n.uniqueItems === true ? 'unique-items-added' : 'unique-items-removed',
      `${path}/uniqueItems`,
      o.uniqueItems ?? null,
      n.uniqueItems ?? null,
    );
  }
  for (const key of ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else'] as const) {
    if (!same(o[key], n[key])) emit('composition-changed', `${path}/${key}`, o[key] ?? null, n[key] ?? null);
  }

  // Objects: properties, required, additionalProperties.
  const oProps = propertiesOf(o);
  const nProps = propertiesOf(n);
  const oReq = requiredSet(o);
  const nReq = requiredSet(n);
  for (const name of Object.keys(oProps)) {
    const at = `${path}/properties/${escapePointer(name)}`;
    if (!(name in nProps)) {
      emit('property-removed', at, oProps[name], null);
      continue;
    }
    const a = asSchema(oProps[name]);
    const b = asSchema(nProps[name]);
    if (a && b) walk({ root: o0.root, schema: a }, { root: n0.root, schema: b }, at, ctx);
    else if (!same(oProps[name], nProps[name])) emit('type-changed', at, oProps[name], nProps[name]);
  }
  for (const name of Object.keys(nProps)) {
    if (name in oProps) continue;
    const at = `${path}/properties/${escapePointer(name)}`;
    emit(closed(o) ? 'property-added-to-closed-object' : 'property-added', at, null, nProps[name]);
  }
  for (const r of nReq) if (!oReq.has(r)) emit('required-added', `${path}/required/${escapePointer(r)}`, false, true);
  for (const r of oReq) if (!nReq.has(r)) emit('required-removed', `${path}/required/${escapePointer(r)}`, true, false);

  const oClosed = closed(o);
  const nClosed = closed(n);
  if (!oClosed && nClosed) {
    emit('additional-properties-closed', `${path}/additionalProperties`, o.additionalProperties ?? true, false);
  } else if (oClosed && !nClosed) {
    emit('additional-properties-opened', `${path}/additionalProperties`, false, n.additionalProperties ?? true);
  } else if (!oClosed && !nClosed && !same(o.additionalProperties, n.additionalProperties)) {
    const a = asSchema(o.additionalProperties);
    const b = asSchema(n.additionalProperties);
    if (a && b) walk({ root: o0.root, schema: a }, { root: n0.root, schema: b }, `${path}/additionalProperties`, ctx);
  }

  // Arrays: items (one schema or a tuple), prefixItems.
  const oItems = o.items;
  const nItems = n.items;
  if (Array.isArray(oItems) || Array.isArray(nItems) || Array.isArray(o.prefixItems) || Array.isArray(n.prefixItems)) {
    const oTuple = (Array.isArray(o.prefixItems) ? o.prefixItems : Array.isArray(oItems) ? oItems : []) as unknown[];
    const nTuple = (Array.isArray(n.prefixItems) ? n.prefixItems : Array.isArray(nItems) ? nItems : []) as unknown[];
    const key = Array.isArray(n.prefixItems) || Array.isArray(o.prefixItems) ? 'prefixItems' : 'items';
    const len = Math.max(oTuple.length, nTuple.length);
    for (let i = 0; i < len; i++) {
      const a = asSchema(oTuple[i]);
      const b = asSchema(nTuple[i]);
      if (a && b) walk({ root: o0.root, schema: a }, { root: n0.root, schema: b }, `${path}/${key}/${i}`, ctx);
    }
  }
  if (!Array.isArray(oItems) && !Array.isArray(nItems) && (oItems !== undefined || nItems !== undefined)) {
    const a = asSchema(oItems);
    const b = asSchema(nItems);
    if (a && b) walk({ root: o0.root, schema: a }, { root: n0.root, schema: b }, `${path}/items`, ctx);
  }
}

/** The findings of one schema pair in one direction. */
export function diffSchemas(
  oldSchema: Record<string, unknown> | null,
  newSchema: Record<string, unknown> | null,
  direction: SchemaDirection,
): CompatibilityFinding[] {
  const findings: CompatibilityFinding[] = [];
  const emit: Emit = (rule, path, oldValue, newValue) => {
    findings.push({ rule, path, direction, breaking: isBreaking(rule, direction), old: oldValue, new: newValue });
  };
  const o = oldSchema ?? {};
  const n = newSchema ?? {};
  walk({ root: o, schema: o }, { root: n, schema: n }, '#', { emit, visited: new Set() });
  return findings;
}

/** Compares a new contract with the previous version's: input findings first, then output. */
export function diffContracts(previous: ContractSchemas, next: ContractSchemas): CompatibilityReport {
  const findings = [
    ...diffSchemas(previous.inputSchema, next.inputSchema, 'input'),
    ...diffSchemas(previous.outputSchema, next.outputSchema, 'output'),
  ];
  return { breaking: findings.some((f) => f.breaking), findings };
}

/** The distinct rule ids of the breaking findings, sorted: what an accepted break must name. */
export function breakingRules(report: CompatibilityReport): string[] {
  return [...new Set(report.findings.filter((f) => f.breaking).map((f) => f.rule))].sort();
}

export type VersionBump = 'major' | 'minor' | 'patch';

/**
 * The semver bump the server decides from the compatibility result: a break is a major version;
 * anything a caller or consumer can newly use (a property, a value, a looser input) is a minor
 * one; a change nobody can observe is a patch.
 */
export function decideBump(report: CompatibilityReport): VersionBump {
  if (report.breaking) return 'major';
  return report.findings.length > 0 ? 'minor' : 'patch';
}

const SEMVER_CORE = /^(\d+)\.(\d+)\.(\d+)/;

export function bumpVersion(version: string, bump: VersionBump): string {
  const m = SEMVER_CORE.exec(version);
  if (!m) throw new Error(`"${version}" is not a semantic version`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Orders semantic versions by their numeric core (pre-release tags are not used for catalog versions). */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER_CORE.exec(a);
  const pb = SEMVER_CORE.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** The first version of a capability key, whatever the model proposed. */
export const INITIAL_VERSION = '1.0.0';
