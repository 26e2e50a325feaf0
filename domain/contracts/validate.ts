import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import type { ContractDraft } from './generate';
import { diffContracts, type CompatibilityReport } from './compatibility';
import { runtimePolicyViolations, type RuntimePolicyLimits } from '../runtime-policy';

export interface ContractGateResult {
  gate: string;
  passed: boolean;
  /** A warning fails the gate only in strict mode. */
  severity: 'error' | 'warning';
  messages: string[];
}

/**
 * Conformance gates a generated contract must pass before it is promotable. Each gate reports
 * its own messages; a warning fails its gate only in strict mode.
 */

export interface PreviousVersion {
  capabilityKey: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
}

export interface ValidationContext {
  strictMode: boolean;
  allowedRuntimes: string[];
  requestedRuntime: string;
  previous: PreviousVersion | null;
  /** Ceilings from configuration; with them the runtime-policy gate runs (domain/runtime-policy.ts). */
  runtimePolicy?: RuntimePolicyLimits;
}

export interface ContractValidationReport {
  outcome: 'PASSED' | 'FAILED';
  gates: ContractGateResult[];
}

// logger: false — Ajv's default console logger would let a crafted `format` or keyword in model
// output write forged lines into the worker's log.
const AJV_OPTIONS = { strict: false, validateSchema: false, logger: false } as const;

/**
 * Meta-schema checks share one instance per draft: compiling a draft's meta-schema costs tens of
 * milliseconds of CPU (the bench's profile found two per run, 17 ms of every run's worker CPU), and
 * `validateSchema` registers nothing from the checked schema. Created on first use.
 */
const metaValidators: { draft7?: Ajv; draft2020?: Ajv2020 } = {};
function metaValidator(draft7: boolean): Ajv | Ajv2020 {
  if (draft7) return (metaValidators.draft7 ??= new Ajv(AJV_OPTIONS));
  return (metaValidators.draft2020 ??= new Ajv2020(AJV_OPTIONS));
}

function metaSchemaErrors(schema: Record<string, unknown>, label: string): string[] {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  const draft7 = /draft-0[67]/.test(declared);
  const meta = metaValidator(draft7);
  let ok: boolean;
  try {
    ok = meta.validateSchema(schema) as boolean;
  } catch (err) {
    return [`${label}: ${(err as Error).message}`];
  }
  if (!ok) return (meta.errors ?? []).map((e) => `${label}${e.instancePath || ''}: ${e.message ?? 'invalid'}`);
  try {
    // Compiling catches what the meta-schema cannot: unresolvable $refs and bad patterns. A fresh
    // instance: Ajv remembers every `$id` it compiled, so a shared one would refuse the same
    // contract the second time (a retried activity) and grow for the worker's life.
    (draft7 ? new Ajv(AJV_OPTIONS) : new Ajv2020(AJV_OPTIONS)).compile(schema);
  } catch (err) {
    return [`${label}: ${(err as Error).message}`];
  }
  return [];
}

type Props = Record<string, Record<string, unknown>>;

/** Declared properties whose schema is an object; anything else is reported by schema-parse. */
function properties(schema: Record<string, unknown> | null): Props {
  const p = schema?.properties;
  if (!p || typeof p !== 'object' || Array.isArray(p)) return {};
  return Object.fromEntries(
    Object.entries(p as Record<string, unknown>).filter(
      (e): e is [string, Record<string, unknown>] => e[1] !== null && typeof e[1] === 'object' && !Array.isArray(e[1]),
    ),
  );
}

function propertyNames(schema: Record<string, unknown> | null): string[] {
  const p = schema?.properties;
  return p && typeof p === 'object' && !Array.isArray(p) ? Object.keys(p) : [];
}

