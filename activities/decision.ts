import { decisionRefusal, type DecisionAction } from '../lib/decision-signing';
import { deterministicUuid } from '../domain/deterministic-id';
import type { AdjudicationRequest, PromotionRequest } from '../domain/types';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';
import type { ActivityDeps } from './deps';
import type { AcceptBreakRequest } from '../domain/contracts/accepted-break';
import { commitStep } from './telemetry/record';

export interface VerifyDecisionInput {
  /** A workflow-made id, so a retried activity records its refusal once. */
  checkId: string;
  action: DecisionAction;
  request: PromotionRequest | AdjudicationRequest | AcceptBreakRequest;
  trace: TraceContext;
}

export type VerifyDecisionResult = { ok: true } | { ok: false; reason: string };

/**
 * The workflow's check of a reviewer decision (workflows cannot use node:crypto): genuine, current,
 * for this run and action. A refusal is recorded (a DECISION_REFUSED telemetry event naming the
 * claimed reviewer) before the workflow rejects the update; nothing else about it is recorded.
 */
export function createVerifyDecision(deps: ActivityDeps) {
  return async function verifyDecision(input: VerifyDecisionInput): Promise<VerifyDecisionResult> {
    const reason = decisionRefusal(
      deps.config.decisionSigningKey,
      { runId: input.trace.runId, action: input.action, now: deps.clock.now() },
      input.request,
    );
    if (reason === null) return { ok: true };
    const claimed = input.request.reviewer as { subject?: unknown; tenantId?: unknown } | undefined;
    const event = buildTelemetryEvent(
      deterministicUuid(input.checkId, 'DECISION_REFUSED'),
      input.trace,
      'DECISION_REFUSED',
      input.action,
      'REFUSED',
      {
        error: { type: 'Decision:Refused', message: reason },
        details: {
          action: input.action,
          reason,
          claimedReviewer: typeof claimed?.subject === 'string' ? claimed.subject.slice(0, 256) : null,
          claimedTenant: typeof claimed?.tenantId === 'string' ? claimed.tenantId.slice(0, 128) : null,
        },
      },
    );
    await commitStep(deps, [event], async () => undefined);
    deps.logger.warn('reviewer decision refused', { runId: input.trace.runId, action: input.action, reason });
    return { ok: false, reason };
  };
}
