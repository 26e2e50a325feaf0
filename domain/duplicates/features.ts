import { stem } from './stem';
import {
  BOILERPLATE,
  DETAIL_WORDS,
  NOUN_CANON,
  PLATFORM_WORDS,
  PROPERTY_CANON,
  RESOURCE_CONTAINS,
  SQL_CONTEXT_NOUNS,
  STOPWORDS,
  VENDOR_WORDS,
  VERB_CANON,
} from './lexicon';
import { nameWords } from './normalize';

/** A tool as published (MCP tools/list shape) or as a generated capability describes itself. */
export interface ToolRecord {
  name: string;
  description: string;
  inputSchema?: Record<string, unknown> | null;
  outputSchema?: Record<string, unknown> | null;
  annotations?: Record<string, unknown> | null;
  /** The serving server or vendor (e.g. "brave-search"); its words are stripped from identity. */
  server?: string | null;
  runtime?: string | null;
}

/** Nouns that say where a tool acts rather than on what. */
export const CONTEXT_NOUNS = new Set(['web', 'page', 'content', 'database', 'resource']);
/** Prepositions that start a qualifier in a tool name ("get_release_by_tag"). */
const NAME_PREPOSITIONS = new Set(['by', 'for', 'of', 'from', 'with', 'in', 'on']);
/** Context nouns so vague that sharing them says nothing about sharing a job. */
export const VAGUE_NOUNS = new Set(['content', 'resource']);
/** Platforms that name a generic resource (any SQL engine), not a vendor's own system. */
export const GENERIC_PLATFORMS = new Set(['sql']);

export type Effect = 'read' | 'create' | 'update' | 'delete' | 'execute' | 'unknown';

export interface PropertySignature {
  /** Canonical property name (normalized words, synonyms folded). */
  name: string;
  type: string;
  required: boolean;
  depth: number;
}

export interface ToolFeatures {
  /** Identity key: name words without vendor/server words, synonyms folded, stemmed, joined by "-". */
  identityKey: string;
  nameTokens: string[];
  /** Canonical action verb (first verb of the name, else of the description). */
  verb: string | null;
  /** Canonical resource nouns (name first, then description), context nouns last. */
  objects: string[];
  /** The first resource that is not a context noun, if any. */
  coreObject: string | null;
  /** Every canonical resource noun the name, the description or an input property mentions. */
  mentioned: string[];
  effect: Effect;
  openWorld: boolean | null;
  platforms: string[];
  properties: PropertySignature[];
  /** Systems an input offers as a choice (a web search's category "github"): it can be scoped to them. */
  optionPlatforms: string[];
  /** Weighted bag of canonical terms for the semantic embedding. */
  terms: Map<string, number>;
  runtime: string | null;
}

export function canonVerb(word: string): string | null {
  return VERB_CANON[word] ?? VERB_CANON[stem(word)] ?? null;
}

export function canonNoun(word: string): string | null {
  return (
    NOUN_CANON[word] ?? NOUN_CANON[stem(word)] ?? (word.endsWith('s') ? (NOUN_CANON[word.slice(0, -1)] ?? null) : null)
  );
}

/** One word to its canonical term: verbs and nouns by the lexicon, anything else by its stem. */
export function canonTerm(word: string): string {
  return canonVerb(word) ?? canonNoun(word) ?? stem(word);
}

export function stripBoilerplate(text: string): string {
  let t = ` ${nameWords(text).join(' ')} `;
  for (const phrase of BOILERPLATE) t = t.split(` ${phrase} `).join(' ');
  return t.trim();
}

function serverWords(server: string | null | undefined): Set<string> {
  return new Set(server ? nameWords(server) : []);
}

/** Name words that say what the tool does: vendor and server words removed (unless nothing remains). */
export function functionalNameWords(name: string, server?: string | null): string[] {
  const words = nameWords(name);
  const sw = serverWords(server);
  // Server words are dropped only when they are not themselves what the tool does ("search", "web").
  const functional = (w: string) => canonVerb(w) !== null || canonNoun(w) !== null;
  const kept = words.filter(
    (w) => !VENDOR_WORDS.has(w) && !(sw.has(w) && !functional(w)) && !(PLATFORM_WORDS[w] && !functional(w)),
  );
  return kept.length > 0 ? kept : words;
}

/** Normalized identity key: `brave_web_search`, `web_search_exa` and `WebSearch` share `search-web`. */
export function identityKey(name: string, server?: string | null): string {
  const terms = functionalNameWords(name, server)
    .filter((w) => !STOPWORDS.has(w) || canonVerb(w) !== null)
    .map(canonTerm);
  return [...new Set(terms)].sort().join('-');
}

