import {
  canonNoun,
  canonTerm,
  canonVerb,
  CONTEXT_NOUNS,
  GENERIC_PLATFORMS,
  VAGUE_NOUNS,
  type Effect,
  type ToolFeatures,
} from './features';
import { PLATFORM_KINDS, QUERYABLE_STORES, RESOURCE_CONTAINS, WEB_PUBLISHED } from './lexicon';
import { STOPWORDS } from './lexicon';

/** One dimension's verdict on a candidate/entry pair: a 0..1 score and evidence a reviewer can read. */
export interface DimensionScore {
  score: number;
  evidence: string;
}

export interface IdentityScore extends DimensionScore {
  /** The shared key names a resource, not only a verb. */
  keyHasResource?: boolean;
  /** Name words in common that are not verbs. */
  sharedResourceWords: number;
}

export interface RuntimeScore extends DimensionScore {
  /** Read vs create vs delete: strong evidence against a duplicate. */
  effectMismatch: boolean;
  sameVerb: boolean;
  sameObject: boolean;
  /** The two primary resources are the same. */
  samePrimaryObject: boolean;
  /** Both name the same core (non-context) resource. */
  sameCoreObject: boolean;
  /** Exactly one of them names no core resource: a general tool. */
  oneIsGeneral: boolean;
  /** One acts on a queried store that holds the other's core resource (SQL holds tables, collections). */
  queriedStoreHolds: boolean;
  /**
   * On another system, and each leads with a resource the other never mentions (a reaction to a chat
   * message vs a comment on an issue; a deployed worker's code vs a code search): other entities.
   */
  otherSystemOtherEntities: boolean;
  /** Both search; one searches a place at large (the web, a page), the other that place for one kind of thing. */
  searchVertical: boolean;
  /** The entry runs anything on the candidate's resource (e.g. any SQL): it covers the candidate. */
  coversCandidate: boolean;
  /** The candidate runs anything on the entry's resource: a superset, for a reviewer. */
  candidateBroader: boolean;
  /** Resources both act on. */
  sharedObjects: string[];
  /** Both act on named platforms and none is shared: the same operation on a different system. */
  platformConflict: boolean;
  /** Both name systems and no kind of system is shared (database vs git): different meanings. */
  unrelatedSystems: boolean;
  /** Different systems of one kind (GitHub vs Linear issues): the same operation elsewhere. */
  sameKindOtherSystem: boolean;
  /** Both name a core resource, they differ, and they share no resource but vague nouns (content, resource). */
  coreResourceConflict: boolean;
  /** Neither names a core resource (only context nouns such as web, page, resource). */
  bothGeneral: boolean;
  /**
   * On another system, and the entry never mentions the candidate's core resource: not the same
   * operation on the same kind of entity elsewhere (labels vs an issue tracker's issues; a video
   * transcript vs a general page fetch).
   */
  otherSystemOtherEntity: boolean;
  /**
   * Searching one public web source (arXiv, maps) while the other searches the web at large, with no
   * system of its own, or downloading one of its items while the other fetches any page; or searching
   * one's own system while the other searches the web and offers that system as a category: a vertical.
   */
  webSourceVertical: boolean;
  /** One crawls pages (many, following links) where the other gets a page: a superset, for a reviewer. */
  crawlOfGet: boolean;
  /**
   * Under different names, neither repeating the other, one says neither an action nor a resource
   * ("primer", "snapshot"): only its description says what it does, which is not enough to call it
   * the same tool.
   */
  nameSilent: boolean;
  /** The same verb and effect, and neither takes any input: both act on whatever is in context. */
  sameBareAction: boolean;
  /** One lists the parts of a resource (a table's columns), the other describes that resource: one job. */
  partsOfDescribed: boolean;
  /** A general action tool whose description names the other's action among its own (click, type): a superset. */
  namesOthersAction: boolean;
  /** One researches on the web (searches and reads), the other searches the web at large: a superset. */
  researchOfSearch: boolean;
  /** The candidate's verb. */
  verbA: string | null;
  /** The same verb, or both retrieve (get, list, search, describe). */
  sameRetrievalOrVerb: boolean;
}

