import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Db } from '../db/database';
import { getActiveCapability, listContractsForRun } from '../db/repositories/contracts';
import { listDuplicatesForRun } from '../db/repositories/duplicates';
import { listDuplicateAdjudicationsForRun, listGovernanceDecisionsForRun } from '../db/repositories/governance';
import { decodeCursor, getRun, InvalidCursorError, listRunLedger, type RunRow } from '../db/repositories/runs';
import { getRunStart } from '../db/repositories/run-starts';
import { listTelemetryForRun } from '../db/repositories/telemetry';
import type { GenerationRunInput } from '../domain/types';
import { principalOf } from './auth';
import { REVIEWER_ROLES, hasAnyRole } from '../domain/lifecycle';
import type { Principal } from '../domain/types';
import { BadRequestError, ConflictError, ForbiddenError, HttpError, NotFoundError } from './errors';
import type { GenerationGateway } from './generation-gateway';
import type { RunStarter } from './run-starter';
import type { TelemetryEvent } from '../domain/telemetry-event';
import { recordDeniedAttempt } from './denied-attempt';
import { signDecision, type DecisionAction } from '../lib/decision-signing';
import { claimIdempotencyKey, idempotencyKeyOf, recordIdempotentAnswer, requestHmac, runIdForKey } from './idempotency';
import { redactComment, redactIntent, tenantCorrelationId } from './intake';
import { runCreationLimiters, TooManyRequestsError } from './rate-limit';
import type { AppSecurity } from './security';
import { presentContracts, presentDuplicates, presentLedgerItem, presentRun } from './presenters';
import {
  acceptBreakBody,
  adjudicateBody,
  ledgerQuery,
  parseBody,
  parseWith,
  promoteBody,
  runIdParams,
  startRunBody,
} from './schemas';