const EFFECT_OF_VERB: Record<string, Effect> = {
  get: 'read',
  describe: 'read',
  explain: 'read',
  search: 'read',
  list: 'read',
  screenshot: 'read',
  scrape: 'read',
  crawl: 'read',
  extract: 'read',
  summarize: 'read',
  research: 'read',
  analyze: 'read',
  diff: 'read',
  log: 'read',
  navigate: 'execute',
  click: 'execute',
  hover: 'execute',
  type: 'execute',
  select: 'execute',
  run: 'execute',
  create: 'create',
  send: 'create',
  write: 'update',
  update: 'update',
  move: 'update',
  copy: 'create',
  merge: 'update',
  assign: 'update',
  react: 'create',
  close: 'update',
  delete: 'delete',
};

function schemaProperties(schema: unknown, depth = 0, out: PropertySignature[] = []): PropertySignature[] {
  if (!schema || typeof schema !== 'object' || depth > 2) return out;
  const s = schema as Record<string, unknown>;
  const props = s.properties && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
  const required = new Set(Array.isArray(s.required) ? (s.required as unknown[]).map(String) : []);
  // In name order: a schema read back from PostgreSQL (jsonb reorders keys) gives the same features.
  const entries = Object.entries(props).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of entries) {
    const v = (value ?? {}) as Record<string, unknown>;
    const type = typeof v.type === 'string' ? v.type : Array.isArray(v.type) ? String(v.type[0]) : 'any';
    const canon = nameWords(key).map(canonTerm).join('-') || key.toLowerCase();
    const name = PROPERTY_CANON[canon] ?? canon;
    out.push({ name, type, required: required.has(key), depth });
    if (type === 'object') schemaProperties(v, depth + 1, out);
    if (type === 'array' && v.items) schemaProperties(v.items, depth + 1, out);
  }
  return out;
}

/** Platforms named by the allowed values (enum) of the input's top-level properties. */
function optionPlatforms(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, unknown> } | null | undefined)?.properties ?? {};
  const out = new Set<string>();
  for (const value of Object.values(props)) {
    const v = (value ?? {}) as Record<string, unknown>;
    const items = (v.items ?? {}) as Record<string, unknown>;
    const choices = [v.enum, items.enum].flatMap((e) => (Array.isArray(e) ? e : []));
    for (const c of choices) {
      if (typeof c !== 'string') continue;
      for (const w of nameWords(c)) {
        const p = PLATFORM_WORDS[w];
        if (p && !GENERIC_PLATFORMS.has(p)) out.add(p);
      }
    }
  }
  return [...out].sort();
}

function withContained(nouns: string[]): string[] {
  return [...new Set([...nouns, ...nouns.flatMap((n) => RESOURCE_CONTAINS[n] ?? [])])];
}

function addTerm(bag: Map<string, number>, term: string, weight: number): void {
  bag.set(term, (bag.get(term) ?? 0) + weight);
}

