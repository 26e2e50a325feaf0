/**
 * Sign-in. The API verifies every request; the UI only reads the token's claims to greet the user
 * and to decide which controls to show (the server checks roles again on every action).
 */

export interface Session {
  token: string;
  subject: string;
  tenantId: string;
  roles: string[];
  expiresAt: Date | null;
}

function base64UrlDecode(part: string): string {
  const b64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads a JWT's claims without verifying it (the API does that). Throws on anything that is not a JWT. */
export function readToken(raw: string): Session {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('this is not a JWT (expected three dot-separated parts)');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(base64UrlDecode(parts[1]!)) as Record<string, unknown>;
  } catch {
    throw new Error('the token payload is not readable JSON');
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    token,
    subject: typeof claims.sub === 'string' ? claims.sub : '(no subject)',
    tenantId: typeof claims.tenant === 'string' ? claims.tenant : '(no tenant)',
    roles,
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
  };
}

export function hasAnyRole(session: Session | null, roles: readonly string[]): boolean {
  return !!session && session.roles.some((r) => roles.includes(r));
}
