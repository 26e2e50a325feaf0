import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../lib/config';
import { canonicalPrincipalId, samePerson } from '../../domain/principal';
import { adjudicationRefusal, promotionRefusal } from '../../domain/lifecycle';
import type { Principal } from '../../domain/types';

const KEYS = {
  TEMPORAL_PAYLOAD_CODEC_KEY: Buffer.alloc(32, 3).toString('base64'),
  DECISION_SIGNING_KEY: 'k'.repeat(40),
};

function refused(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('safe defaults', () => {
  it('treats absent configuration as production and refuses to start without a token key', () => {
    expect(refused({})).toMatch(/JWT_SECRET .*or JWT_JWKS_URL/);
    expect(refused({ ...KEYS })).toMatch(/JWT_SECRET/);
  });

  it('refuses the public development secret unless explicitly enabled', () => {
    expect(refused({ ...KEYS, JWT_SECRET: DEV_JWT_SECRET })).toMatch(/public development secret/);
    expect(refused({ ...KEYS, NODE_ENV: 'development' })).toMatch(/JWT_SECRET/);
    expect(refused({ ...KEYS, NODE_ENV: 'development', JWT_SECRET: DEV_JWT_SECRET })).toMatch(/public development/);
  });

  it('honours the development opt-in only in development/test and only on loopback', () => {
    const dev = loadConfig({ AI_GENERATION_ENVIRONMENT: 'development', ALLOW_DEV_JWT_SECRET: 'true' });
    expect(dev.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(dev.payloadCodecKey).not.toBeNull();
    expect(refused({ ALLOW_DEV_JWT_SECRET: 'true' })).toMatch(/only honoured in development or test/);
    expect(refused({ NODE_ENV: 'production', ALLOW_DEV_JWT_SECRET: 'true' })).toMatch(/only honoured/);
    expect(refused({ NODE_ENV: 'development', ALLOW_DEV_JWT_SECRET: 'true', HOST: '0.0.0.0' })).toMatch(/loopback/);
  });

  it('requires a payload codec key and a decision-signing key in production', () => {
    const jwt = { JWT_SECRET: 's'.repeat(40) };
    expect(refused({ ...jwt, DECISION_SIGNING_KEY: 'k'.repeat(40) })).toMatch(/TEMPORAL_PAYLOAD_CODEC_KEY/);
    expect(refused({ ...jwt, TEMPORAL_PAYLOAD_CODEC_KEY: KEYS.TEMPORAL_PAYLOAD_CODEC_KEY })).toMatch(
      /DECISION_SIGNING_KEY/,
    );
    expect(refused({ ...jwt, ...KEYS, TEMPORAL_PAYLOAD_CODEC_KEY: 'c2hvcnQ=' })).toMatch(/32 bytes/);
    const c = loadConfig({ ...jwt, ...KEYS });
    expect(c.environment).toBe('production');
    expect(c.payloadCodecKey?.key).toHaveLength(32);
  });

  it('accepts a JWKS URL instead of a shared secret', () => {
    const c = loadConfig({ ...KEYS, JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' });
    expect(c.jwtSecret).toBeNull();
  });

  it('takes stack traces from their own flag, never from the environment name', () => {
    const base = { ...KEYS, JWT_SECRET: 's'.repeat(40) };
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).security.exposeStackTraces).toBe(false);
    expect(loadConfig({ ...base, EXPOSE_STACK_TRACES: 'true' }).security.exposeStackTraces).toBe(true);
  });

  it('wants TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together', () => {
    expect(refused({ ...KEYS, JWT_SECRET: 's'.repeat(40), TEMPORAL_TLS_CERT: '/x.pem' })).toMatch(/mTLS/);
  });
});

describe('four-eyes with a canonical principal id', () => {
  const requester: Principal = { subject: 'alice', tenantId: 't1', roles: ['admin'], issuer: 'idp' };
  const lookAlikes = ['Alice', 'alice ', ' ALICE', 'ａｌｉｃｅ', 'аlice' /* Cyrillic а */, 'alіce' /* Cyrillic і */];

  it.each(lookAlikes)('treats %j as the requester', (subject) => {
    expect(samePerson(requester, { ...requester, subject })).toBe(true);
  });

  it('compares subjects alone when a principal predates recorded issuers', () => {
    expect(samePerson({ subject: 'alice' }, { subject: 'Alice', issuer: 'idp' })).toBe(true);
    expect(samePerson({ subject: 'alice' }, { subject: 'bob', issuer: 'idp' })).toBe(false);
  });

  it('tells different people and different issuers apart', () => {
    expect(samePerson(requester, { ...requester, subject: 'bob' })).toBe(false);
    expect(samePerson(requester, { ...requester, subject: 'alicia' })).toBe(false);
    expect(canonicalPrincipalId(requester)).not.toBe(canonicalPrincipalId({ ...requester, issuer: 'other-idp' }));
  });

  it.each(['Review', 'Approved', 'Active'] as const)(
    'refuses every promotion (%s) by the requester or a look-alike',
    (target) => {
      const current = ({ Review: 'Draft', Approved: 'Review', Active: 'Approved' } as const)[target];
      for (const subject of ['alice', ...lookAlikes]) {
        const refusal = promotionRefusal({
          current,
          target,
          status: ({ Draft: 'DRAFT', Review: 'REVIEW', Approved: 'APPROVED' } as const)[current],
          reviewer: { ...requester, subject },
          requestedBy: requester,
          tenantId: 't1',
          contractValidationPassed: true,
        });
        expect(refusal).toMatch(/other than the requester/);
      }
    },
  );

  it('refuses an adjudication by the requester (even an admin) or a look-alike', () => {
    for (const subject of ['alice', ...lookAlikes]) {
      expect(
        adjudicationRefusal('AWAITING_ADJUDICATION', { ...requester, subject }, 't1', 'looks fine', requester),
      ).toMatch(/other than the requester/);
    }
    expect(
      adjudicationRefusal('AWAITING_ADJUDICATION', { ...requester, subject: 'bob' }, 't1', 'ok', requester),
    ).toBeNull();
  });
});