function required(schema: Record<string, unknown> | null): string[] {
  const r = schema?.required;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

function declaresType(prop: Record<string, unknown>): boolean {
  return ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const'].some((k) => k in prop);
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function gate(name: string, errors: string[], warnings: string[] = []): ContractGateResult[] {
  const results: ContractGateResult[] = [
    { gate: name, passed: errors.length === 0, severity: 'error', messages: errors },
  ];
  if (warnings.length > 0)
    results.push({ gate: `${name}:warnings`, passed: false, severity: 'warning', messages: warnings });
  return results;
}

export function schemaParseGate(draft: ContractDraft): ContractGateResult[] {
  return gate('schema-parse', [
    ...metaSchemaErrors(draft.inputSchema, 'inputSchema'),
    ...metaSchemaErrors(draft.outputSchema, 'outputSchema'),
  ]);
}

export function requiredFieldsGate(draft: ContractDraft): ContractGateResult[] {
  const errors: string[] = [];
  const warnings: string[] = [];
  const m = draft.manifest;
  for (const key of ['capabilityKey', 'name', 'description', 'version', 'runtime', 'language'] as const) {
    if (typeof m[key] !== 'string' || m[key].trim() === '')
      errors.push(`manifest.${key} is required and must be a non-empty string`);
  }
  if (typeof m.version === 'string' && !SEMVER.test(m.version))
    errors.push(`manifest.version "${m.version}" is not semantic (x.y.z)`);
  for (const [label, schema] of [
    ['inputSchema', draft.inputSchema],
    ['outputSchema', draft.outputSchema],
  ] as const) {
    if (schema.type !== 'object') errors.push(`${label}.type must be "object"`);
    const props = properties(schema);
    const names = propertyNames(schema);
    if (names.length === 0) errors.push(`${label} declares no properties`);
    for (const name of names) {
      if (!(name in props)) errors.push(`${label}.properties.${name} must be a schema object`);
    }
    for (const r of required(schema)) {
      if (!names.includes(r)) errors.push(`${label}.required names "${r}", which is not a declared property`);
    }
    for (const [name, prop] of Object.entries(props)) {
      if (!prop || typeof prop !== 'object' || !declaresType(prop))
        warnings.push(`${label}.properties.${name} declares no type`);
      else if (typeof prop.description !== 'string' || prop.description.trim() === '') {
        warnings.push(`${label}.properties.${name} has no description`);
      }
    }
  }
  return gate('required-fields', errors, warnings);
}

/**
 * Against the previous (Active) version of the same capability key, with the recursive,
 * direction-aware diff of `compatibility.ts`: callers of the old contract must still be accepted
 * (input) and consumers must get nothing they were not promised (output). Each breaking finding
 * is one message, led by its rule id; compatible findings are not errors.
 */
export function backwardCompatibilityGate(
  draft: ContractDraft,
  previous: PreviousVersion | null,
): ContractGateResult[] {
  if (!previous)
    return [
      {
        gate: 'backward-compatibility',
        passed: true,
        severity: 'error',
        messages: ['first version of this capability key'],
      },
    ];
  const report = diffContracts(
    { inputSchema: previous.inputSchema, outputSchema: previous.outputSchema },
    { inputSchema: draft.inputSchema, outputSchema: draft.outputSchema },
  );
  return gate('backward-compatibility', compatibilityMessages(report));
}

/** One line per breaking finding: `rule at direction path: old → new`. */
export function compatibilityMessages(report: CompatibilityReport): string[] {
  return report.findings
    .filter((f) => f.breaking)
    .map((f) => `${f.rule} at ${f.direction} ${f.path}: ${JSON.stringify(f.old)} → ${JSON.stringify(f.new)}`);
}

export function lifecycleGate(draft: ContractDraft): ContractGateResult[] {
  const errors: string[] = [];
  if (draft.lifecycleState !== 'Draft')
    errors.push(`generated contracts start in Draft, not ${String(draft.lifecycleState)}`);
  if (draft.manifest.lifecycleState !== undefined && draft.manifest.lifecycleState !== 'Draft') {
    errors.push(`manifest.lifecycleState must be Draft on generation`);
  }
  return gate('lifecycle', errors);
}

export function runtimeAdmittedGate(draft: ContractDraft, ctx: ValidationContext): ContractGateResult[] {
  const errors: string[] = [];
  const rt = draft.manifest.runtime;
  if (!ctx.allowedRuntimes.includes(rt))
    errors.push(`runtime "${rt}" is not admitted (${ctx.allowedRuntimes.join(', ')})`);
  if (rt !== ctx.requestedRuntime) errors.push(`runtime "${rt}" differs from the requested "${ctx.requestedRuntime}"`);
  return gate('runtime-admitted', errors);
}

/** Model output is untrusted: network, resources, scaffold paths and schema patterns within policy. */
export function runtimePolicyGate(draft: ContractDraft, limits: RuntimePolicyLimits): ContractGateResult[] {
  return gate('runtime-policy', runtimePolicyViolations(draft, limits));
}

export function validateContract(draft: ContractDraft, ctx: ValidationContext): ContractValidationReport {
  const gates = [
    ...schemaParseGate(draft),
    ...requiredFieldsGate(draft),
    ...backwardCompatibilityGate(draft, ctx.previous),
    ...lifecycleGate(draft),
    ...runtimeAdmittedGate(draft, ctx),
    ...(ctx.runtimePolicy ? runtimePolicyGate(draft, ctx.runtimePolicy) : []),
  ];
  const failed = gates.some((g) => !g.passed && (g.severity === 'error' || ctx.strictMode));
  return { outcome: failed ? 'FAILED' : 'PASSED', gates };
}