/** Everything the four dimensions look at, extracted once per tool. */
export function extractFeatures(tool: ToolRecord): ToolFeatures {
  const sw = serverWords(tool.server);
  const nameTokens = functionalNameWords(tool.name, tool.server);
  const descWords = stripBoilerplate(tool.description ?? '')
    .split(' ')
    .filter((w) => w.length > 0);
  const firstSentence = descWords.slice(0, 25);

  let verb: string | null = null;
  let verbWord: string | null = null;
  for (const w of nameTokens) {
    const v = canonVerb(w);
    if (v) {
      verb = v;
      verbWord = w;
      break;
    }
  }
  if (!verb) {
    // Mid-sentence "get" or "return" is filler, but a description that opens with it ("Get the
    // current time ...") states its action there.
    for (const [i, w] of firstSentence.entries()) {
      const v = canonVerb(w);
      if (v && (!STOPWORDS.has(w) || i === 0)) {
        verb = v;
        break;
      }
    }
  }
  // A tool of an SQL engine acts on SQL even when it only says "query" or "database".
  const sqlEngine = [...nameWords(tool.name), ...sw, ...descWords.slice(0, 40)].some(
    (w) => PLATFORM_WORDS[w] === 'sql',
  );
  const noun = (w: string): string | null => (sqlEngine ? (SQL_CONTEXT_NOUNS[w] ?? null) : null) ?? canonNoun(w);
  // Resources: name nouns first, then the description's; context nouns (web, page) go last.
  const found: string[] = [];
  // In a name the head noun comes last ("user issues" are issues), so name nouns are read backwards.
  // Words after a preposition qualify the head ("release by tag" is a release): they come after.
  const prep = nameTokens.findIndex((w) => NAME_PREPOSITIONS.has(w));
  const headPart = prep > 0 ? nameTokens.slice(0, prep) : nameTokens;
  const qualifier = prep > 0 ? nameTokens.slice(prep + 1) : [];
  // The name word read as the verb ("git_log") is not also its resource: the description says what.
  const nameNounWords = [...[...headPart].reverse(), ...[...qualifier].reverse()].filter((w) => w !== verbWord);
  for (const w of [...nameNounWords, ...firstSentence.slice(0, 10)]) {
    const n = noun(w);
    if (n && !found.includes(n) && !(n === 'sql' && w === 'select' && verb === 'select')) found.push(n);
  }
  if (sqlEngine && !found.includes('sql')) found.push('sql');
  const objects = [...found.filter((o) => !CONTEXT_NOUNS.has(o)), ...found.filter((o) => CONTEXT_NOUNS.has(o))];
  // A name whose only resources are context nouns ("web search", "fetch page") scopes a general
  // tool: the description's incidental nouns ("dates", "links") do not make it a narrower one.
  const nameNouns = nameTokens.map(noun).filter((n): n is string => n !== null);
  const nameIsGeneral = nameNouns.length > 0 && nameNouns.every((n) => CONTEXT_NOUNS.has(n)) && !sqlEngine;
  // Retrieving through a SQL statement is running SQL, whatever the verb ("query", "read").
  const actionVerb = verb;
  if (objects[0] === 'sql' && (verb === 'get' || verb === 'search')) verb = 'run';
  // Getting an entry's details or metadata ("get_object_details", "get_file_info") is describing it.
  if (verb === 'get' && nameTokens.some((w) => DETAIL_WORDS.has(w))) verb = 'describe';
  // Getting a resource that is itself a reading action ("get a screenshot", "get logs") is that action.
  if (verb === 'get' && objects[0] && VERB_CANON[objects[0]] === objects[0] && EFFECT_OF_VERB[objects[0]] === 'read') {
    verb = objects[0];
  }

  const platforms = new Set<string>();
  for (const w of [...nameWords(tool.name), ...sw, ...descWords.slice(0, 40)]) {
    const p = PLATFORM_WORDS[w];
    if (p) platforms.add(p);
  }
  if (platforms.has('github')) platforms.delete('git');

  const ann = tool.annotations ?? {};
  // The effect follows the verb as written (reading through SQL stays a read).
  let effect: Effect = actionVerb ? (EFFECT_OF_VERB[actionVerb] ?? 'unknown') : 'unknown';
  if (ann.readOnlyHint === true) effect = 'read';
  else if (ann.destructiveHint === true && effect === 'unknown') effect = 'delete';
  const openWorld = typeof ann.openWorldHint === 'boolean' ? ann.openWorldHint : null;

  const properties = schemaProperties(tool.inputSchema);

  // Terms read words as the features do: a SQL engine's objects are tables, details are a description.
  const term = (w: string): string =>
    (sqlEngine ? SQL_CONTEXT_NOUNS[w] : undefined) ?? (DETAIL_WORDS.has(w) ? 'describe' : canonTerm(w));
  const terms = new Map<string, number>();
  for (const w of nameTokens) {
    if (STOPWORDS.has(w) && !canonVerb(w)) continue;
    addTerm(terms, term(w), 2.5);
  }
  for (const w of descWords) {
    if (sw.has(w) || VENDOR_WORDS.has(w)) continue;
    if (STOPWORDS.has(w) && !canonVerb(w)) continue;
    if (/^\d+$/.test(w) || w.length < 2) continue;
    addTerm(terms, term(w), 1);
  }
  for (const p of properties) if (p.depth === 0) addTerm(terms, `p:${p.name}`, 0.5);
  if (verb) addTerm(terms, `v:${verb}`, 2);
  for (const o of objects.slice(0, 3)) addTerm(terms, `o:${o}`, 1.5);

  return {
    identityKey: identityKey(tool.name, tool.server),
    nameTokens,
    verb,
    objects,
    mentioned: withContained(
      [...nameTokens, ...descWords, ...properties.flatMap((p) => p.name.split('-'))]
        .map(noun)
        .filter((n): n is string => n !== null),
    ),
    coreObject: nameIsGeneral ? null : (objects.find((o) => !CONTEXT_NOUNS.has(o)) ?? null),
    effect,
    openWorld,
    platforms: [...platforms].sort(),
    properties,
    optionPlatforms: optionPlatforms(tool.inputSchema),
    terms,
    runtime: tool.runtime ?? null,
  };
}
