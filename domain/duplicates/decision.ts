import type { DuplicateOutcome } from '../types';
import type { DimensionScore, IdentityScore, RuntimeScore } from './dimensions';
import { VAGUE_NOUNS } from './features';

export interface DuplicateThresholds {
  potential: number;
  blocking: number;
}

/**
 * The combination of the four dimensions, versioned: weights, rules and the calibration that maps
 * the raw weighted score onto the configured `AiGeneration:DuplicateThresholds` scale (the default
 * thresholds 0.80 / 0.95 sit exactly at the raw cut points tuned on the development sets).
 */
export const COMBINATION = {
  version: 'combination/29',
  weights: { semantic: 0.45, identity: 0.15, contract: 0.15, runtime: 0.25 },
  /** Raw cut points that correspond to the default thresholds potential=0.80, blocking=0.95. */
  rawPotential: 0.42,
  rawBlocking: 0.62,
  anchors: { potential: 0.8, blocking: 0.95 },
  /** Below blocking when the effect differs (read vs create vs delete) or the platforms differ. */
  capBelowBlocking: 0.94,
  /** Below potential when the effect differs and neither the verb nor the resource is shared. */
  capBelowPotential: 0.6,
  /** Same verb on the same resource is the same job once the descriptions agree this much. */
  sameJobMinSemantic: 0.45,
  /** ... or once their input signatures agree this much (the same operation under other words). */
  sameJobMinContract: 0.5,
  /** Floors to POTENTIAL (same resource, or a vertical of a general tool) need this much agreement. */
  siblingMinSemantic: 0.3,
} as const;

export interface DimensionScores {
  identity: IdentityScore;
  contract: DimensionScore;
  semantic: DimensionScore;
  runtime: RuntimeScore;
}

export interface CombinedScore {
  raw: number;
  /** On the thresholds' scale, 0..1. */
  score: number;
  rules: string[];
}

function calibrate(raw: number): number {
  const { rawPotential: rp, rawBlocking: rb, anchors } = COMBINATION;
  if (raw <= rp) return (raw / rp) * anchors.potential;
  if (raw <= rb) return anchors.potential + ((raw - rp) / (rb - rp)) * (anchors.blocking - anchors.potential);
  return Math.min(1, anchors.blocking + ((raw - rb) / (1 - rb)) * (1 - anchors.blocking));
}

