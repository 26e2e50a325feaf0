import { hasAnyRole, REVIEWER_ROLES } from '../lifecycle';
import { samePerson } from '../principal';
import type { DecisionSignature, Principal } from '../types';

/**
 * A reviewer's decision to let a breaking revision through: which rules they accept, why, who
 * owns the consequences and until when the acceptance holds. Recorded as a governance decision
 * (kind ACCEPTED_BREAK); the version then takes a major bump.
 */
export interface AcceptBreakRequest {
  ruleIds: string[];
  reason: string;
  owner: string;
  /** ISO 8601 instant after which the acceptance no longer holds. */
  expiresAtUtc: string;
  reviewer: Principal;
  correlationId: string;
  /** The API's signature over the decision (no side doors: see lib/decision-signing.ts). */
  signature?: DecisionSignature;
}

export interface AcceptBreakContext {
  tenantId: string;
  /** Whoever asked for the run: four eyes, they do not accept their own break. */
  requestedBy: Principal;
  /** Distinct rule ids of the breaking findings; empty when the run has no pending break. */
  breakingRules: string[];
  awaitingDecision: boolean;
  /** The workflow's current time, ISO. */
  nowUtc: string;
}

/** Returns null when the accepted break is admissible, otherwise why not. */
export function acceptBreakRefusal(request: AcceptBreakRequest, ctx: AcceptBreakContext): string | null {
  if (request.reviewer.tenantId !== ctx.tenantId) return 'reviewer belongs to another tenant';
  if (!hasAnyRole(request.reviewer, REVIEWER_ROLES)) {
    return `accepting a break requires one of the roles ${REVIEWER_ROLES.join(', ')}`;
  }
  if (!ctx.awaitingDecision) return 'run has no breaking change waiting for a decision';
  if (samePerson(request.reviewer, ctx.requestedBy)) {
    return 'an accepted break requires a reviewer other than the requester';
  }
  if (request.reason.trim().length === 0) return 'an accepted break requires a reason';
  if (request.owner.trim().length === 0) return 'an accepted break requires an owner';
  const expires = Date.parse(request.expiresAtUtc);
  if (Number.isNaN(expires)) return 'expiresAtUtc must be an ISO 8601 date-time';
  if (expires <= Date.parse(ctx.nowUtc)) return 'expiresAtUtc must be in the future';
  const accepted = new Set(request.ruleIds);
  const missing = ctx.breakingRules.filter((r) => !accepted.has(r));
  if (missing.length > 0)
    return `the break is not accepted for rule(s) ${missing.join(', ')}; accept every breaking rule`;
  const extra = request.ruleIds.filter((r) => !ctx.breakingRules.includes(r));
  if (extra.length > 0) return `rule(s) ${extra.join(', ')} are not among this revision's breaking rules`;
  return null;
}

/**
 * Why a promotion may no longer rest on an accepted break (null while it holds): the acceptance
 * holds until its `expiresAtUtc`, and a decision with no readable expiry holds nothing.
 */
export function acceptedBreakLapse(
  acceptance: { governanceDecisionId: string; expiresAtUtc: unknown },
  nowUtc: string,
): string | null {
  const expires = typeof acceptance.expiresAtUtc === 'string' ? Date.parse(acceptance.expiresAtUtc) : Number.NaN;
  if (Number.isNaN(expires)) {
    return `the accepted break (decision ${acceptance.governanceDecisionId}) records no valid expiry; a reviewer must accept the break again`;
  }
  if (Date.parse(nowUtc) >= expires) {
    return `the accepted break (decision ${acceptance.governanceDecisionId}) expired at ${new Date(expires).toISOString()}; a breaking revision is not promoted on an expired acceptance (start the revision again for a new decision)`;
  }
  return null;
}
