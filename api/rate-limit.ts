import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Db } from '../db/database';
import { HttpError } from './errors';
import { countUnstartedRuns } from '../db/repositories/run-starts';

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

/** Runs still generating (not yet waiting for people, not closed). */
const IN_FLIGHT = ['REQUESTED', 'RUNNING'] as const;

/** A per-tenant cap on runs in flight: the next start is a 429 until one of them settles. */
export async function assertRunsInFlightBelow(db: Db, tenantId: string, cap: number): Promise<void> {
  const row = await db
    .selectFrom('ai_generation_runs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', [...IN_FLIGHT])
    .executeTakeFirstOrThrow();
  // Accepted runs whose workflow has not started yet (Temporal slow or down) are in flight too.
  const n = Number(row.n) + (await countUnstartedRuns(db, tenantId));
  if (n >= cap) {
    throw new TooManyRequestsError(`this tenant already has ${n} runs in flight (at most ${cap}); retry later`, 5);
  }
}