/**
 * What the dimensions derive from one tool's features, whichever side of a pair it is on. The
 * candidate meets up to 48 neighbours in one check: its part is derived once, not once per pair,
 * and a neighbour's only where a dimension asks for it. Features are never changed once extracted.
 */
interface Derived {
  nameTerms?: Set<string>;
  /** Terms the semantic evidence may cite (not property names), in the bag's order. */
  salientTerms?: Array<[string, number]>;
  /** Kinds of the systems it names. */
  platformKinds?: Set<string>;
  /** Its name says an action or a resource the lexicon knows. */
  nameSaysSomething?: boolean;
}

const derivedOf = new WeakMap<ToolFeatures, Derived>();

function derived(f: ToolFeatures): Derived {
  let d = derivedOf.get(f);
  if (d === undefined) derivedOf.set(f, (d = {}));
  return d;
}

function nameTerms(f: ToolFeatures): Set<string> {
  return (derived(f).nameTerms ??= new Set(
    f.nameTokens.filter((w) => !STOPWORDS.has(w) || canonVerb(w) !== null).map(canonTerm),
  ));
}

function salientTerms(f: ToolFeatures): Array<[string, number]> {
  return (derived(f).salientTerms ??= [...f.terms.entries()].filter(([t]) => !t.startsWith('p:')));
}

function platformKinds(f: ToolFeatures): Set<string> {
  return (derived(f).platformKinds ??= new Set(f.platforms.flatMap((p) => PLATFORM_KINDS[p] ?? [])));
}

function nameSaysSomething(f: ToolFeatures): boolean {
  return (derived(f).nameSaysSomething ??= f.nameTokens.some((w) => canonVerb(w) !== null || canonNoun(w) !== null));
}

/** Identity: normalized key equality, else overlap of the canonical name words. */
export function identityDimension(a: ToolFeatures, b: ToolFeatures): IdentityScore {
  if (a.identityKey.length > 0 && a.identityKey === b.identityKey) {
    // A key made only of a verb ("get", "search") names no job by itself.
    const keyHasResource = a.identityKey.split('-').some((t) => canonVerb(t) === null);
    return {
      score: 1,
      evidence: `same normalized key "${a.identityKey}"`,
      keyHasResource,
      sharedResourceWords: keyHasResource ? 1 : 0,
    };
  }
  const sa = nameTerms(a);
  const sb = nameTerms(b);
  const shared = [...sa].filter((w) => sb.has(w));
  const union = new Set([...sa, ...sb]).size;
  const score = union === 0 ? 0 : shared.length / union;
  const sharedResourceWords = shared.filter((w) => canonVerb(w) === null).length;
  return {
    score,
    evidence: shared.length > 0 ? `name words in common: ${shared.join(', ')}` : 'no name words in common',
    sharedResourceWords,
  };
}

/** Contract: input signatures compared by canonical property name, type, required set and depth. */
export function contractDimension(a: ToolFeatures, b: ToolFeatures): DimensionScore {
  const pa = a.properties;
  const pb = b.properties;
  if (pa.length === 0 && pb.length === 0) return { score: 0.5, evidence: 'neither takes input' };
  if (pa.length === 0 || pb.length === 0) return { score: 0, evidence: 'only one of them takes input' };
  const weight = (p: { required: boolean; depth: number }) => (p.required ? 2 : 1) / (1 + p.depth);
  const used = new Set<number>();
  let matched = 0;
  const names: string[] = [];
  for (const p of pa) {
    const i = pb.findIndex((q, k) => !used.has(k) && q.name === p.name);
    if (i < 0) continue;
    used.add(i);
    const q = pb[i]!;
    const typeFactor = q.type === p.type || q.type === 'any' || p.type === 'any' ? 1 : 0.5;
    const reqFactor = q.required === p.required ? 1 : 0.75;
    matched += ((weight(p) + weight(q)) / 2) * typeFactor * reqFactor;
    names.push(p.name);
  }
  const total = pa.reduce((s, p) => s + weight(p), 0) + pb.reduce((s, p) => s + weight(p), 0);
  const score = Math.min(1, (2 * matched) / total);
  return {
    score,
    evidence: names.length > 0 ? `properties in common: ${names.join(', ')}` : 'no properties in common',
  };
}

