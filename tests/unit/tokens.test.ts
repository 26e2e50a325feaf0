import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import {
  createTokenVerifier,
  InvalidTokenError,
  signToken,
  verifyToken,
  type TokenVerification,
} from '../../lib/tokens';
import type { Principal } from '../../domain/types';

const secret = 'unit-test-secret-0123456789abcdef0123';
const issuer = 'toolnexus-test';
const audience = 'toolnexus-ai-generation-test';
const opts: TokenVerification = {
  secret,
  issuer,
  audience,
  maxTokenAgeSeconds: 3600,
  allowedRoles: ['admin', 'capability-author', 'capability-reviewer'],
};
const signOpts = { secret, issuer, audience };
const alice: Principal = {
  subject: 'alice',
  tenantId: 't1',
  roles: ['capability-author', 'capability-reviewer'],
  issuer,
};
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly the given claims and header, HS-signed with `key`. */
function raw(
  payload: JWTPayload,
  { alg = 'HS256', key = secret }: { alg?: string; key?: string } = {},
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}
const good = (): JWTPayload => ({
  sub: 'alice',
  tenant: 't1',
  roles: ['admin'],
  iss: issuer,
  aud: audience,
  iat: now(),
  exp: now() + 600,
});
function unsigned(payload: JWTPayload): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

