import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolveTemplatePolicy } from '../domain/prompts/templates';

/**
 * The plan's `AiGeneration:*` keys (§10) plus the two human-wait windows, defined once: their
 * schema, whether an admin may change them at run time, and how each is spelled in the
 * environment. Values come, lowest precedence first, from the defaults below, the per-environment
 * file (`config/ai-generation.json`, or `AI_GENERATION_CONFIG_FILE`), environment variables spelled
 * with `__` for `:`, and — for tunable keys only — audited runtime changes stored in PostgreSQL.
 * Each run's execution snapshot freezes the values it used.
 */

const duration = z.string().regex(/^[1-9][0-9]*(s|m|h|d)$/, 'want a duration such as "14d", "12h", "30m" or "45s"');

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(value: string): number {
  const parsed = duration.parse(value);
  const unit = parsed.slice(-1) as keyof typeof UNIT_MS;
  return Number(parsed.slice(0, -1)) * UNIT_MS[unit];
}

const thresholds = z
  .object({ potential: z.number().min(0).max(1), blocking: z.number().min(0).max(1) })
  .strict()
  .refine((t) => t.potential <= t.blocking, 'potential threshold must not exceed blocking threshold');

/** Each key: its JSON schema, a reader for its environment-variable spelling, and its governance. */
interface KeyDefinition<T> {
  schema: z.ZodType<T>;
  /** Environment variables are strings; this turns one into the JSON value the schema checks. */
  fromEnv: (raw: string) => unknown;
  /** May an admin change it at run time through the API (audited)? Fixed keys need a deploy. */
  tunable: boolean;
  description: string;
}

const bool = (raw: string): unknown => {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return raw; // the schema rejects it, naming the key
};
const list = (raw: string): unknown =>
  raw
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
const thresholdPairs = (raw: string): unknown => {
  // "potential=0.80,blocking=0.95" (or JSON)
  if (raw.trim().startsWith('{')) return JSON.parse(raw) as unknown;
  const out: Record<string, unknown> = {};
  for (const part of raw.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    const n = Number(v);
    if (!k || !v || !Number.isFinite(n) || n < 0 || n > 1) {
      throw new Error(`invalid threshold entry "${part}" (want name=0..1)`);
    }
    out[k] = n;
  }
  return out;
};
const text = (raw: string): unknown => raw.trim();

function key<T>(def: KeyDefinition<T>): KeyDefinition<T> {
  return def;
}

export const AI_GENERATION_KEYS = {
  'AiGeneration:Enabled': key({
    schema: z.boolean(),
    fromEnv: bool,
    tunable: true,
    description: 'Kill switch: when false, every new run is denied by authority.',
  }),
  'AiGeneration:AllowedRuntimes': key({
    schema: z.array(z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'want runtime names such as node20')).min(1),
    fromEnv: list,
    tunable: true,
    description: 'Target runtimes a capability may be generated for.',
  }),
  'AiGeneration:DuplicateThresholds': key({
    schema: thresholds,
    fromEnv: thresholdPairs,
    tunable: true,
    description: 'Semantic similarity at or above which a match is POTENTIAL / BLOCKING.',
  }),
  'AiGeneration:PromptTemplatePolicy': key({
    schema: z.string().regex(/^[a-z0-9-]+@[0-9]+$/, 'want <templateId>@<version>, e.g. capability-generation@1'),
    fromEnv: text,
    tunable: true,
    description: 'Which registered prompt template version runs use.',
  }),
  'AiGeneration:ContractValidation:StrictMode': key({
    schema: z.boolean(),
    fromEnv: bool,
    tunable: true,
    description: 'Strict contract gates (unknown properties and loose schemas fail).',
  }),
  'AiGeneration:Telemetry:EmitPromptHashes': key({
    schema: z.boolean(),
    fromEnv: bool,
    tunable: true,
    description: 'Whether telemetry events carry the prompt hash.',
  }),
  'AiGeneration:Review:AdjudicationWindow': key({
    schema: duration,
    fromEnv: text,
    tunable: true,
    description: 'How long a POTENTIAL duplicate waits for a reviewer before the run is rejected.',
  }),
  'AiGeneration:Review:ReviewWindow': key({
    schema: duration,
    fromEnv: text,
    tunable: true,
    description: 'How long a Draft waits for promotion before the run stops waiting.',
  }),
} as const;

export type AiGenerationKey = keyof typeof AI_GENERATION_KEYS;
export const AI_GENERATION_KEY_NAMES = Object.keys(AI_GENERATION_KEYS) as AiGenerationKey[];

export type AiGenerationValues = {
  [K in AiGenerationKey]: z.infer<(typeof AI_GENERATION_KEYS)[K]['schema']>;
};

export const AI_GENERATION_DEFAULTS: AiGenerationValues = {
  'AiGeneration:Enabled': true,
  'AiGeneration:AllowedRuntimes': ['node20', 'python3.12'],
  'AiGeneration:DuplicateThresholds': { potential: 0.8, blocking: 0.95 },
  'AiGeneration:PromptTemplatePolicy': 'capability-generation@1',
  'AiGeneration:ContractValidation:StrictMode': true,
  'AiGeneration:Telemetry:EmitPromptHashes': true,
  'AiGeneration:Review:AdjudicationWindow': '14d',
  'AiGeneration:Review:ReviewWindow': '30d',
};

