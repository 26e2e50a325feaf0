import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../domain/deterministic-id';
import type { DecisionSignature, Principal } from '../domain/types';

/**
 * Reviewer decisions reach a workflow signed by the API: who (the verified principal, inside the
 * request), which run, which action, until when, and an HMAC-SHA256 over all of it (and every other
 * field of the request) with a server key. Anyone who can reach Temporal but not the key cannot
 * forge one; the workflow verifies through an activity before it records anything.
 */

export type DecisionAction = 'promote' | 'adjudicate' | 'accept-break';

interface Signable {
  reviewer: Principal;
  signature?: DecisionSignature | null;
}

function mac(key: string, runId: string, action: DecisionAction, expiresAtUtc: string, request: Signable): string {
  const { signature: _signature, ...rest } = request;
  return createHmac('sha256', key)
    .update(canonicalJson({ v: 1, runId, action, expiresAtUtc, request: rest }))
    .digest('base64url');
}

export function signDecision<T extends Signable>(
  key: string,
  opts: { runId: string; action: DecisionAction; ttlSeconds: number; now: Date },
  request: T,
): T & { signature: DecisionSignature } {
  const expiresAtUtc = new Date(opts.now.getTime() + opts.ttlSeconds * 1000).toISOString();
  const signature: DecisionSignature = {
    v: 1,
    runId: opts.runId,
    action: opts.action,
    expiresAtUtc,
    mac: mac(key, opts.runId, opts.action, expiresAtUtc, request),
  };
  return { ...request, signature };
}

/** Null when the decision is genuine, current and for this run and action; otherwise why not. */
export function decisionRefusal(
  key: string,
  expected: { runId: string; action: DecisionAction; now: Date },
  request: Signable,
): string | null {
  const sig = request.signature;
  if (!sig || typeof sig !== 'object') return 'decision is not signed by the API';
  if (sig.v !== 1 || typeof sig.mac !== 'string' || typeof sig.expiresAtUtc !== 'string') {
    return 'decision signature is malformed';
  }
  if (sig.runId !== expected.runId) return 'decision was signed for another run';
  if (sig.action !== expected.action) return `decision was signed for ${String(sig.action)}, not ${expected.action}`;
  const expires = Date.parse(sig.expiresAtUtc);
  if (!Number.isFinite(expires)) return 'decision signature is malformed';
  const want = Buffer.from(mac(key, expected.runId, expected.action, sig.expiresAtUtc, request));
  const got = Buffer.from(sig.mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'decision signature does not verify';
  if (expires < expected.now.getTime()) return 'decision signature has expired';
  return null;
}
