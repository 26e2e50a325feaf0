import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Db } from '../db/database';
import { listContractsForRun } from '../db/repositories/contracts';
import { listDuplicatesForRun } from '../db/repositories/duplicates';
import { listGovernanceDecisionsForRun } from '../db/repositories/governance';
import { decodeCursor, getRun, InvalidCursorError, listRunLedger, type RunRow } from '../db/repositories/runs';
import { listTelemetryForRun } from '../db/repositories/telemetry';
import type { GenerationRunInput } from '../workflows/types';
import { principalOf } from './auth';
import { REVIEWER_ROLES, hasAnyRole } from '../workflows/lifecycle';
import type { Principal } from '../workflows/types';
import { BadRequestError, ForbiddenError, NotFoundError } from './errors';
import type { GenerationGateway } from './generation-gateway';
import { presentContracts, presentDuplicates, presentLedgerItem, presentRun } from './presenters';
import { adjudicateBody, ledgerQuery, parseBody, parseWith, promoteBody, runIdParams, startRunBody } from './schemas';

export function runsRouter(deps: { db: Db; gateway: GenerationGateway; clock: () => Date }): Router {
  const router = Router();

  async function runOr404(tenantId: string, runId: string): Promise<RunRow> {
    const run = await getRun(deps.db, tenantId, runId);
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    return run;
  }

  /** Reviewer decisions need a reviewer role; the workflow checks again before recording anything. */
  function requireReviewer(principal: Principal): void {
    if (!hasAnyRole(principal, REVIEWER_ROLES))
      throw new ForbiddenError(`requires one of the roles ${REVIEWER_ROLES.join(', ')}`);
  }

  router.post('/runs', async (req, res) => {
    const principal = principalOf(req);
    const body = parseBody(startRunBody, req.body);
    const runId = randomUUID();
    const input: GenerationRunInput = {
      runId,
      tenantId: principal.tenantId,
      correlationId: req.correlationId!,
      principal,
      intent: {
        name: body.name,
        problemStatement: body.problemStatement,
        language: body.language,
        targetRuntime: body.targetRuntime,
        seedInputSchema: body.seedInputSchema ?? null,
        examples: body.examples ?? [],
      },
      requestedAtUtc: deps.clock().toISOString(),
    };
    // Authority is decided inside the run (and a denial is recorded there); the API only starts it.
    const { workflowId } = await deps.gateway.startRun(input);
    res
      .status(202)
      .location(`${req.baseUrl}/runs/${runId}`)
      .json({ runId, workflowId, status: 'REQUESTED', executionSnapshotId: null, correlationId: input.correlationId });
  });

  router.get('/runs', async (req, res) => {
    const principal = principalOf(req);
    const q = parseWith(ledgerQuery, req.query, 'query');
    let cursor;
    try {
      cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new BadRequestError(err.message);
      throw err;
    }
    const page = await listRunLedger(
      deps.db,
      principal.tenantId,
      {
        status: q.status,
        capabilityKey: q.capabilityKey,
        createdFrom: q.from ? new Date(q.from) : undefined,
        createdTo: q.to ? new Date(q.to) : undefined,
      },
      { limit: q.limit, cursor },
    );
    res.json({ items: page.items.map(presentLedgerItem), nextCursor: page.nextCursor });
  });

  router.get('/runs/:runId', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const run = await getRun(deps.db, principal.tenantId, runId);
    if (!run) {
      // Started but its first row not yet written: Temporal knows it, PostgreSQL doesn't yet.
      const pending = await deps.gateway.pendingRun(principal.tenantId, runId);
      if (!pending) throw new NotFoundError(`run ${runId} not found`);
      res.json({ ...pending, executionSnapshotId: null, pending: true });
      return;
    }
    const [decisions, telemetry] = await Promise.all([
      listGovernanceDecisionsForRun(deps.db, principal.tenantId, runId),
      listTelemetryForRun(deps.db, principal.tenantId, runId),
    ]);
    res.json(presentRun(run, decisions, telemetry));
  });

  router.get('/runs/:runId/duplicates', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const run = await runOr404(principal.tenantId, runId);
    res.json(presentDuplicates(run, await listDuplicatesForRun(deps.db, principal.tenantId, runId)));
  });

  router.get('/runs/:runId/contracts', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const run = await runOr404(principal.tenantId, runId);
    res.json(presentContracts(run, await listContractsForRun(deps.db, principal.tenantId, runId)));
  });

  router.post('/runs/:runId/promote', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const body = parseBody(promoteBody, req.body);
    const run = await runOr404(principal.tenantId, runId);
    requireReviewer(principal);
    const result = await deps.gateway.promote(principal.tenantId, runId, {
      targetState: body.targetState,
      comment: body.comment ?? null,
      reviewer: principal,
      correlationId: req.correlationId!,
    });
    res.json({ runId, executionSnapshotId: run.execution_snapshot_id, ...result });
  });

  router.post('/runs/:runId/adjudicate', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const body = parseBody(adjudicateBody, req.body);
    const run = await runOr404(principal.tenantId, runId);
    requireReviewer(principal);
    const state = await deps.gateway.adjudicate(principal.tenantId, runId, {
      decision: body.decision,
      comment: body.comment,
      reviewer: principal,
      correlationId: req.correlationId!,
    });
    res.json({
      runId,
      executionSnapshotId: run.execution_snapshot_id,
      status: state.status,
      duplicateOutcome: state.duplicateOutcome,
    });
  });

  return router;
}
