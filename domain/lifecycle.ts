import { samePerson } from './principal';
import type { LifecycleState, Principal, RunStatus } from './types';

/**
 * Pure governance rules for moving a generated contract through its lifecycle. Used by the
 * workflow's update validators (so a bad request is rejected before it touches history) and by
 * the API to explain refusals.
 */

export const ROLES = {
  admin: 'admin',
  author: 'capability-author',
  reviewer: 'capability-reviewer',
  /** Operates the whole platform: cross-tenant trends (telemetry summary grouped by tenant). */
  platformAdmin: 'platform-admin',
} as const;

export const AUTHOR_ROLES: readonly string[] = [ROLES.admin, ROLES.author];
export const REVIEWER_ROLES: readonly string[] = [ROLES.admin, ROLES.reviewer];

const NEXT: Record<LifecycleState, LifecycleState | null> = {
  Draft: 'Review',
  Review: 'Approved',
  Approved: 'Active',
  Active: null,
};

export const STATUS_FOR_STATE: Record<LifecycleState, RunStatus> = {
  Draft: 'DRAFT',
  Review: 'REVIEW',
  Approved: 'APPROVED',
  Active: 'ACTIVE',
};

export function hasAnyRole(principal: Principal, roles: readonly string[]): boolean {
  return principal.roles.some((r) => roles.includes(r));
}

export interface PromotionContext {
  current: LifecycleState | null;
  target: LifecycleState;
  status: RunStatus;
  reviewer: Principal;
  requestedBy: Principal;
  tenantId: string;
  contractValidationPassed: boolean;
  /**
   * Four eyes on every step (Review included), comparing canonical principal ids. False only when
   * replaying runs recorded before this rule (workflows gate it with `patched`), which compared raw
   * subjects on Approved and Active.
   */
  fourEyesOnEveryStep?: boolean;
}

/** Returns null when the promotion is admissible, otherwise why not. */
export function promotionRefusal(ctx: PromotionContext): string | null {
  if (ctx.reviewer.tenantId !== ctx.tenantId) return 'reviewer belongs to another tenant';
  if (!hasAnyRole(ctx.reviewer, REVIEWER_ROLES)) {
    return `promotion requires one of the roles ${REVIEWER_ROLES.join(', ')}`;
  }
  if (ctx.current === null) return `run has no contract to promote (status ${ctx.status})`;
  if (!['DRAFT', 'REVIEW', 'APPROVED'].includes(ctx.status)) {
    return `run in status ${ctx.status} cannot be promoted`;
  }
  const next = NEXT[ctx.current];
  if (next !== ctx.target) {
    return next === null
      ? `capability is already ${ctx.current}`
      : `cannot move ${ctx.current} to ${ctx.target}; the next state is ${next}`;
  }
  if (!ctx.contractValidationPassed) return 'contract validation did not pass; no conformance evidence';
  // Four eyes: whoever asked for the capability never reviews, approves or activates it.
  if (ctx.fourEyesOnEveryStep === false) {
    if ((ctx.target === 'Approved' || ctx.target === 'Active') && ctx.reviewer.subject === ctx.requestedBy.subject) {
      return `${ctx.target} requires a reviewer other than the requester`;
    }
  } else if (samePerson(ctx.reviewer, ctx.requestedBy)) {
    return `${ctx.target} requires a reviewer other than the requester`;
  }
  return null;
}

export function adjudicationRefusal(
  status: RunStatus,
  reviewer: Principal,
  tenantId: string,
  comment: string,
  /** The run's requester: never adjudicates their own potential duplicate, admin or not. */
  requestedBy?: Principal,
): string | null {
  if (reviewer.tenantId !== tenantId) return 'reviewer belongs to another tenant';
  if (!hasAnyRole(reviewer, REVIEWER_ROLES)) {
    return `adjudication requires one of the roles ${REVIEWER_ROLES.join(', ')}`;
  }
  if (requestedBy && samePerson(reviewer, requestedBy)) {
    return 'adjudication requires a reviewer other than the requester';
  }
  if (status !== 'AWAITING_ADJUDICATION') return `run in status ${status} is not awaiting adjudication`;
  if (comment.trim().length === 0) return 'adjudication requires an audit comment';
  return null;
}
