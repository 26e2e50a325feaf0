/**
 * Redaction of secrets and personal data. The API redacts a run's intent and reviewer comments
 * once, at the edge, before anything is stored or sent to Temporal; the prompt assembly and the
 * model adapter redact again as a second line of defence.
 *
 * Linear time on any input: the size is capped before any pattern runs, every quantifier is
 * bounded, no pattern nests quantifiers, and each rule is one left-to-right pass. Patterns are
 * deliberately broad: a false positive costs a word of context, a false negative leaks a
 * credential to every store, log and model downstream.
 */

/** Beyond this, text is not pattern-matched at all: it is replaced whole (safe, and bounded). */
export const MAX_REDACTION_INPUT = 2 * 1024 * 1024;

type Replace = string | ((match: string, ...groups: string[]) => string);

interface Rule {
  kind: string;
  pattern: RegExp;
  replace: Replace;
}

const R = (kind: string): string => `[REDACTED:${kind}]`;
/** Not already a redaction marker. */
const NR = '(?!\\[REDACTED)';

const RULES: Rule[] = [
  {
    kind: 'azure-connection-string',
    pattern: /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)(?!\[REDACTED)[^;\s"'<>]{1,512}/gi,
    replace: (_m, lead: string) => `${lead}${R('azure-connection-string')}`,
  },
  {
    kind: 'slack-webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{8,200}/g,
    replace: R('slack-webhook'),
  },
  {
    kind: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{8,2048}/g,
    replace: R('jwt'),
  },
  { kind: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,200}/g, replace: R('anthropic-key') },
  // OpenAI (sk-, sk-proj-, sk-svcacct-…); the kind keeps its historical name.
  {
    kind: 'api-key',
    pattern: /\b(?:sk|pk|rk)-(?:proj-|svcacct-|admin-|live-|test-)?[A-Za-z0-9_-]{16,200}/g,
    replace: R('api-key'),
  },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{10,200}/g, replace: R('stripe-key') },
  {
    kind: 'github-token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})/g,
    replace: R('github-token'),
  },
  { kind: 'gitlab-token', pattern: /\bgl(?:pat|dt|ptt|rt|cbt)-[A-Za-z0-9_-]{20,100}/g, replace: R('gitlab-token') },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,250}/g, replace: R('slack-token') },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, replace: R('aws-access-key') },
  {
    kind: 'aws-secret-key',
    pattern: /\b(aws_?secret_?(?:access_?)?key["']?\s{0,8}[:=]\s{0,8}["']?)[A-Za-z0-9/+=]{40}\b/gi,
    replace: (_m, lead: string) => `${lead}${R('aws-secret-key')}`,
  },
  { kind: 'google-api-key', pattern: /\bAIza[A-Za-z0-9_-]{35}/g, replace: R('google-api-key') },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: R('npm-token') },
  { kind: 'huggingface-token', pattern: /\bhf_[A-Za-z0-9]{30,64}\b/g, replace: R('huggingface-token') },
  {
    kind: 'sendgrid-key',
    pattern: /\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/g,
    replace: R('sendgrid-key'),
  },
  {
    kind: 'bearer-token',
    pattern: new RegExp(`\\b(Bearer)[ \\t]{1,8}${NR}[A-Za-z0-9._~+/-]{16,4096}=*`, 'gi'),
    replace: (_m, b: string) => `${b} ${R('token')}`,
  },
  {
    // Only what decodes to user:password, so "Basic authentication" stays prose.
    kind: 'basic-auth',
    pattern: new RegExp(`\\b(Basic)[ \\t]{1,8}${NR}([A-Za-z0-9+/]{8,4096}={0,2})`, 'gi'),
    replace: (m, b: string, cred: string) => (decodesToUserPassword(cred) ? `${b} ${R('basic-auth')}` : m),
  },
  {
    // scheme://user:password@host, including an empty user.
    kind: 'connection-string-password',
    pattern: /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,128}):([^\s@/]{1,256})@/gi,
    replace: (_m, prefix: string, pw: string) => (pw.startsWith('[REDACTED') ? _m : `${prefix}:${R('password')}@`),
  },
  {
    // key=value, key: value, "key": "value" (JSON), with quoted values that may hold spaces.
    kind: 'secret-assignment',
    pattern: new RegExp(
      `((?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key|token|key|credentials?)["']?[ \\t]{0,8}[:=][ \\t]{0,8})(?:"${NR}[^"\\n]{1,512}"|'${NR}[^'\\n]{1,512}'|${NR}[^\\s"',;}]{1,512})`,
      'gi',
    ),
    replace: (_m, lead: string) => `${lead}${R('secret')}`,
  },
  {
    kind: 'email',
    // Starts only where a run of local-part characters starts, so a long run is scanned once.
    pattern:
      /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g,
    replace: R('email'),
  },
];

function decodesToUserPassword(b64: string): boolean {
  try {
    const decoded = atob(b64.length % 4 === 0 ? b64 : b64 + '='.repeat(4 - (b64.length % 4)));
    return /^[\x20-\x7e]{1,256}:[\x20-\x7e]{0,256}$/.test(decoded);
  } catch {
    return false;
  }
}

