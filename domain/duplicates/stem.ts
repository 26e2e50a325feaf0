import porter2 from 'wink-porter2-stemmer';

const cache = new Map<string, string>();

/** Porter2 stem of one lower-case word, memoized (the vocabulary of tool descriptions is small). */
export function stem(word: string): string {
  let s = cache.get(word);
  if (s === undefined) {
    s = porter2(word);
    if (cache.size < 50_000) cache.set(word, s);
  }
  return s;
}