describe('signToken / verifyToken', () => {
  it('round-trips the principal with its issuer', async () => {
    const token = await signToken(alice, signOpts);
    expect(token.split('.')).toHaveLength(3);
    await expect(verifyToken(token, opts)).resolves.toEqual(alice);
  });

  it('keeps only allow-listed roles', async () => {
    const token = await raw({ ...good(), roles: ['admin', 'superuser', 'root'] });
    await expect(verifyToken(token, opts)).resolves.toMatchObject({ roles: ['admin'] });
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['a forged token (another secret)', () => signToken(alice, { ...signOpts, secret: 'x'.repeat(40) }), /rejected/],
    ['a token from another issuer', () => signToken(alice, { ...signOpts, issuer: 'someone-else' }), /iss/],
    ['a token for another audience', () => signToken(alice, { ...signOpts, audience: 'other-api' }), /aud/],
    ['an expired token', () => signToken(alice, { ...signOpts, expiresIn: '1 hour ago' }), /expired/],
    [
      'a token without exp',
      () => {
        const { exp: _exp, ...claims } = good();
        return raw(claims);
      },
      /exp/,
    ],
    [
      'a token without iat',
      () => {
        const { iat: _iat, ...claims } = good();
        return raw(claims);
      },
      /iat/,
    ],
    ['a token older than the maximum token age', () => raw({ ...good(), iat: now() - 7200, exp: now() + 60 }), /iat/],
    ['a token without audience', () => raw({ ...good(), aud: undefined }), /aud/],
    ['alg none', async () => unsigned(good()), /algorithm "none"/],
    ['HS512', () => raw(good(), { alg: 'HS512' }), /algorithm "HS512"/],
    ['RS256 without a JWKS configured', () => raw(good(), { alg: 'HS384' }), /algorithm "HS384"/],
    ['a role-less token', () => raw({ ...good(), roles: [] }), /no roles/],
    ['a token whose roles are all unknown', () => raw({ ...good(), roles: ['root'] }), /none of the roles/],
    ['a token without roles', () => raw({ ...good(), roles: undefined }), /roles/],
    ['a token without a tenant', () => raw({ ...good(), tenant: undefined }), /tenant/],
    ['a token without a subject', () => raw({ ...good(), sub: undefined }), /sub/],
    ['a subject with surrounding spaces', () => raw({ ...good(), sub: 'alice ' }), /sub/],
    ['a token that is not a JWT', async () => 'not-a-token', /not a JWT/],
  ])('rejects %s', async (_title, make, message) => {
    const result = verifyToken(await make(), opts);
    await expect(result).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(result).rejects.toThrow(message);
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const [h, , s] = (await signToken(alice, signOpts)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...good(), tenant: 't2' })).toString('base64url');
    await expect(verifyToken(`${h}.${forged}.${s}`, opts)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('a verifier remembers tokens that verified, never past their validity', () => {
  /** A verifier whose clock the test moves. */
  function atTime(options: TokenVerification = opts) {
    let at = new Date();
    return {
      verify: createTokenVerifier(options, () => at),
      advance: (s: number) => (at = new Date(at.getTime() + s * 1000)),
    };
  }

  it('refuses a remembered token once it has expired', async () => {
    const { verify, advance } = atTime();
    const token = await raw({ ...good(), exp: now() + 120 });
    await expect(verify(token)).resolves.toMatchObject({ subject: 'alice' });
    advance(60);
    await expect(verify(token)).resolves.toMatchObject({ subject: 'alice' });
    advance(61);
    await expect(verify(token)).rejects.toThrow('token has expired');
  });

  it('refuses a remembered token once it is older than the maximum token age', async () => {
    const { verify, advance } = atTime({ ...opts, maxTokenAgeSeconds: 60 });
    const token = await raw({ ...good(), exp: now() + 3600 });
    await expect(verify(token)).resolves.toMatchObject({ subject: 'alice' });
    advance(61);
    await expect(verify(token)).rejects.toThrow(/iat older than the maximum token age/);
  });

  it('answers each token with its own principal, and a caller cannot change what is remembered', async () => {
    const { verify } = atTime();
    const a = await raw({ ...good(), tenant: 't1' });
    const b = await raw({ ...good(), tenant: 't2', roles: ['capability-reviewer'] });
    const first = await verify(a);
    first.roles.push('capability-author');
    first.tenantId = 'tampered';
    await expect(verify(a)).resolves.toEqual({ subject: 'alice', tenantId: 't1', roles: ['admin'], issuer });
    await expect(verify(b)).resolves.toEqual({
      subject: 'alice',
      tenantId: 't2',
      roles: ['capability-reviewer'],
      issuer,
    });
  });

  it('does not remember a rejection or let a forged copy of a known token through', async () => {
    const { verify } = atTime();
    const token = await signToken(alice, signOpts);
    await expect(verify(token)).resolves.toEqual(alice);
    const [h, p] = token.split('.');
    await expect(verify(`${h}.${p}.${'A'.repeat(43)}`)).rejects.toBeInstanceOf(InvalidTokenError);
    const forged = Buffer.from(JSON.stringify({ ...good(), tenant: 't2' })).toString('base64url');
    await expect(verify(`${h}.${forged}.${token.split('.')[2]}`)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(token)).resolves.toEqual(alice);
  });
});

describe('JWKS (RS256 / EdDSA)', () => {
  let server: Server;
  let jwksUrl: string;
  const keys: Record<string, unknown> = {};

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ed = await generateKeyPair('EdDSA');
    keys.rsa = rsa.privateKey;
    keys.ed = ed.privateKey;
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      ],
    };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const sign = (alg: string, kid: string, key: unknown, claims = good()) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key as CryptoKey);

  it.each([
    ['RS256', 'rsa-1', 'rsa'],
    ['EdDSA', 'ed-1', 'ed'],
  ])('accepts %s tokens verified against the JWKS', async (alg, kid, k) => {
    const token = await sign(alg, kid, keys[k]);
    await expect(verifyToken(token, { ...opts, secret: null, jwksUrl })).resolves.toMatchObject({
      subject: 'alice',
      tenantId: 't1',
      roles: ['admin'],
    });
  });

  it('rejects an HS256 token when only a JWKS is configured, and an RS256 token for another audience', async () => {
    await expect(verifyToken(await raw(good()), { ...opts, secret: null, jwksUrl })).rejects.toThrow(/HS256/);
    const token = await sign('RS256', 'rsa-1', keys.rsa, { ...good(), aud: 'other' });
    await expect(verifyToken(token, { ...opts, secret: null, jwksUrl })).rejects.toThrow(/aud/);
  });
});
