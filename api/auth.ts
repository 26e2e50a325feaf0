import type { RequestHandler } from 'express';
import { InvalidTokenError, verifyToken } from '../lib/tokens';
import type { Principal } from '../workflows/types';
import { UnauthorizedError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    correlationId?: string;
  }
}

/** Bearer JWT → principal. Tenant and roles come from the verified token and nowhere else. */
export function requirePrincipal(opts: { secret: string; issuer: string }): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new UnauthorizedError('missing bearer token (Authorization: Bearer <token>)'));
    try {
      req.principal = await verifyToken(match[1]!, opts);
      next();
    } catch (err) {
      next(err instanceof InvalidTokenError ? new UnauthorizedError(err.message) : err);
    }
  };
}

export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new UnauthorizedError('request is not authenticated');
  return req.principal;
}
