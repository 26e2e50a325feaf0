import { DETECTOR_VERSION } from './detector';
import type { ToolFeatures } from './features';

/**
 * A catalog entry's duplicate features, computed once when the entry is written and stored with it,
 * so a check does not re-derive them for every neighbour (that was most of a check's time).
 *
 * Stored features are only read back by the detector version that wrote them: any change to how
 * features are extracted (features.ts, the lexicon, the stemmer) must bump DETECTOR_VERSION, and
 * tests/unit/stored-features.test.ts fails until it does. Entries whose features were written by
 * another version have theirs derived again at check time, which is correct, only slower.
 */
export const FEATURES_VERSION = DETECTOR_VERSION;

/** Plain JSON: Map-valued fields (the weighted terms) become arrays of entries. */
export function toStoredFeatures(f: ToolFeatures): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) out[k] = v instanceof Map ? { $map: [...v.entries()] } : v;
  return out;
}

export function fromStoredFeatures(stored: Record<string, unknown>): ToolFeatures {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored)) {
    const entries = v && typeof v === 'object' && !Array.isArray(v) ? (v as { $map?: unknown }).$map : undefined;
    out[k] = Array.isArray(entries) ? new Map(entries as Array<[string, number]>) : v;
  }
  return out as unknown as ToolFeatures;
}