/** Weighted dimensions, then the rules; deterministic and recorded with COMBINATION.version. */
export function combine(d: DimensionScores): CombinedScore {
  const w = COMBINATION.weights;
  const raw =
    w.semantic * d.semantic.score +
    w.identity * d.identity.score +
    w.contract * d.contract.score +
    w.runtime * d.runtime.score;
  let score = calibrate(raw);
  const rules: string[] = [];
  // Each rule moves the score towards its bound only, and says why when it does.
  const raiseTo = (bound: number, why: string): void => {
    if (score < bound) {
      score = bound;
      rules.push(why);
    }
  };
  const capAt = (bound: number, why: string): void => {
    if (score > bound) {
      score = bound;
      rules.push(why);
    }
  };
  const r = d.runtime;
  const { anchors } = COMBINATION;
  // Vague nouns (content, resource) in common are no resource in common.
  const sharedResources = r.sharedObjects.filter((o) => !VAGUE_NOUNS.has(o));
  // Two tools that take no input and do the same (close) act on what is in context: a session and a
  // page are two names for it, once the descriptions agree.
  const sameBareAction = r.sameBareAction && d.semantic.score >= COMBINATION.sameJobMinSemantic;
  if (!sameBareAction && sharedResources.length === 0 && d.identity.sharedResourceWords === 0)
    capAt(COMBINATION.capBelowPotential, 'no resource in common: shared words are not a shared job');
  // Each names its own core resource, neither appears among the other's leading resources: the
  // shared verb and words act on different things (a blame vs a file read, labels vs an issue).
  if (r.coreResourceConflict)
    capAt(COMBINATION.capBelowPotential, 'different core resources: the same verb on different things');
  // Neither names a core resource ("get a resource", "search a page") and the systems differ:
  // the words are too general to say that the same thing is done.
  if (r.bothGeneral && r.platformConflict)
    capAt(COMBINATION.capBelowPotential, 'only general resources on different systems: nothing says the job is shared');
  if (r.otherSystemOtherEntities)
    capAt(
      COMBINATION.capBelowPotential,
      'another system, and each leads with a resource the other never mentions: other entities',
    );
  if (r.otherSystemOtherEntity)
    capAt(
      COMBINATION.capBelowPotential,
      "another system that never mentions the candidate's resource: not the same kind of entity",
    );
  // The descriptions barely agree: a shared property name or verb alone is not a shared job.
  if (d.semantic.score < COMBINATION.siblingMinSemantic)
    capAt(COMBINATION.capBelowPotential, 'the descriptions barely agree: signature or verb alone is not a shared job');
  const potentialFloor = anchors.potential;
  if (r.searchVertical && !r.platformConflict && d.semantic.score >= COMBINATION.siblingMinSemantic)
    raiseTo(potentialFloor, 'a search for one kind of web content against a general web search: a vertical');
  if (r.webSourceVertical && d.semantic.score >= COMBINATION.siblingMinSemantic)
    raiseTo(
      potentialFloor,
      'one web source or system against the general web tool (search, fetch) that reaches it: a vertical',
    );
  if (r.crawlOfGet && !r.platformConflict && d.semantic.score >= COMBINATION.siblingMinSemantic)
    raiseTo(potentialFloor, 'a crawl gets many pages where the other gets one: a superset, a reviewer must look');
  if (r.namesOthersAction && !r.platformConflict && d.semantic.score >= COMBINATION.siblingMinSemantic)
    raiseTo(
      potentialFloor,
      "a general tool that names the other's action among its own: a superset, a reviewer must look",
    );
  if (r.researchOfSearch)
    raiseTo(potentialFloor, 'research on the web searches it and reads what it finds: a superset of a web search');
  // Another operation on the same core resource of the same system (create vs list tabs, create vs
  // describe a table), once the descriptions agree: a sibling, which a reviewer must see.
  if (r.sameCoreObject && !r.platformConflict && d.semantic.score >= COMBINATION.sameJobMinSemantic)
    raiseTo(potentialFloor, 'another operation on the same resource of the same system: a sibling');
  // A store that a query runs on holds what a query reads elsewhere: a collection is queried as a table is.
  if (r.sameKindOtherSystem && (r.sameCoreObject || r.queriedStoreHolds) && r.sameRetrievalOrVerb)
    raiseTo(potentialFloor, 'the same resource on another system of the same kind: a reviewer must look');
  if (d.identity.score === 1 && d.identity.keyHasResource === true && r.sameVerb && !r.platformConflict)
    raiseTo(anchors.blocking, 'same normalized key and verb: the same tool renamed or republished');
  if (
    r.sameVerb &&
    r.samePrimaryObject &&
    !r.platformConflict &&
    !r.effectMismatch &&
    // Two general tools (no core resource: "navigate", "get a page") share a job only when their
    // inputs share something: going back takes nothing, navigating takes a URL.
    !(r.bothGeneral && d.contract.score === 0) &&
    (d.semantic.score >= COMBINATION.sameJobMinSemantic ||
      (d.contract.score >= COMBINATION.sameJobMinContract && d.semantic.score >= COMBINATION.siblingMinSemantic))
  )
    raiseTo(anchors.blocking, 'same verb on the same resource, no platform difference: the same job');
  if (r.partsOfDescribed && !r.platformConflict && d.semantic.score >= COMBINATION.siblingMinSemantic)
    raiseTo(anchors.blocking, "listing a resource's parts is describing it: the same job");
  if (r.coversCandidate && !r.platformConflict)
    raiseTo(anchors.blocking, 'the entry runs anything on this resource: it already covers the candidate');
  if (r.candidateBroader)
    capAt(COMBINATION.capBelowBlocking, 'the candidate is broader than the entry (a superset): a reviewer must look');
  if (r.oneIsGeneral && !r.samePrimaryObject)
    capAt(
      COMBINATION.capBelowBlocking,
      'a general tool that never names the narrower resource: a subset, not the same job',
    );
  if (r.nameSilent)
    capAt(
      COMBINATION.capBelowBlocking,
      'a name that says neither action nor resource: the description alone does not make the same tool',
    );
  if (r.effectMismatch)
    capAt(COMBINATION.capBelowBlocking, 'different effect (read vs write vs delete): a sibling at most');
  if (r.unrelatedSystems)
    capAt(COMBINATION.capBelowPotential, 'systems of unrelated kinds: the same words name different things');
  if (r.platformConflict)
    capAt(COMBINATION.capBelowBlocking, 'same operation on a different platform: a reviewer must look');
  return { raw, score, rules };
}

/**
 * A capability key names one capability per tenant (plan §4.2, manifest identity key): whatever
 * the other dimensions say, a second capability under a taken key is the same capability.
 */
export function keyTaken(c: CombinedScore): CombinedScore {
  return {
    raw: c.raw,
    score: 1,
    rules: [...c.rules, 'the same capability key: a key names one capability per tenant'],
  };
}

export function classifyCombined(score: number, t: DuplicateThresholds): DuplicateOutcome {
  if (score >= t.blocking) return 'BLOCKING';
  if (score >= t.potential) return 'POTENTIAL';
  return 'NONE';
}

/** The reviewer-readable rationale of one match. */
export function rationaleOf(d: DimensionScores, c: CombinedScore, tier: DuplicateOutcome): string {
  const parts = [
    `${tier} (score ${c.score.toFixed(3)})`,
    `identity ${d.identity.score.toFixed(2)}: ${d.identity.evidence}`,
    `contract ${d.contract.score.toFixed(2)}: ${d.contract.evidence}`,
    `semantic ${d.semantic.score.toFixed(2)}: ${d.semantic.evidence}`,
    `runtime ${d.runtime.score.toFixed(2)}: ${d.runtime.evidence}`,
  ];
  if (c.rules.length > 0) parts.push(`rules: ${c.rules.join('; ')}`);
  return parts.join(' | ');
}
