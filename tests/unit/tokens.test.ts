import { SignJWT } from 'jose';
import { InvalidTokenError, signToken, verifyToken } from '../../lib/tokens';
import type { Principal } from '../../workflows/types';

const secret = 'unit-test-secret-0123456789abcdef0123';
const issuer = 'toolnexus-test';
const opts = { secret, issuer };
const alice: Principal = { subject: 'alice', tenantId: 't1', roles: ['capability-author', 'capability-reviewer'] };

const rawToken = (
  claims: Record<string, unknown>,
  sub: string | null = 'alice',
  expiration: string | number = '1h',
) => {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(expiration);
  if (sub !== null) jwt = jwt.setSubject(sub);
  return jwt.sign(new TextEncoder().encode(secret));
};

describe('signToken / verifyToken', () => {
  it('round-trips the principal', async () => {
    const token = await signToken(alice, opts);
    expect(token.split('.')).toHaveLength(3);
    await expect(verifyToken(token, opts)).resolves.toEqual(alice);
  });

  it('round-trips a principal with no roles', async () => {
    const p = { ...alice, roles: [] };
    await expect(verifyToken(await signToken(p, opts), opts)).resolves.toEqual(p);
  });

  it.each<[string, () => Promise<string>, { secret: string; issuer: string }, RegExp]>([
    [
      'a token signed with another secret',
      () => signToken(alice, { ...opts, secret: 'another-secret-0123456789abcdef0123' }),
      opts,
      /token rejected/,
    ],
    [
      'a token from another issuer',
      () => signToken(alice, { ...opts, issuer: 'someone-else' }),
      opts,
      /token rejected/,
    ],
    ['an expired token', () => signToken(alice, { ...opts, expiresIn: '1 hour ago' }), opts, /token has expired/],
    ['a token without a tenant claim', () => rawToken({ roles: ['admin'] }), opts, /tenant/],
    ['a token with an empty tenant claim', () => rawToken({ tenant: '', roles: ['admin'] }), opts, /tenant/],
    ['a token without a subject', () => rawToken({ tenant: 't1', roles: ['admin'] }, null), opts, /sub/],
    ['a token whose roles are not a list', () => rawToken({ tenant: 't1', roles: 'admin' }), opts, /roles/],
    ['a token that is not a JWT', async () => 'not-a-token', opts, /token rejected/],
    [
      'an unsigned token',
      async () => unsigned({ sub: 'alice', tenant: 't1', roles: ['admin'], iss: issuer }),
      opts,
      /token rejected/,
    ],
  ])('rejects %s with InvalidTokenError', async (_title, make, verifyOpts, message) => {
    const token = await make();
    const result = verifyToken(token, verifyOpts);
    await expect(result).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(result).rejects.toThrow(message);
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const [h, , s] = (await signToken(alice, opts)).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'alice', tenant: 't2', roles: ['admin'], iss: issuer })).toString(
      'base64url',
    );
    await expect(verifyToken(`${h}.${forged}.${s}`, opts)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

function unsigned(payload: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}