/** Semantic: cosine similarity of the two embeddings (same embedder), with the shared salient terms. */
export function semanticDimension(cosine: number, a?: ToolFeatures, b?: ToolFeatures): DimensionScore {
  const score = Math.max(0, Math.min(1, cosine));
  if (!a || !b) return { score, evidence: `cosine ${score.toFixed(3)}` };
  const common: Array<[string, number]> = [];
  for (const [t, w] of salientTerms(a)) {
    const wb = b.terms.get(t);
    if (wb !== undefined) common.push([t, w * wb]);
  }
  // A stable sort: terms of equal weight keep the candidate's order.
  const shared = common
    .sort((x, y) => y[1] - x[1])
    .slice(0, 6)
    .map(([t]) => t);
  return {
    score,
    evidence: `cosine ${score.toFixed(3)}${shared.length > 0 ? `; shared terms: ${shared.join(', ')}` : ''}`,
  };
}

const RETRIEVAL = new Set(['get', 'list', 'search', 'describe', 'log']);

const EFFECT_GROUP: Record<Effect, string> = {
  read: 'read',
  create: 'write',
  update: 'write',
  delete: 'delete',
  execute: 'execute',
  unknown: 'unknown',
};

/** `v` searches a public web source (a core resource, only web-source platforms); `g` the open web. */
function webVertical(v: ToolFeatures, g: ToolFeatures): boolean {
  return (
    v.coreObject !== null &&
    v.platforms.length > 0 &&
    v.platforms.every((p) => (PLATFORM_KINDS[p] ?? []).includes('web-source')) &&
    g.coreObject === null &&
    g.platforms.length === 0 &&
    g.objects.includes('web')
  );
}

/** Name verbs that bring something over the network; reading may read a copy already stored. */
const FETCH_WORDS = new Set(['fetch', 'download', 'scrape', 'retrieve']);

/** `v` searches its own system; `g` searches the web at large and offers that system as a category. */
function webCategory(v: ToolFeatures, g: ToolFeatures): boolean {
  return (
    v.platforms.some((p) => g.optionPlatforms.includes(p)) &&
    g.coreObject === null &&
    g.platforms.length === 0 &&
    g.objects.includes('web')
  );
}

/**
 * `v` downloads one kind of thing the web publishes (a paper) from a public web source; `g` gets any
 * page: fetching the page of that source is what `v` does, on one site.
 */
function webSourceFetch(v: ToolFeatures, g: ToolFeatures): boolean {
  return (
    v.nameTokens.some((w) => FETCH_WORDS.has(w)) &&
    v.coreObject !== null &&
    WEB_PUBLISHED.has(v.coreObject) &&
    v.platforms.length > 0 &&
    v.platforms.every((p) => (PLATFORM_KINDS[p] ?? []).includes('web-source')) &&
    g.coreObject === null &&
    g.platforms.length === 0 &&
    g.objects.includes('page')
  );
}

/**
 * `g` searches a place at large (the web, a page); `v` searches it for one kind of thing: it names
 * that place too (elements on the page, people on the web), or the place is the web and `v`'s thing
 * is something the web publishes (news, images).
 */
function searchVerticalOf(v: ToolFeatures, g: ToolFeatures): boolean {
  if (v.coreObject === null || g.coreObject !== null) return false;
  const places = g.objects.filter((o) => CONTEXT_NOUNS.has(o) && !VAGUE_NOUNS.has(o));
  return places.some((p) => v.objects.includes(p)) || (places.includes('web') && WEB_PUBLISHED.has(v.coreObject));
}

/** `p` lists or gets the parts of what `d` describes (a table's columns against describing the table). */
function partsOf(p: ToolFeatures, d: ToolFeatures): boolean {
  return (
    (p.verb === 'list' || p.verb === 'get') &&
    d.verb === 'describe' &&
    p.coreObject !== null &&
    d.coreObject !== null &&
    (RESOURCE_CONTAINS[d.coreObject] ?? []).includes(p.coreObject) &&
    p.mentioned.includes(d.coreObject)
  );
}

