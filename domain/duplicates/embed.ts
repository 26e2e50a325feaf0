/**
 * Feature hashing of a weighted term bag into a fixed-width, L2-normalized vector (the width of the
 * catalog's `vector(256)` column). Signed hashing keeps collisions unbiased.
 */
export const EMBEDDING_DIMENSIONS = 256;

function fnv1a(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hashTerms(terms: Map<string, number>, dims = EMBEDDING_DIMENSIONS): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const [term, weight] of terms) {
    const h = fnv1a(term, 0);
    const sign = fnv1a(term, 0x9e3779b9) & 1 ? 1 : -1;
    v[h % dims]! += sign * weight;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
