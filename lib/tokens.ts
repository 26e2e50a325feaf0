import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Principal } from '../workflows/types';

/**
 * Bearer tokens: HS256 JWTs whose claims carry the tenant and roles. The API trusts nothing else
 * about the caller; a development token is printed by `npm run token`.
 */

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.string().min(1).max(128),
  roles: z.array(z.string().min(1)).max(32),
});

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signToken(
  principal: Principal,
  opts: { secret: string; issuer: string; expiresIn?: string },
): Promise<string> {
  return new SignJWT({ tenant: principal.tenantId, roles: principal.roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuer(opts.issuer)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '12h')
    .sign(key(opts.secret));
}

export async function verifyToken(token: string, opts: { secret: string; issuer: string }): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, key(opts.secret), { issuer: opts.issuer, algorithms: ['HS256'] });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new InvalidTokenError(
        `token claims are invalid: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    return { subject: claims.data.sub, tenantId: claims.data.tenant, roles: claims.data.roles };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('token has expired');
    if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(`token rejected: ${err.code}`);
    throw err;
  }
}
