import type { RequestHandler } from 'express';
import { createTokenVerifier, InvalidTokenError, type TokenVerification } from '../lib/tokens';
import type { Principal } from '../domain/types';
import { UnauthorizedError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    correlationId?: string;
  }
}

export interface AuthOptions extends TokenVerification {
  /** Development secret in force: only loopback callers are served. */
  loopbackOnly?: boolean;
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** Bearer JWT → principal. Tenant and roles come from the verified token and nowhere else. */
export function requirePrincipal(opts: AuthOptions): RequestHandler {
  const verify = createTokenVerifier(opts);
  return async (req, _res, next) => {
    if (opts.loopbackOnly && !LOOPBACK.test(req.socket.remoteAddress ?? '')) {
      return next(new UnauthorizedError('the development token secret serves loopback callers only'));
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S{1,8192})$/i.exec(header);
    if (!match) return next(new UnauthorizedError('missing bearer token (Authorization: Bearer <token>)'));
    try {
      req.principal = await verify(match[1]!);
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
