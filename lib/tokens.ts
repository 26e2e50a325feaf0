import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  errors as joseErrors,
  type JWTVerifyGetKey,
} from 'jose';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../domain/types';

/**
 * Bearer tokens. The API trusts nothing about the caller but a verified token's claims:
 * - HS256 with a shared secret (development, or a single trusted issuer);
 * - RS256 / EdDSA against the identity provider's JWKS URL (production).
 * Every token must carry `exp`, `iat`, `sub`, the configured issuer and audience, be younger than
 * the maximum token age, and name at least one role from the allow-list.
 */

export interface TokenVerification {
  issuer: string;
  audience: string;
  maxTokenAgeSeconds: number;
  allowedRoles: readonly string[];
  /** HS256 secret, or null when only JWKS is configured. */
  secret: string | null;
  jwksUrl?: string;
}

const claimsSchema = z.object({
  sub: z
    .string()
    .min(1)
    .max(256)
    // A subject with surrounding whitespace or control characters is an impersonation attempt.
    .refine((s) => s === s.trim() && !/\p{Cc}/u.test(s), 'sub must not carry surrounding spaces or control characters'),
  iss: z.string().min(1),
  tenant: z.string().min(1).max(128),
  roles: z.array(z.string().min(1).max(64)).min(1, 'the token carries no roles').max(32),
});

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const HS_ALGS = ['HS256'];
const ASYMMETRIC_ALGS = ['RS256', 'EdDSA'];

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signToken(
  principal: Principal,
  opts: { secret: string; issuer: string; audience: string; expiresIn?: string },
): Promise<string> {
  return new SignJWT({ tenant: principal.tenantId, roles: principal.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.subject)
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '12h')
    .sign(key(opts.secret));
}

/** How many verified tokens a verifier remembers (when full, the longest remembered goes first). */
const VERIFIED_CACHE_SIZE = 1_024;

interface VerifiedToken {
  principal: Principal;
  /** The token stops being accepted here: its `exp`, or `iat` + the maximum token age if sooner. */
  validUntilMs: number;
}

/**
 * One verifier per process: the JWKS is fetched once and cached by jose. A token that verified
 * is remembered (by its SHA-256, never the token itself) until it would stop verifying, so a
 * client's every request does not pay for the signature and claim checks again (about 0.15 ms of
 * API CPU per request). Only successes are remembered; a rejected token is checked in full each time.
 */
export function createTokenVerifier(
  opts: TokenVerification,
  clock: () => Date = () => new Date(),
): (token: string) => Promise<Principal> {
  const jwks: JWTVerifyGetKey | null = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : null;
  const secretKey = opts.secret ? key(opts.secret) : null;
  const allowed = new Set(opts.allowedRoles);
  const verified = new Map<string, VerifiedToken>();

  async function verifyInFull(token: string, now: Date): Promise<VerifiedToken> {
    try {
      let alg: string | undefined;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw new InvalidTokenError('token rejected: not a JWT');
      }
      const common = {
        issuer: opts.issuer,
        audience: opts.audience,
        maxTokenAge: opts.maxTokenAgeSeconds,
        requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
        currentDate: now,
      };
      let payload;
      if (alg !== undefined && HS_ALGS.includes(alg) && secretKey) {
        ({ payload } = await jwtVerify(token, secretKey, { ...common, algorithms: HS_ALGS }));
      } else if (alg !== undefined && ASYMMETRIC_ALGS.includes(alg) && jwks) {
        ({ payload } = await jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC_ALGS }));
      } else {
        throw new InvalidTokenError(`token rejected: algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        throw new InvalidTokenError(
          `token claims are invalid: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      const roles = [...new Set(claims.data.roles.filter((r) => allowed.has(r)))];
      if (roles.length === 0) {
        throw new InvalidTokenError(`token claims are invalid: roles: none of the roles is allowed`);
      }
      // jwtVerify required both claims as numbers.
      const exp = payload.exp!;
      const iat = payload.iat!;
      return {
        principal: { subject: claims.data.sub, tenantId: claims.data.tenant, roles, issuer: claims.data.iss },
        validUntilMs: Math.min(exp, iat + opts.maxTokenAgeSeconds) * 1000,
      };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        throw new InvalidTokenError(
          err.claim === 'iat' ? 'token rejected: iat older than the maximum token age' : 'token has expired',
        );
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new InvalidTokenError(`token rejected: ${err.claim} ${err.reason}`);
      }
      if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(`token rejected: ${err.code}`);
      throw err;
    }
  }

  return async function verify(token: string): Promise<Principal> {
    const now = clock();
    const digest = createHash('sha256').update(token).digest('base64url');
    let entry = verified.get(digest);
    if (!entry || now.getTime() >= entry.validUntilMs) {
      verified.delete(digest);
      entry = await verifyInFull(token, now);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(digest, entry);
    }
    // A copy: what a caller does with its principal never changes what is remembered.
    return { ...entry.principal, roles: [...entry.principal.roles] };
  };
}

/** Convenience for one-off checks (scripts, tests). */
export async function verifyToken(token: string, opts: TokenVerification): Promise<Principal> {
  return createTokenVerifier(opts)(token);
}