export type ValueSource = 'default' | 'file' | 'environment' | 'runtime';

export interface LoadedAiGeneration {
  values: AiGenerationValues;
  sources: Record<AiGenerationKey, ValueSource>;
  /** The file the values were read from, or null when none exists. */
  file: string | null;
}

export function envVarName(k: AiGenerationKey): string {
  return k.replace(/:/g, '__');
}

export function isAiGenerationKey(k: string): k is AiGenerationKey {
  return Object.prototype.hasOwnProperty.call(AI_GENERATION_KEYS, k);
}

/** Checks one key's value; the error names the key and where the value came from. */
export function parseKeyValue(
  k: AiGenerationKey,
  value: unknown,
  origin: string,
):
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: string;
    } {
  const parsed = AI_GENERATION_KEYS[k].schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const why = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  return { ok: false, error: `${k} (from ${origin}): ${why.join('; ')}` };
}

export const DEFAULT_CONFIG_FILE = path.join(__dirname, '..', 'config', 'ai-generation.json');

/**
 * Reads the per-environment file: `{ "default": {...}, "<environment>": {...} }`, keys spelled as in
 * the plan. Unknown keys are errors (a typo must not silently fall back to a default).
 */
function readFile(file: string, environment: string, errors: string[]): Record<string, unknown> | null {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    errors.push(`${file}: ${(err as Error).message}`);
    return {};
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    errors.push(`${file}: want an object of environments`);
    return {};
  }
  const sections = doc as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  for (const name of ['default', environment]) {
    const section = sections[name];
    if (section === undefined) continue;
    if (!section || typeof section !== 'object' || Array.isArray(section)) {
      errors.push(`${file}: section "${name}" must be an object`);
      continue;
    }
    for (const [k, v] of Object.entries(section)) {
      if (!isAiGenerationKey(k)) errors.push(`${k} (from ${file} "${name}"): unknown configuration key`);
      else merged[k] = v;
    }
  }
  return merged;
}

/** Defaults ← file ← environment, validated; every error names its key. */
export function loadAiGeneration(env: NodeJS.ProcessEnv, environment: string, errors: string[]): LoadedAiGeneration {
  const fileName = env.AI_GENERATION_CONFIG_FILE || DEFAULT_CONFIG_FILE;
  const found = readFile(fileName, environment, errors);
  const fromFile = found ?? {};
  const values = { ...AI_GENERATION_DEFAULTS } as Record<AiGenerationKey, unknown>;
  const sources = Object.fromEntries(AI_GENERATION_KEY_NAMES.map((k) => [k, 'default'])) as Record<
    AiGenerationKey,
    ValueSource
  >;
  for (const k of AI_GENERATION_KEY_NAMES) {
    const variable = envVarName(k);
    const raw = env[variable];
    let candidate: unknown;
    let origin: string;
    if (raw !== undefined && raw !== '') {
      try {
        candidate = AI_GENERATION_KEYS[k].fromEnv(raw);
      } catch (err) {
        errors.push(`${k} (from ${variable}): ${(err as Error).message}`);
        continue;
      }
      origin = variable;
      sources[k] = 'environment';
    } else if (k in fromFile) {
      candidate = fromFile[k];
      origin = `${fileName} "${environment}"`;
      sources[k] = 'file';
    } else {
      continue;
    }
    const parsed = parseKeyValue(k, candidate, origin);
    if (parsed.ok) values[k] = parsed.value;
    else errors.push(parsed.error);
  }
  // Values that name other things must name something that exists.
  const policy = values['AiGeneration:PromptTemplatePolicy'];
  if (typeof policy === 'string' && !errors.some((e) => e.startsWith('AiGeneration:PromptTemplatePolicy'))) {
    try {
      resolveTemplatePolicy(policy);
    } catch (err) {
      errors.push(
        `AiGeneration:PromptTemplatePolicy (${sources['AiGeneration:PromptTemplatePolicy']}): ${(err as Error).message}`,
      );
    }
  }
  return { values: values as AiGenerationValues, sources, file: found ? fileName : null };
}

/** The values applied by admins at run time, by key, overlaid on the deployed ones (tunable keys only). */
export function overlayRuntime(
  base: LoadedAiGeneration,
  runtime: Partial<Record<string, unknown>>,
): LoadedAiGeneration {
  const values = { ...base.values } as Record<AiGenerationKey, unknown>;
  const sources = { ...base.sources };
  for (const [k, v] of Object.entries(runtime)) {
    if (!isAiGenerationKey(k) || !AI_GENERATION_KEYS[k].tunable) continue;
    const parsed = parseKeyValue(k, v, 'runtime change');
    // A stored value that no longer validates (schema tightened) is ignored, never half-applied.
    if (!parsed.ok) continue;
    values[k] = parsed.value;
    sources[k] = 'runtime';
  }
  return { values: values as AiGenerationValues, sources, file: base.file };
}
