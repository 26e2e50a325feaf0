/**
 * Redaction of secrets and personal data from text that goes into a prompt or is shown in the
 * admin UI. Patterns are deliberately broad: a false positive costs a word of context, a false
 * negative leaks a credential to a model provider.
 */

interface Rule {
  kind: string;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const RULES: Rule[] = [
  {
    kind: 'private-key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    replace: '[REDACTED:private-key]',
  },
  {
    kind: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
    replace: '[REDACTED:jwt]',
  },
  {
    kind: 'bearer-token',
    pattern: /\b(Bearer)\s+[A-Za-z0-9._~+/-]{16,}=*/gi,
    replace: (_m, b: string) => `${b} [REDACTED:token]`,
  },
  {
    kind: 'api-key',
    pattern: /\b(?:sk|pk|rk)-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}\b/g,
    replace: '[REDACTED:api-key]',
  },
  {
    kind: 'github-token',
    pattern: /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}\b/g,
    replace: '[REDACTED:github-token]',
  },
  { kind: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, replace: '[REDACTED:slack-token]' },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: '[REDACTED:aws-access-key]' },
  {
    kind: 'connection-string-password',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi,
    replace: (_m, prefix: string) => `${prefix}:[REDACTED:password]@`,
  },
  {
    // key=value, key: value, "key": "value" (JSON), with quoted values that may hold spaces.
    kind: 'secret-assignment',
    pattern:
      /((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)["']?\s*[:=]\s*)(?:"(?!\[REDACTED)[^"\n]+"|'(?!\[REDACTED)[^'\n]+'|(?!\[REDACTED)[^\s"',;}]+)/gi,
    replace: (_m, lead: string) => `${lead}[REDACTED:secret]`,
  },
  { kind: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, replace: '[REDACTED:email]' },
];

export interface RedactionResult {
  text: string;
  counts: Record<string, number>;
}

export function redact(text: string): RedactionResult {
  const counts: Record<string, number> = {};
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      const match = args[0] as string;
      const groups = args.slice(1, -2) as string[];
      return typeof rule.replace === 'string' ? rule.replace : rule.replace(match, ...groups);
    });
  }
  return { text: out, counts };
}

/** Redacts every string inside a JSON value (keys kept), e.g. a seed schema or a completion. */
const SECRET_KEY =
  /^(?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)$/i;

export function redactJson<T>(
  value: T,
  counts: Record<string, number> = {},
): { value: T; counts: Record<string, number> } {
  const walk = (v: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && typeof v === 'string' && v.length > 0) {
      counts['secret-field'] = (counts['secret-field'] ?? 0) + 1;
      return '[REDACTED:secret]';
    }
    if (typeof v === 'string') {
      const r = redact(v);
      for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
      return r.text;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return { value: walk(value) as T, counts };
}

export function mergeCounts(...all: Array<Record<string, number>>): Array<{ kind: string; count: number }> {
  const total: Record<string, number> = {};
  for (const c of all) for (const [k, n] of Object.entries(c)) total[k] = (total[k] ?? 0) + n;
  return Object.entries(total)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => ({ kind, count }));
}
