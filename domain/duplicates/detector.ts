import type { DuplicateOutcome } from '../types';
import {
  COMBINATION,
  combine,
  classifyCombined,
  keyTaken,
  rationaleOf,
  type DimensionScores,
  type DuplicateThresholds,
} from './decision';
import { contractDimension, identityDimension, runtimeDimension, semanticDimension } from './dimensions';
import type { ToolFeatures, ToolRecord } from './features';

export const DETECTOR_VERSION = 'four-dimension/9';
export const COMBINATION_VERSION = COMBINATION.version;

/** An embedder identity: vectors are only ever compared with vectors of the same id and version. */
export interface EmbedderIdentity {
  id: string;
  version: string;
}

export interface Embedder extends EmbedderIdentity {
  embed(tools: ToolRecord[]): Promise<number[][]>;
}

/** A neighbour the retrieval step found: a catalog entry or another in-flight run. */
export interface DuplicateNeighbour {
  kind: 'CATALOG' | 'IN_FLIGHT';
  /** Catalog entry id or run id. */
  id: string;
  capabilityKey: string;
  externalId: string | null;
  features: ToolFeatures;
  /** Cosine similarity of the two vectors of the same embedder. */
  cosine: number;
}

export interface ScoredMatch {
  neighbour: DuplicateNeighbour;
  tier: DuplicateOutcome;
  score: number;
  raw: number;
  dimensions: DimensionScores;
  rules: string[];
  rationale: string;
}

export interface DuplicateVerdict {
  outcome: DuplicateOutcome;
  /** Matches at POTENTIAL or above, best first. */
  matches: ScoredMatch[];
  detectorVersion: string;
  combinationVersion: string;
}

/** What the check knows about the candidate beyond its definition. */
export interface DetectionContext {
  /** The run's own capability key; absent when screening tool records that have none. */
  capabilityKey?: string | null;
}

/** Plan §3.2: a pluggable duplicate detection strategy; the workflow only sees its verdict. */
export interface IToolDuplicateDetector {
  readonly version: string;
  detect(
    candidate: ToolFeatures,
    neighbours: DuplicateNeighbour[],
    thresholds: DuplicateThresholds,
    context?: DetectionContext,
  ): DuplicateVerdict;
}

const TIER_RANK: Record<DuplicateOutcome, number> = { NONE: 0, POTENTIAL: 1, BLOCKING: 2 };

export function scorePair(
  candidate: ToolFeatures,
  n: DuplicateNeighbour,
  thresholds: DuplicateThresholds,
  context: DetectionContext = {},
): ScoredMatch {
  const dimensions: DimensionScores = {
    identity: identityDimension(candidate, n.features),
    contract: contractDimension(candidate, n.features),
    semantic: semanticDimension(n.cosine, candidate, n.features),
    runtime: runtimeDimension(candidate, n.features),
  };
  const sameKey = !!context.capabilityKey && n.capabilityKey === context.capabilityKey;
  const combined = sameKey ? keyTaken(combine(dimensions)) : combine(dimensions);
  const tier = classifyCombined(combined.score, thresholds);
  return {
    neighbour: n,
    tier,
    score: combined.score,
    raw: combined.raw,
    dimensions,
    rules: combined.rules,
    rationale: `${n.kind === 'IN_FLIGHT' ? 'in-flight run' : 'catalog entry'} ${n.capabilityKey}: ${rationaleOf(dimensions, combined, tier)}`,
  };
}

/**
 * Order within a tier: what the two tools say (semantic) and what they take (contract). The tier
 * already holds the rules; capped and floored scores tie too often to rank by.
 */
function relevance(m: ScoredMatch): number {
  return m.dimensions.semantic.score + m.dimensions.contract.score;
}

/** The default detector: four dimensions, one versioned combination. */
export class FourDimensionDetector implements IToolDuplicateDetector {
  readonly version = DETECTOR_VERSION;

  detect(
    candidate: ToolFeatures,
    neighbours: DuplicateNeighbour[],
    thresholds: DuplicateThresholds,
    context: DetectionContext = {},
  ): DuplicateVerdict {
    const matches = neighbours
      .map((n) => scorePair(candidate, n, thresholds, context))
      .filter((m) => m.tier !== 'NONE')
      .sort(
        (a, b) =>
          TIER_RANK[b.tier] - TIER_RANK[a.tier] ||
          relevance(b) - relevance(a) ||
          b.score - a.score ||
          b.raw - a.raw ||
          a.neighbour.capabilityKey.localeCompare(b.neighbour.capabilityKey),
      );
    const outcome = matches[0]?.tier ?? 'NONE';
    return { outcome, matches, detectorVersion: this.version, combinationVersion: COMBINATION_VERSION };
  }
}
