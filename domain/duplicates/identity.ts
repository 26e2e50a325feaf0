import type { DuplicateOutcome } from '../types';
import { nameTokenOverlap, normalizeName } from './normalize';

export interface DuplicateThresholds {
  potential: number;
  blocking: number;
}

export interface CatalogIdentity {
  id: string;
  capabilityKey: string;
  name: string;
  normalizedName: string;
}

export interface DuplicateFinding {
  capabilityId: string;
  capabilityKey: string;
  dimension: 'IDENTITY';
  score: number;
  tier: DuplicateOutcome;
  rationale: string;
}

export function classifyScore(score: number, t: DuplicateThresholds): DuplicateOutcome {
  if (score >= t.blocking) return 'BLOCKING';
  if (score >= t.potential) return 'POTENTIAL';
  return 'NONE';
}

const TIER_RANK: Record<DuplicateOutcome, number> = { NONE: 0, POTENTIAL: 1, BLOCKING: 2 };

export function overallOutcome(findings: DuplicateFinding[]): DuplicateOutcome {
  return findings.reduce<DuplicateOutcome>((acc, f) => (TIER_RANK[f.tier] > TIER_RANK[acc] ? f.tier : acc), 'NONE');
}

/**
 * Identity collisions of a proposed capability with the catalog: the same key or normalized name
 * is a score of 1; otherwise the overlap of the names' word sets, classified by the thresholds.
 * Only findings at POTENTIAL or above are returned.
 */
export function detectIdentityCollisions(
  proposed: { capabilityKey: string; name: string },
  catalog: CatalogIdentity[],
  thresholds: DuplicateThresholds,
): DuplicateFinding[] {
  const proposedNorm = normalizeName(proposed.name);
  const findings: DuplicateFinding[] = [];
  for (const entry of catalog) {
    let score: number;
    let rationale: string;
    if (entry.capabilityKey === proposed.capabilityKey) {
      score = 1;
      rationale = `capability key "${proposed.capabilityKey}" already exists in the catalog`;
    } else if (entry.normalizedName === proposedNorm) {
      score = 1;
      rationale = `name "${proposed.name}" normalizes to "${proposedNorm}", the same as catalog entry "${entry.name}"`;
    } else {
      score = nameTokenOverlap(proposed.name, entry.name);
      rationale = `name "${proposed.name}" shares ${Math.round(score * 100)}% of its words with catalog entry "${entry.name}"`;
    }
    const tier = classifyScore(score, thresholds);
    if (tier !== 'NONE') {
      findings.push({
        capabilityId: entry.id,
        capabilityKey: entry.capabilityKey,
        dimension: 'IDENTITY',
        score,
        tier,
        rationale,
      });
    }
  }
  return findings.sort((a, b) => b.score - a.score || a.capabilityKey.localeCompare(b.capabilityKey));
}
