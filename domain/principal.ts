import type { Principal } from './types';

/**
 * A principal's canonical identity for four-eyes and audit comparisons: issuer + subject, NFKC
 * normalised, trimmed and case-folded, so `Alice`, `alice ` and `ＡＬＩＣＥ` are one person. A
 * second, looser key folds common cross-script look-alikes (Cyrillic `а`, Greek `ο`, …) to Latin,
 * so a look-alike subject is never taken for somebody else either.
 */

export function canonicalPrincipalId(p: Pick<Principal, 'subject'> & { issuer?: string | null }): string {
  return `${fold(p.issuer ?? '')}\u0000${fold(p.subject)}`;
}

function fold(s: string): string {
  // toLowerCase after toUpperCase approximates Unicode case folding (ß → SS → ss, ſ → S → s).
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase().toLowerCase().normalize('NFKC');
}

// Cyrillic and Greek letters that render like Latin ones (lower case after folding).
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ɡ: 'g',
  ı: 'i',
  ℓ: 'l',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ζ: 'z',
  '0': 'o',
  '1': 'l',
  '|': 'l',
};

/** Folded further: look-alike characters mapped to one Latin letter and marks stripped. */
export function principalSkeleton(p: Pick<Principal, 'subject'> & { issuer?: string | null }): string {
  const skel = (s: string) =>
    Array.from(
      fold(s)
        .normalize('NFKD')
        .replace(/\p{M}+/gu, ''),
    )
      .map((ch) => CONFUSABLES[ch] ?? ch)
      .join('')
      .replace(/[\s._-]+/g, '');
  return `${skel(p.issuer ?? '')}\u0000${skel(p.subject)}`;
}

/**
 * True when two principals are (or could pass for) the same person. When either carries no issuer
 * (runs requested before issuers were recorded), the subjects alone decide: the safe direction.
 */
export function samePerson(
  a: Pick<Principal, 'subject'> & { issuer?: string | null },
  b: Pick<Principal, 'subject'> & { issuer?: string | null },
): boolean {
  if (!a.issuer || !b.issuer) {
    a = { subject: a.subject };
    b = { subject: b.subject };
  }
  return canonicalPrincipalId(a) === canonicalPrincipalId(b) || principalSkeleton(a) === principalSkeleton(b);
}