export function runsRouter(deps: {
  db: Db;
  gateway: GenerationGateway;
  starter: RunStarter;
  clock: () => Date;
  security: AppSecurity;
  emitTelemetry?: (event: TelemetryEvent) => void;
}): Router {
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

  /** Errors about a run carry its executionSnapshotId (and run id) where one exists. */
  async function aboutRun<T>(run: RunRow, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof HttpError) {
        Object.assign(err.extra, { runId: run.id, executionSnapshotId: run.execution_snapshot_id });
      }
      throw err;
    }
  }

  /** Retries of a decision carry the same update id, so Temporal gives them the original answer. */
  function updateIdFor(req: Request, runId: string, action: string): string {
    const key = idempotencyKeyOf(req.get('idempotency-key')) ?? req.correlationId!;
    return `${action}:${runId}:${key}`;
  }

  router.post(
    '/runs',
    ...runCreationLimiters({
      perTenant: deps.security.runsPerMinutePerTenant,
      perPrincipal: deps.security.runsPerMinutePerPrincipal,
    }),
    async (req, res) => {
      const principal = principalOf(req);
      const body = parseBody(startRunBody, req.body);
      const idempotencyKey = idempotencyKeyOf(req.get('idempotency-key'));
      const runId = idempotencyKey ? runIdForKey(principal.tenantId, idempotencyKey) : randomUUID();
      let retried = false;
      if (idempotencyKey) {
        const claim = await claimIdempotencyKey(deps.db, {
          tenantId: principal.tenantId,
          key: idempotencyKey,
          runId,
          requestHmac: requestHmac(deps.security.decisionSigningKey, req.body),
        });
        if (claim.kind === 'retry') {
          retried = true;
          if (claim.status !== null && claim.response !== null) {
            if (claim.status === 202) res.location(`${req.baseUrl}/runs/${runId}`);
            res
              .status(claim.status)
              .type(claim.status >= 400 ? 'application/problem+json' : 'application/json')
              .setHeader('Idempotent-Replayed', 'true')
              .json(claim.response);
            return;
          }
        }
      }
      // Redact once, here: nothing downstream ever sees the raw intent.
      const { intent: redactedIntent, redactions } = redactIntent({
        name: body.name,
        problemStatement: body.problemStatement,
        language: body.language,
        targetRuntime: body.targetRuntime,
        seedInputSchema: body.seedInputSchema ?? null,
        examples: body.examples ?? [],
      });
      const input: GenerationRunInput = {
        runId,
        tenantId: principal.tenantId,
        // Namespaced by tenant wherever it is stored (rows, telemetry, search attributes, spans):
        // two tenants choosing the same X-Correlation-Id never share a correlation.
        correlationId: tenantCorrelationId(principal.tenantId, req.correlationId!),
        principal,
        intent: redactedIntent,
        redactions,
        requestedAtUtc: deps.clock().toISOString(),
      };
      if (req.authorizationDenied) {
        // Refused at the edge (api/authorization.ts): recorded as the plan asks, no workflow starts.
        const denied = await recordDeniedAttempt(
          { db: deps.db, emit: deps.emitTelemetry },
          input,
          deps.security.authority,
        );
        const refusal = new ForbiddenError(req.authorizationDenied, {
          runId,
          runStatus: 'DENIED',
          governanceDecisionId: denied.governanceDecisionId,
          reasonCode: denied.reasonCode,
          executionSnapshotId: null,
        });
        if (idempotencyKey) {
          await recordIdempotentAnswer(deps.db, principal.tenantId, idempotencyKey, 403, {
            type: 'about:blank',
            title: refusal.title,
            status: 403,
            detail: refusal.message,
            ...refusal.extra,
          });
        }
        throw refusal;
      }
      if (body.revisionOf) {
        // A revision proposes the next version of an Active capability this tenant can see; anything
        // else (unknown key, another tenant's, not Active) is refused here and nothing starts.
        const active = await getActiveCapability(deps.db, principal.tenantId, body.revisionOf);
        if (!active) {
          throw new NotFoundError(`no Active capability "${body.revisionOf}" in this tenant's catalog to revise`);
        }
        input.revisionOf = body.revisionOf;
      }
      // Authority is decided inside the run (and a denial is recorded there); the API only accepts
      // it: committed to the start outbox, the workflow starts without the caller waiting on Temporal.
      // The tenant's cap on runs in flight is checked in the same statement (a retry is not a new run).
      const cap = retried ? null : deps.security.maxRunsInFlightPerTenant;
      const { workflowId, outcome } = await deps.starter.accept(input, cap);
      if (outcome.kind === 'over-cap') {
        throw new TooManyRequestsError(
          `this tenant already has ${outcome.inFlight} runs in flight (at most ${cap}); retry later`,
          5,
        );
      }
      if (outcome.kind === 'exists' && !idempotencyKey) throw new ConflictError(`run ${runId} already exists`);
      const accepted = {
        runId,
        workflowId,
        status: 'REQUESTED',
        executionSnapshotId: null,
        correlationId: input.correlationId,
      };
      if (idempotencyKey) await recordIdempotentAnswer(deps.db, principal.tenantId, idempotencyKey, 202, accepted);
      res.status(202).location(`${req.baseUrl}/runs/${runId}`).json(accepted);
    },
  );

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
      const accepted = await getRunStart(deps.db, principal.tenantId, runId);
      if (accepted && !accepted.startedAtUtc) {
        // Accepted, its workflow not started yet (Temporal slow or down): the start is retried.
        res.json({
          runId,
          status: 'REQUESTED',
          workflowId: accepted.workflowId,
          workflowStatus: 'NOT_STARTED',
          startAttempts: accepted.attempts,
          executionSnapshotId: null,
          pending: true,
        });
        return;
      }
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
    const [duplicates, adjudications] = await Promise.all([
      listDuplicatesForRun(deps.db, principal.tenantId, runId),
      listDuplicateAdjudicationsForRun(deps.db, principal.tenantId, runId),
    ]);
    res.json(presentDuplicates(run, duplicates, adjudications));
  });

  router.get('/runs/:runId/contracts', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const run = await runOr404(principal.tenantId, runId);
    const [contracts, decisions] = await Promise.all([
      listContractsForRun(deps.db, principal.tenantId, runId),
      listGovernanceDecisionsForRun(deps.db, principal.tenantId, runId),
    ]);
    res.json(presentContracts(run, contracts, decisions));
  });

  /**
   * A reviewer's request as the workflow receives it: the verified principal and the tenant's
   * namespaced correlation id added by the server, signed for this run and action.
   */
  function reviewerDecision<T extends object>(
    req: Request,
    principal: Principal,
    runId: string,
    action: DecisionAction,
    fields: T,
  ) {
    return signDecision(
      deps.security.decisionSigningKey,
      { runId, action, ttlSeconds: deps.security.decisionTtlSeconds, now: deps.clock() },
      {
        ...fields,
        reviewer: principal,
        correlationId: tenantCorrelationId(principal.tenantId, req.correlationId!),
      },
    );
  }

  router.post('/runs/:runId/promote', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const body = parseBody(promoteBody, req.body);
    const run = await runOr404(principal.tenantId, runId);
    requireReviewer(principal);
    const request = reviewerDecision(req, principal, runId, 'promote', {
      targetState: body.targetState,
      comment: redactComment(body.comment ?? null),
    });
    const result = await aboutRun(run, () =>
      deps.gateway.promote(principal.tenantId, runId, request, updateIdFor(req, runId, 'promote')),
    );
    res.json({ runId, executionSnapshotId: run.execution_snapshot_id, ...result });
  });

  router.post('/runs/:runId/adjudicate', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const body = parseBody(adjudicateBody, req.body);
    const run = await runOr404(principal.tenantId, runId);
    requireReviewer(principal);
    const request = reviewerDecision(req, principal, runId, 'adjudicate', {
      decision: body.decision,
      comment: redactComment(body.comment),
    });
    const state = await aboutRun(run, () =>
      deps.gateway.adjudicate(principal.tenantId, runId, request, updateIdFor(req, runId, 'adjudicate')),
    );
    res.json({
      runId,
      executionSnapshotId: run.execution_snapshot_id,
      status: state.status,
      duplicateOutcome: state.duplicateOutcome,
    });
  });

  router.post('/runs/:runId/accept-break', async (req, res) => {
    const principal = principalOf(req);
    const { runId } = parseWith(runIdParams, req.params, 'path');
    const body = parseBody(acceptBreakBody, req.body);
    const run = await runOr404(principal.tenantId, runId);
    requireReviewer(principal);
    const request = reviewerDecision(req, principal, runId, 'accept-break', {
      ruleIds: body.ruleIds,
      reason: redactComment(body.reason),
      owner: body.owner,
      expiresAtUtc: body.expiresAtUtc,
    });
    const state = await aboutRun(run, () =>
      deps.gateway.acceptBreak(principal.tenantId, runId, request, updateIdFor(req, runId, 'accept-break')),
    );
    res.json({
      runId,
      executionSnapshotId: run.execution_snapshot_id,
      status: state.status,
      capabilityVersion: state.capabilityVersion ?? null,
      acceptedRules: body.ruleIds,
    });
  });

  return router;
}
