import { randomUUID } from 'node:crypto';
import { decisionRefusal, signDecision } from '../../lib/decision-signing';
import { AesGcmPayloadCodec } from '../../lib/payload-codec';

const key = 'unit-decision-key-0123456789-0123456789';
const runId = randomUUID();
const now = new Date('2026-11-24T02:00:00Z');
const request = {
  targetState: 'Review' as const,
  comment: 'ok',
  reviewer: { subject: 'bob', tenantId: 't1', roles: ['capability-reviewer'] },
  correlationId: 't1/corr-1',
};

describe('signed reviewer decisions', () => {
  const signed = signDecision(key, { runId, action: 'promote', ttlSeconds: 60, now }, request);

  it('verifies a genuine, current decision', () => {
    expect(decisionRefusal(key, { runId, action: 'promote', now }, signed)).toBeNull();
  });

  it.each<[string, () => unknown, RegExp]>([
    ['unsigned', () => request, /not signed/],
    [
      'signed with another key',
      () => signDecision('x'.repeat(40), { runId, action: 'promote', ttlSeconds: 60, now }, request),
      /does not verify/,
    ],
    [
      'with another reviewer',
      () => ({ ...signed, reviewer: { ...request.reviewer, subject: 'mallory' } }),
      /does not verify/,
    ],
    ['with another comment', () => ({ ...signed, comment: 'changed' }), /does not verify/],
    ['with roles added', () => ({ ...signed, reviewer: { ...request.reviewer, roles: ['admin'] } }), /does not verify/],
    [
      'for another run',
      () => signDecision(key, { runId: randomUUID(), action: 'promote', ttlSeconds: 60, now }, request),
      /another run/,
    ],
    [
      'for another action',
      () => signDecision(key, { runId, action: 'adjudicate', ttlSeconds: 60, now }, request),
      /adjudicate, not promote/,
    ],
    [
      'expired',
      () =>
        signDecision(
          key,
          { runId, action: 'promote', ttlSeconds: 60, now: new Date(now.getTime() - 120_000) },
          request,
        ),
      /expired/,
    ],
    [
      'with its expiry pushed out',
      () => ({ ...signed, signature: { ...signed.signature, expiresAtUtc: '2099-01-01T00:00:00.000Z' } }),
      /does not verify/,
    ],
  ])('refuses a decision %s', (_t, make, reason) => {
    const refusal = decisionRefusal(key, { runId, action: 'promote', now }, make() as typeof signed);
    expect(refusal).toMatch(reason);
  });
});

describe('AES-256-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec({
    id: 'k2',
    key: Buffer.alloc(32, 9),
    previous: [{ id: 'k1', key: Buffer.alloc(32, 8) }],
  });
  const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"secret":"intent"}') };

  it('round-trips, with the key id in metadata and no plaintext on the wire', async () => {
    const [enc] = await codec.encode([plain]);
    expect(Buffer.from(enc!.metadata!['encryption-key-id']!).toString()).toBe('k2');
    expect(Buffer.from(enc!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc!.data!).toString('latin1')).not.toContain('intent');
    const [dec] = await codec.decode([enc!]);
    expect(Buffer.from(dec!.data!).toString()).toBe('{"secret":"intent"}');
  });

  it('decrypts payloads of a previous key and passes through unencrypted ones', async () => {
    const old = new AesGcmPayloadCodec({ id: 'k1', key: Buffer.alloc(32, 8) });
    const [enc] = await old.encode([plain]);
    expect(Buffer.from((await codec.decode([enc!]))[0]!.data!).toString()).toBe('{"secret":"intent"}');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses a tampered payload and an unknown key id', async () => {
    const [enc] = await codec.encode([plain]);
    const tampered = { ...enc!, data: Buffer.from(enc!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    const stranger = new AesGcmPayloadCodec({ id: 'k9', key: Buffer.alloc(32, 1) });
    await expect(codec.decode(await stranger.encode([plain]))).rejects.toThrow(/unknown key id "k9"/);
  });
});
