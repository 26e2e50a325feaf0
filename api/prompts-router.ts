import { Router } from 'express';
import type { Db } from '../db/database';
import { listPromptArtifactsForRun, listPromptRunsForRun } from '../db/repositories/prompts';
import { getRun } from '../db/repositories/runs';
import { principalOf } from './auth';
import { NotFoundError } from './errors';
import { presentPromptLineage } from './presenters';
import { parseWith, runIdParams } from './schemas';

export function promptsRouter(deps: { db: Db }): Router {
  const router = Router();
  router.get('/prompts/:runId', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const run = await getRun(deps.db, principal.tenantId, runId);
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    const [promptRuns, artifacts] = await Promise.all([
      listPromptRunsForRun(deps.db, principal.tenantId, runId),
      listPromptArtifactsForRun(deps.db, principal.tenantId, runId),
    ]);
    res.json(presentPromptLineage(run, promptRuns, artifacts));
  });
  return router;
}
