import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HttpError } from './errors';

/** 429 with `Retry-After` (seconds), as problem+json through the one error middleware. */
export class TooManyRequestsError extends HttpError {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'Too Many Requests', message, { retryAfterSeconds });
  }
}

/**
 * Run creation is limited per tenant and per principal (fixed one-minute windows). The counters
 * live in this process (express-rate-limit's memory store): with several API replicas behind a
 * load balancer, give them a shared store (e.g. `rate-limit-redis`) or divide the limits.
 */
export function runCreationLimiters(limits: { perTenant: number; perPrincipal: number }): RequestHandler[] {
  const windowMs = 60_000;
  const make = (name: string, limit: number, key: (req: Parameters<RequestHandler>[0]) => string) =>
    rateLimit({
      windowMs,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (req) => key(req),
      validate: { keyGeneratorIpFallback: false },
      handler: (req, res, next) => {
        const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const retryAfter = Math.max(
          1,
          Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000),
        );
        res.setHeader('Retry-After', String(retryAfter));
        next(new TooManyRequestsError(`run creation is limited to ${limit} per minute per ${name}`, retryAfter));
      },
    });
  return [
    make('tenant', limits.perTenant, (req) => `tenant:${req.principal?.tenantId ?? '-'}`),
    make(
      'principal',
      limits.perPrincipal,
      (req) =>
        `principal:${req.principal?.issuer ?? ''}:${req.principal?.tenantId ?? '-'}:${req.principal?.subject ?? '-'}`,
    ),
  ];
}
