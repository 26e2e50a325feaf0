/**
 * Name normalization for identity collisions: "getWeather", "get_weather", "Get Weather!" and
 * "get-weather" are one identity. Words are split on case changes, digits and punctuation,
 * diacritics are folded (other scripts are kept), and the slug joins the lower-cased words with "-".
 */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export function normalizeName(name: string): string {
  return nameWords(name).join('-');
}

/** Capability keys are the normalized name; the model never chooses one. */
export function capabilityKeyFor(name: string): string {
  const slug = normalizeName(name);
  if (slug.length === 0) throw new Error(`name "${name}" has no letters or digits to build a capability key from`);
  return slug.slice(0, 100).replace(/-+$/, '');
}

/** Jaccard overlap of the two names' word sets, 0..1. */
export function nameTokenOverlap(a: string, b: string): number {
  const sa = new Set(nameWords(a));
  const sb = new Set(nameWords(b));
  if (sa.size === 0 || sb.size === 0) return 0;
  let inter = 0;
  for (const w of sa) if (sb.has(w)) inter += 1;
  return inter / (sa.size + sb.size - inter);
}
