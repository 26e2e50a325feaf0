import express, { Router, type RequestHandler } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { AesGcmPayloadCodec } from '../lib/payload-codec';
import { principalOf, requirePrincipal, type AuthOptions } from './auth';
import { CODEC_ROLES, hasRequiredRole } from './authorization';
import { BadRequestError, ForbiddenError } from './errors';
import { noStore } from './security-headers';
import { parseWith } from './schemas';
import type { AppSecurity } from './security';

/**
 * The Temporal Web UI's remote codec endpoint: `POST /codec/decode` and `POST /codec/encode` with
 * `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, as the UI sends them. Point the UI's
 * "Codec Server" setting at this API's origin (and enable "Pass access token"); CORS answers only
 * the configured UI origins (TEMPORAL_CODEC_CORS_ORIGINS), and callers need an operator role.
 */

const wirePayload = z.object({
  metadata: z.record(z.string(), z.string().max(4096)).optional(),
  data: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
});
const codecBody = z.object({ payloads: z.array(wirePayload).max(1000) });

function fromWire(p: z.infer<typeof wirePayload>): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toWire(p: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

function cors(origins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(origin && origins.includes(origin) ? 204 : 403).end();
      return;
    }
    next();
  };
}

export function codecRouter(deps: { auth: AuthOptions; codec: NonNullable<AppSecurity['codec']> }): Router {
  const codec = new AesGcmPayloadCodec(deps.codec.key);
  const router = Router();
  router.use(noStore);
  router.use(cors(deps.codec.corsOrigins));
  router.use(requirePrincipal(deps.auth));
  router.use((req, _res, next) => {
    const principal = principalOf(req);
    if (!hasRequiredRole(principal.roles, { roles: CODEC_ROLES })) {
      return next(new ForbiddenError(`the codec endpoint requires one of the roles ${CODEC_ROLES.join(', ')}`));
    }
    next();
  });
  router.use(express.json({ limit: '8mb' }));
  for (const op of ['encode', 'decode'] as const) {
    router.post(`/${op}`, async (req, res) => {
      const body = parseWith(codecBody, req.body, 'body');
      let out: Payload[];
      try {
        out = await codec[op](body.payloads.map(fromWire));
      } catch (err) {
        throw new BadRequestError(`cannot ${op} the payloads: ${(err as Error).message}`);
      }
      res.json({ payloads: out.map(toWire) });
    });
  }
  return router;
}
