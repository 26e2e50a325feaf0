import { DETECTOR_VERSION } from './detector';
import type { Effect, PropertySignature, ToolFeatures } from './features';

/**
 * A catalog entry's duplicate features, computed once when the entry is written and stored with it,
 * so a check does not re-derive them for every neighbour (that was most of a check's time).
 *
 * Stored features are only read back by the detector version that wrote them: any change to how
 * features are extracted (features.ts, the lexicon, the stemmer) must bump DETECTOR_VERSION, and
 * tests/unit/stored-features.test.ts fails until it does. Entries whose features were written by
 * another version have theirs derived again at check time, which is correct, only slower.
 *
 * The stored form is a codec detail, not part of the version: a check reads the features of 48
 * neighbours, so they are written compactly (positional values, properties and weighted terms as
 * flat arrays: about half the bytes to send and parse of the keyed form). Rows written in the
 * earlier keyed form (every field by name, terms as `{ $map: entries }`) are still read.
 */
export const FEATURES_VERSION = DETECTOR_VERSION;

/** A JSON object, as the jsonb column holds it. */
export type StoredFeatures = Record<string, unknown>;

/** The compact form's tag; the keyed form has none. */
const COMPACT = 2;

/**
 * The compact form: `{ format: 2, fields: [...] }`, fields in this order. `properties` is flat
 * (name, type, required 0/1, depth per property) and so is `terms` (term, weight per term, in the
 * bag's order, which the semantic evidence depends on).
 */
type CompactFields = [
  identityKey: string,
  nameTokens: string[],
  verb: string | null,
  objects: string[],
  mentioned: string[],
  coreObject: string | null,
  effect: Effect,
  openWorld: boolean | null,
  platforms: string[],
  properties: Array<string | number>,
  optionPlatforms: string[],
  terms: Array<string | number>,
  runtime: string | null,
];

export function toStoredFeatures(f: ToolFeatures): StoredFeatures {
  const properties: Array<string | number> = [];
  for (const p of f.properties) properties.push(p.name, p.type, p.required ? 1 : 0, p.depth);
  const terms: Array<string | number> = [];
  for (const [t, w] of f.terms) terms.push(t, w);
  const fields: CompactFields = [
    f.identityKey,
    f.nameTokens,
    f.verb,
    f.objects,
    f.mentioned,
    f.coreObject,
    f.effect,
    f.openWorld,
    f.platforms,
    properties,
    f.optionPlatforms,
    terms,
    f.runtime,
  ];
  return { format: COMPACT, fields };
}

export function fromStoredFeatures(stored: StoredFeatures): ToolFeatures {
  if (stored.format !== COMPACT) return fromKeyed(stored);
  const v = stored.fields as CompactFields;
  const flatProperties = v[9];
  const flatTerms = v[11];
  const properties: PropertySignature[] = [];
  for (let i = 0; i < flatProperties.length; i += 4) {
    properties.push({
      name: flatProperties[i] as string,
      type: flatProperties[i + 1] as string,
      required: flatProperties[i + 2] === 1,
      depth: flatProperties[i + 3] as number,
    });
  }
  const terms = new Map<string, number>();
  for (let i = 0; i < flatTerms.length; i += 2) terms.set(flatTerms[i] as string, flatTerms[i + 1] as number);
  // In extractFeatures' key order: a decoded entry serializes exactly as a derived one.
  return {
    identityKey: v[0],
    nameTokens: v[1],
    verb: v[2],
    objects: v[3],
    mentioned: v[4],
    coreObject: v[5],
    effect: v[6],
    openWorld: v[7],
    platforms: v[8],
    properties,
    optionPlatforms: v[10],
    terms,
    runtime: v[12],
  };
}

/** The keyed form written before the compact one: every field by name, Maps as `{ $map: entries }`. */
function fromKeyed(stored: StoredFeatures): ToolFeatures {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored)) {
    const entries = v && typeof v === 'object' && !Array.isArray(v) ? (v as { $map?: unknown }).$map : undefined;
    out[k] = Array.isArray(entries) ? new Map(entries as Array<[string, number]>) : v;
  }
  return out as unknown as ToolFeatures;
}
