import type { DuplicateThresholds } from './decision';
import { FourDimensionDetector, type DuplicateNeighbour, type DuplicateVerdict } from './detector';
import { cosine } from './embed';
import { extractFeatures, type ToolFeatures, type ToolRecord } from './features';

/** How many nearest neighbours the semantic retrieval returns before the four dimensions score them. */
export const NEIGHBOURS_K = 48;

export interface IndexedTool {
  id: string;
  record: ToolRecord;
  features: ToolFeatures;
  vector: number[];
}

/**
 * In-memory retrieval that mirrors the database path (top-k by cosine plus identity-key hits),
 * for evaluation and unit tests. The workflow and `duplicates:screen` use pgvector instead.
 */
export function screenInMemory(
  candidate: { record: ToolRecord; vector: number[] },
  catalog: IndexedTool[],
  thresholds: DuplicateThresholds,
  k = NEIGHBOURS_K,
): DuplicateVerdict {
  const features = extractFeatures(candidate.record);
  const scored = catalog.map((t) => ({ t, c: cosine(candidate.vector, t.vector) }));
  const top = [...scored].sort((a, b) => b.c - a.c).slice(0, k);
  const ids = new Set(top.map((x) => x.t.id));
  for (const x of scored) if (!ids.has(x.t.id) && x.t.features.identityKey === features.identityKey) top.push(x);
  const neighbours: DuplicateNeighbour[] = top.map(({ t, c }) => ({
    kind: 'CATALOG',
    id: t.id,
    capabilityKey: t.id,
    externalId: t.id,
    features: t.features,
    cosine: c,
  }));
  return new FourDimensionDetector().detect(features, neighbours, thresholds);
}