/** `g` is a general tool whose description names `n`'s action, with the same effect, on a shared place. */
function namesActionOf(g: ToolFeatures, n: ToolFeatures): boolean {
  return (
    g.coreObject === null &&
    g.verb !== null &&
    n.verb !== null &&
    g.verb !== n.verb &&
    g.effect === n.effect &&
    // Reads name other reads in passing ("fetch, then extract"); an action tool lists the actions it takes.
    g.effect === 'execute' &&
    g.terms.has(n.verb) &&
    g.objects.some((o) => n.objects.includes(o))
  );
}

/** `r` researches on the web (searching and reading many sources); `s` searches the web at large. */
function researchesWhereSearches(r: ToolFeatures, s: ToolFeatures): boolean {
  return (
    r.verb === 'research' &&
    s.verb === 'search' &&
    r.objects.includes('web') &&
    s.objects.includes('web') &&
    s.coreObject === null &&
    r.platforms.length === 0 &&
    s.platforms.length === 0
  );
}

/** The first two resources a tool names, context nouns left out. */
function lead(f: ToolFeatures): string[] {
  return f.objects.filter((o) => !CONTEXT_NOUNS.has(o)).slice(0, 2);
}

/** Runtime correlation: same adapter, same core function (verb × resource) and policy profile. */
export function runtimeDimension(a: ToolFeatures, b: ToolFeatures): RuntimeScore {
  const sameVerb = a.verb !== null && a.verb === b.verb;
  const ga = EFFECT_GROUP[a.effect];
  const gb = EFFECT_GROUP[b.effect];
  const effectKnown = ga !== 'unknown' && gb !== 'unknown';
  // Running something (a query, a script) may read or write: it conflicts only with deleting.
  const effectMismatch =
    effectKnown && ga !== gb && !(ga === 'execute' && gb !== 'delete') && !(gb === 'execute' && ga !== 'delete');
  const primaryA = a.objects[0];
  const primaryB = b.objects[0];
  const sharedObjects = a.objects.filter((o) => b.objects.includes(o));
  const sameObject =
    (primaryA !== undefined && b.objects.slice(0, 3).includes(primaryA)) ||
    (primaryB !== undefined && a.objects.slice(0, 3).includes(primaryB));
  // A vendor's own system on one side and another system (or none) on the other; generic
  // platforms (any SQL engine) are interchangeable.
  const pa = a.platforms.filter((p) => !GENERIC_PLATFORMS.has(p));
  const pb = b.platforms.filter((p) => !GENERIC_PLATFORMS.has(p));
  const platformConflict = (pa.length > 0 || pb.length > 0) && !pa.some((p) => pb.includes(p));
  const ka = platformKinds(a);
  const kb = platformKinds(b);
  const unrelatedSystems = ka.size > 0 && kb.size > 0 && ![...ka].some((k) => kb.has(k));
  const verbScore = sameVerb ? 1 : effectKnown && !effectMismatch ? 0.5 : 0;
  const objectScore = sameObject ? 1 : sharedObjects.length > 0 ? 0.6 : 0;
  const effectScore = effectKnown ? (effectMismatch ? 0 : 1) : 0.5;
  const openWorldScore = a.openWorld === null || b.openWorld === null ? 0.5 : a.openWorld === b.openWorld ? 1 : 0;
  const runtimeScore = a.runtime && b.runtime ? (a.runtime === b.runtime ? 1 : 0.5) : 0.5;
  const score = 0.35 * verbScore + 0.35 * objectScore + 0.15 * effectScore + 0.05 * openWorldScore + 0.1 * runtimeScore;
  const parts = [
    `verb ${a.verb ?? '?'} vs ${b.verb ?? '?'}`,
    `resource ${primaryA ?? '?'} vs ${primaryB ?? '?'}`,
    `effect ${a.effect} vs ${b.effect}`,
  ];
  if (a.platforms.length > 0 || b.platforms.length > 0) {
    parts.push(`platform ${a.platforms.join('+') || '-'} vs ${b.platforms.join('+') || '-'}`);
  }
  return {
    score,
    evidence: parts.join('; '),
    effectMismatch,
    sameVerb,
    sameObject,
    sameCoreObject: a.coreObject !== null && a.coreObject === b.coreObject,
    oneIsGeneral: (a.coreObject === null) !== (b.coreObject === null),
    queriedStoreHolds:
      a.coreObject !== null &&
      b.coreObject !== null &&
      ((QUERYABLE_STORES.has(a.coreObject) && (RESOURCE_CONTAINS[a.coreObject] ?? []).includes(b.coreObject)) ||
        (QUERYABLE_STORES.has(b.coreObject) && (RESOURCE_CONTAINS[b.coreObject] ?? []).includes(a.coreObject))),
    otherSystemOtherEntities:
      platformConflict &&
      lead(b).some((o) => !a.mentioned.includes(o)) &&
      lead(a).some((o) => !b.mentioned.includes(o)),
    searchVertical: sameVerb && a.verb === 'search' && (searchVerticalOf(a, b) || searchVerticalOf(b, a)),
    samePrimaryObject:
      (a.coreObject !== null && a.coreObject === b.coreObject) ||
      (a.coreObject === null && b.coreObject === null && sharedObjects.length > 0) ||
      // A general tool does a narrower one's job only when it names that resource itself (a web
      // search "for news" covers a news search; one that never says "people" does not cover people).
      (a.coreObject === null && b.coreObject !== null && a.mentioned.includes(b.coreObject)) ||
      (b.coreObject === null && a.coreObject !== null && b.mentioned.includes(a.coreObject)),
    coversCandidate:
      b.verb === 'run' &&
      b.effect === 'execute' &&
      a.effect !== 'execute' &&
      a.effect !== 'delete' &&
      a.coreObject !== null &&
      b.coreObject !== null &&
      // Only a query language's runner covers: running code is not reading code.
      QUERYABLE_STORES.has(b.coreObject) &&
      // Anything on SQL covers creating a table: the runner's resource is the candidate's or holds it.
      (a.coreObject === b.coreObject || (RESOURCE_CONTAINS[b.coreObject] ?? []).includes(a.coreObject)),
    candidateBroader:
      a.verb === 'run' &&
      a.effect === 'execute' &&
      b.effect !== 'execute' &&
      a.coreObject !== null &&
      a.coreObject === b.coreObject,
    sharedObjects,
    platformConflict,
    unrelatedSystems,
    sameKindOtherSystem: platformConflict && [...ka].some((k) => kb.has(k)),
    bothGeneral: a.coreObject === null && b.coreObject === null,
    webSourceVertical:
      sameVerb &&
      (a.verb === 'search'
        ? webVertical(a, b) || webVertical(b, a) || webCategory(a, b) || webCategory(b, a)
        : a.verb === 'get' && (webSourceFetch(a, b) || webSourceFetch(b, a))),
    otherSystemOtherEntity: platformConflict && a.coreObject !== null && !b.mentioned.includes(a.coreObject),
    coreResourceConflict:
      a.coreObject !== null &&
      b.coreObject !== null &&
      a.coreObject !== b.coreObject &&
      !sharedObjects.some((o) => !VAGUE_NOUNS.has(o)),
    crawlOfGet:
      a.coreObject === null &&
      b.coreObject === null &&
      sharedObjects.includes('page') &&
      ((a.verb === 'crawl' && b.verb === 'get') || (a.verb === 'get' && b.verb === 'crawl')),
    nameSilent:
      a.identityKey !== b.identityKey &&
      (!nameSaysSomething(a) || !nameSaysSomething(b)) &&
      // Where one name repeats the other word for word ("weather forecast", "city weather forecast")
      // the names agree, even in words the lexicon does not know.
      !a.nameTokens.every((w) => b.nameTokens.includes(w)) &&
      !b.nameTokens.every((w) => a.nameTokens.includes(w)),
    sameBareAction: sameVerb && !effectMismatch && a.properties.length === 0 && b.properties.length === 0,
    partsOfDescribed: partsOf(a, b) || partsOf(b, a),
    namesOthersAction: namesActionOf(a, b) || namesActionOf(b, a),
    researchOfSearch: researchesWhereSearches(a, b) || researchesWhereSearches(b, a),
    verbA: a.verb,
    sameRetrievalOrVerb: sameVerb || (RETRIEVAL.has(a.verb ?? '') && RETRIEVAL.has(b.verb ?? '')),
  };
}
