import { hashTerms, EMBEDDING_DIMENSIONS } from '../../domain/duplicates/embed';
import type { Embedder } from '../../domain/duplicates/detector';
import { canonVerb, extractFeatures, type ToolRecord } from '../../domain/duplicates/features';
import { LEXICON_VERSION } from '../../domain/duplicates/lexicon';
import { WordNet } from './wordnet';

/**
 * The default embedder: no network, no model download. A tool's name, description and input
 * property names become canonical terms (tool-domain synonyms folded, boilerplate removed, Porter2
 * stems), each weighted by its rarity (WordNet's tagged-sense frequency: "get" counts less than
 * "screenshot") and widened with WordNet synonyms of unfamiliar verbs, then hashed into the
 * catalog's 256-wide vector column.
 */
export const LOCAL_EMBEDDER_ID = 'local-lexical';
export const LOCAL_EMBEDDER_VERSION = `1+${LEXICON_VERSION}+wn3.1+d${EMBEDDING_DIMENSIONS}`;

let shared: WordNet | null = null;
function wordnet(): WordNet {
  shared ??= new WordNet();
  return shared;
}

function rarity(term: string): number {
  if (term.includes(':')) return 1;
  const wn = wordnet();
  const v = wn.entry(term, 'verb')?.tagSenseCount ?? 0;
  const n = wn.entry(term, 'noun')?.tagSenseCount ?? 0;
  return 1 / (1 + 0.35 * Math.log1p(v + n));
}

export function localTermBag(tool: ToolRecord): Map<string, number> {
  const f = extractFeatures(tool);
  const bag = new Map<string, number>();
  for (const [term, weight] of f.terms) {
    bag.set(term, (bag.get(term) ?? 0) + weight * rarity(term));
    if (!term.includes(':') && canonVerb(term) === null && /^[a-z]+$/.test(term)) {
      for (const syn of wordnet().firstSenseSynonyms(term, 'verb')) {
        bag.set(syn, (bag.get(syn) ?? 0) + 0.2 * weight * rarity(term));
      }
    }
  }
  return bag;
}

export class LocalLexicalEmbedder implements Embedder {
  readonly id = LOCAL_EMBEDDER_ID;
  readonly version = LOCAL_EMBEDDER_VERSION;

  embed(tools: ToolRecord[]): Promise<number[][]> {
    return Promise.resolve(tools.map((t) => hashTerms(localTermBag(t))));
  }
}