const KEY_BLOCK_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40})-----/g;
const SECRET_BLOCK = /PRIVATE KEY|PGP PRIVATE KEY BLOCK|PGP MESSAGE|ENCRYPTED/;
const KEY_BLOCK_END = /-----END [A-Z0-9 ]{0,40}-----/y;
/** A block body without its END line: base64 lines and header lines (`Proc-Type: 4,ENCRYPTED`). */
const KEY_BLOCK_BODY = /(?:[A-Za-z0-9+/=\r\n]|[A-Za-z-]{1,32}: [A-Za-z0-9,.-]{0,128}){0,65536}/y;
const MAX_BLOCK = 65536;

/**
 * PEM / PGP private blocks, with or without an END line. Plain index scanning: each BEGIN is
 * found once, and the next END is searched for only when the last one found lies behind, so the
 * whole pass is linear however many BEGIN lines the text holds.
 */
function redactKeyBlocks(text: string, bump: (kind: string) => void): string {
  if (!text.includes('-----BEGIN ')) return text;
  let out = '';
  let last = 0;
  let nextEnd = -2; // -2: not searched yet; -1: none after this point
  KEY_BLOCK_BEGIN.lastIndex = 0;
  for (let m = KEY_BLOCK_BEGIN.exec(text); m !== null; m = KEY_BLOCK_BEGIN.exec(text)) {
    if (!SECRET_BLOCK.test(m[1]!)) continue;
    const bodyStart = m.index + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END ', bodyStart);
    let stop = -1;
    if (nextEnd !== -1 && nextEnd - bodyStart <= MAX_BLOCK) {
      KEY_BLOCK_END.lastIndex = nextEnd;
      if (KEY_BLOCK_END.test(text)) stop = KEY_BLOCK_END.lastIndex;
    }
    if (stop === -1) {
      KEY_BLOCK_BODY.lastIndex = bodyStart;
      KEY_BLOCK_BODY.test(text);
      stop = KEY_BLOCK_BODY.lastIndex;
    }
    out += text.slice(last, m.index) + R('private-key');
    bump('private-key');
    last = stop;
    KEY_BLOCK_BEGIN.lastIndex = stop;
  }
  return out + text.slice(last);
}

/** Long tokens of key-like characters with high Shannon entropy: unknown kinds of credentials. */
const CANDIDATE = /[A-Za-z0-9+/_=-]{24,512}/g;

function looksRandom(s: string): boolean {
  if (!/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  if (!(/[a-z]/.test(s) && /[A-Z]/.test(s)) && s.length < 32) return false;
  const freq = new Map<string, number>();
  for (const ch of s) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h >= 3.5;
}

export interface RedactionResult {
  text: string;
  counts: Record<string, number>;
}

export function redact(text: string): RedactionResult {
  const counts: Record<string, number> = {};
  const bump = (kind: string) => (counts[kind] = (counts[kind] ?? 0) + 1);
  if (text.length > MAX_REDACTION_INPUT) {
    bump('oversized-text');
    return { text: R('oversized-text'), counts };
  }
  let out = redactKeyBlocks(text, bump);
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2) as string[];
      const replaced = typeof rule.replace === 'string' ? rule.replace : rule.replace(match, ...groups);
      if (replaced !== match) bump(rule.kind);
      return replaced;
    });
  }
  out = out.replace(CANDIDATE, (m) => {
    if (!looksRandom(m)) return m;
    bump('high-entropy');
    return R('high-entropy');
  });
  return { text: out, counts };
}

/** Keys whose string values are secrets whatever they look like. */
const SECRET_KEY =
  /^(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key|token|credentials?)$/i;

/** Caps on a JSON value walked for redaction (and everywhere a seed schema is accepted). */
export const MAX_JSON_DEPTH = 32;

/**
 * Redacts every string inside a JSON value, object keys included (a seed schema or a completion).
 * Deeper than MAX_JSON_DEPTH, a value is replaced whole rather than walked.
 */
export function redactJson<T>(
  value: T,
  counts: Record<string, number> = {},
): { value: T; counts: Record<string, number> } {
  const add = (r: RedactionResult) => {
    for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
    return r.text;
  };
  const walk = (v: unknown, depth: number, key?: string): unknown => {
    if (depth > MAX_JSON_DEPTH) {
      counts['too-deep'] = (counts['too-deep'] ?? 0) + 1;
      return R('too-deep');
    }
    if (
      key !== undefined &&
      SECRET_KEY.test(key) &&
      typeof v === 'string' &&
      v.length > 0 &&
      !v.startsWith('[REDACTED')
    ) {
      counts['secret-field'] = (counts['secret-field'] ?? 0) + 1;
      return R('secret');
    }
    if (typeof v === 'string') return add(redact(v));
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [add(redact(k)), walk(x, depth + 1, k)]));
    }
    return v;
  };
  return { value: walk(value, 0) as T, counts };
}

export function mergeCounts(...all: Array<Record<string, number>>): Array<{ kind: string; count: number }> {
  const total: Record<string, number> = {};
  for (const c of all) for (const [k, n] of Object.entries(c)) total[k] = (total[k] ?? 0) + n;
  return Object.entries(total)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => ({ kind, count }));
}
