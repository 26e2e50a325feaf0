import { Router } from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { dependencyOutage, OUTAGE_RETRY_AFTER_SECONDS, type Dependency } from './errors';
import type { GenerationGateway } from './generation-gateway';

/** A readiness probe must answer before a load balancer's own timeout. */
const CHECK_TIMEOUT_MS = 3_000;

type CheckResult = { status: 'ok' } | { status: 'unavailable'; detail: string };

async function check(what: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'ok' };
  } catch (err) {
    const outage = dependencyOutage(err);
    return { status: 'unavailable', detail: outage?.message ?? (err instanceof Error ? err.message : String(err)) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` is liveness: the process answers, nothing else is asked, so an orchestrator never
 * restarts a healthy API because the database is down. `/readyz` is readiness: PostgreSQL and
 * Temporal both answer; otherwise 503 problem+json with `Retry-After` and which one is down.
 */
export function healthRouter(deps: { db: Db; gateway: Pick<GenerationGateway, 'checkReady'> }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (req, res) => {
    const [postgresql, temporal] = await Promise.all([
      check('PostgreSQL', () => sql`select 1`.execute(deps.db)),
      check('Temporal', () => deps.gateway.checkReady()),
    ]);
    const checks: Record<Dependency, CheckResult> = { postgresql, temporal };
    const down = (Object.keys(checks) as Dependency[]).filter((k) => checks[k].status !== 'ok');
    if (down.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    res
      .status(503)
      .setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS))
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: `not ready: ${down.join(' and ')} unavailable`,
        instance: req.originalUrl,
        checks,
      });
  });

  return router;
}
