import safeRegex from 'safe-regex2';

/**
 * Model output is untrusted. This gate holds a generated contract's runtime constraints, scaffold
 * and schemas to the platform's policy, whatever the model proposed:
 * - network is `none`, or an egress allow-list of concrete host names (no wildcards, IPs, ports,
 *   schemes or paths); `full` is never granted;
 * - memory and timeout stay under the ceilings from configuration;
 * - scaffold paths are relative and stay inside the capability's folder;
 * - every `pattern` in the schemas is a regex a safe-regex check accepts (no catastrophic
 *   backtracking), and the schemas stay within size and depth caps.
 */

export interface RuntimePolicyLimits {
  maxMemoryMb: number;
  maxTimeoutMs: number;
}

export const MAX_SCHEMA_BYTES = 64 * 1024;
export const MAX_SCHEMA_DEPTH = 24;

interface Constraints {
  timeoutMs?: unknown;
  memoryMb?: unknown;
  network?: unknown;
  allowedHosts?: unknown;
}

interface Scaffold {
  entrypoint?: unknown;
  files?: unknown;
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function hostViolation(host: unknown): string | null {
  if (typeof host !== 'string') return 'an allowed host must be a string';
  const h = host.toLowerCase();
  if (h.includes('*')) return `allowed host "${host}" is a wildcard; name concrete hosts`;
  if (/[/:@?#\s]/.test(h))
    return `allowed host "${host}" must be a bare host name (no scheme, port, path or credentials)`;
  if (/^[0-9.]+$/.test(h) || h.includes('[')) return `allowed host "${host}" is an IP address; name a host`;
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.internal') || h.endsWith('.local')) {
    return `allowed host "${host}" is a local or internal name`;
  }
  if (!HOST.test(h)) return `allowed host "${host}" is not a valid host name`;
  return null;
}

export function scaffoldPathViolation(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'a scaffold path must be a non-empty string';
  if (path.includes('\0')) return `scaffold path ${JSON.stringify(path)} contains a NUL byte`;
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.startsWith('~')) {
    return `scaffold path "${path}" must be relative to the capability's folder`;
  }
  const parts = p.split('/');
  if (parts.some((s) => s === '..')) return `scaffold path "${path}" leaves the capability's folder`;
  if (parts.some((s) => /^\.(?:git|ssh|env)\b/.test(s))) return `scaffold path "${path}" names a protected file`;
  return null;
}

/** Every `pattern` (and `patternProperties` key) in a JSON Schema, with its JSON path. */
function* patterns(schema: unknown, path = '$', depth = 0): Generator<[string, unknown]> {
  if (depth > MAX_SCHEMA_DEPTH || !schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) yield* patterns(schema[i], `${path}[${i}]`, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'pattern') yield [`${path}.pattern`, v];
    if (k === 'patternProperties' && v && typeof v === 'object') {
      for (const key of Object.keys(v)) yield [`${path}.patternProperties`, key];
    }
    yield* patterns(v, `${path}.${k}`, depth + 1);
  }
}

function depthOf(v: unknown, depth = 0): number {
  if (depth > MAX_SCHEMA_DEPTH || !v || typeof v !== 'object') return depth;
  let max = depth;
  for (const x of Object.values(v)) max = Math.max(max, depthOf(x, depth + 1));
  return max;
}

export function patternViolation(pattern: unknown): string | null {
  if (typeof pattern !== 'string') return 'a pattern must be a string';
  if (pattern.length > 512) return 'a pattern longer than 512 characters';
  try {
    new RegExp(pattern, 'u');
  } catch {
    return `pattern ${JSON.stringify(pattern)} is not a valid regular expression`;
  }
  if (!safeRegex(pattern)) return `pattern ${JSON.stringify(pattern)} can backtrack catastrophically`;
  return null;
}

export function schemaViolations(schema: unknown, label: string): string[] {
  const out: string[] = [];
  if (schema === null || schema === undefined) return out;
  const size = JSON.stringify(schema).length;
  if (size > MAX_SCHEMA_BYTES) out.push(`${label} is ${size} bytes; at most ${MAX_SCHEMA_BYTES}`);
  if (depthOf(schema) > MAX_SCHEMA_DEPTH) out.push(`${label} nests deeper than ${MAX_SCHEMA_DEPTH}`);
  for (const [at, p] of patterns(schema)) {
    const v = patternViolation(p);
    if (v) out.push(`${label} ${at}: ${v}`);
  }
  return out;
}

/** Every way the draft breaks the runtime policy; empty when it conforms. */
export function runtimePolicyViolations(
  draft: { runtimeConstraints: unknown; scaffold: unknown; inputSchema: unknown; outputSchema: unknown },
  limits: RuntimePolicyLimits,
): string[] {
  const out: string[] = [];
  const c = (draft.runtimeConstraints ?? {}) as Constraints;
  if (typeof c.memoryMb !== 'number' || c.memoryMb > limits.maxMemoryMb) {
    out.push(`memoryMb ${String(c.memoryMb)} exceeds the ceiling of ${limits.maxMemoryMb}`);
  }
  if (typeof c.timeoutMs !== 'number' || c.timeoutMs > limits.maxTimeoutMs) {
    out.push(`timeoutMs ${String(c.timeoutMs)} exceeds the ceiling of ${limits.maxTimeoutMs}`);
  }
  const hosts = Array.isArray(c.allowedHosts) ? c.allowedHosts : [];
  if (c.network === 'none') {
    if (hosts.length > 0) out.push('network "none" must not list allowed hosts');
  } else if (c.network === 'egress-allowlist') {
    if (hosts.length === 0) out.push('network "egress-allowlist" needs at least one concrete host');
    for (const h of hosts) {
      const v = hostViolation(h);
      if (v) out.push(v);
    }
  } else {
    out.push(
      `network ${JSON.stringify(c.network)} is not allowed; use "none" or "egress-allowlist" with concrete hosts`,
    );
  }
  const s = (draft.scaffold ?? {}) as Scaffold;
  const paths = [s.entrypoint, ...(Array.isArray(s.files) ? s.files.map((f) => (f as { path?: unknown })?.path) : [])];
  for (const p of paths) {
    const v = scaffoldPathViolation(p);
    if (v) out.push(v);
  }
  out.push(
    ...schemaViolations(draft.inputSchema, 'inputSchema'),
    ...schemaViolations(draft.outputSchema, 'outputSchema'),
  );
  return out;
}
