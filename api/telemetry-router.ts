import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database';
import { telemetrySummary, type SummaryGroup } from '../db/repositories/telemetry';
import { hasAnyRole, ROLES } from '../domain/lifecycle';
import { principalOf } from './auth';
import { BadRequestError, ForbiddenError } from './errors';
import { parseWith } from './schemas';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 400;

const summaryQuery = z
  .object({
    groupBy: z.enum(['capability', 'tenant', 'day']).default('capability'),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/**
 * Trends for operators: counts by status, denied and failed runs, the fallback rate, the duplicate
 * outcome mix, contract outcomes and p50/p95 duration, grouped by capability, day or (platform
 * admins only) tenant. Everything else is the caller's tenant only.
 */
export function telemetryRouter(deps: { db: Db; clock: () => Date }): Router {
  const router = Router();

  router.get('/telemetry/summary', async (req, res) => {
    const q = parseWith(summaryQuery, req.query, 'query');
    const principal = principalOf(req);
    const to = q.to ? new Date(q.to) : deps.clock();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new BadRequestError('"from" must be before "to"');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new BadRequestError(`the range may span at most ${MAX_RANGE_DAYS} days`);
    }
    if (q.groupBy === 'tenant' && !hasAnyRole(principal, [ROLES.platformAdmin])) {
      throw new ForbiddenError(`groupBy=tenant requires the role ${ROLES.platformAdmin}`);
    }
    const tenantId = q.groupBy === 'tenant' ? null : principal.tenantId;
    const groups = await telemetrySummary(deps.db, { tenantId, groupBy: q.groupBy, from, to });
    res.json({
      groupBy: q.groupBy,
      tenantId,
      from: from.toISOString(),
      to: to.toISOString(),
      groups,
      totals: totalsOf(groups),
    });
  });

  return router;
}

/** Totals across groups; percentiles do not add up, so they are left to the groups. */
function totalsOf(groups: SummaryGroup[]) {
  const sum = (f: (g: SummaryGroup) => number) => groups.reduce((n, g) => n + f(g), 0);
  const runs = sum((g) => g.runs);
  const fallbackRuns = sum((g) => g.fallbackRuns);
  const byStatus: Record<string, number> = {};
  for (const g of groups) for (const [s, n] of Object.entries(g.byStatus)) byStatus[s] = (byStatus[s] ?? 0) + n;
  return {
    runs,
    byStatus,
    denied: sum((g) => g.denied),
    failed: sum((g) => g.failed),
    fallbackRuns,
    fallbackRate: runs === 0 ? 0 : fallbackRuns / runs,
  };
}
