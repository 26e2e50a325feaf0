import type { Contracts, RunDetail } from './api';
import type { Session } from './auth';

/**
 * Which reviewer controls are usable, and why not. They mirror the server's rules (domain/lifecycle.ts)
 * so a control can be disabled with its reason; the server still decides every action.
 */

export const ORDER = ['Draft', 'Review', 'Approved', 'Active'] as const;
export const TARGETS = ['Review', 'Approved', 'Active'] as const;

/** Why a promotion to `target` is not allowed now, or null. Mirrors the server's rules; the server decides. */
export function promotionBlocker(
  session: Session,
  run: RunDetail,
  contracts: Contracts | null,
  duplicateOutcome: string | null,
  target: (typeof TARGETS)[number],
): string | null {
  const current = (contracts?.lifecycleState ?? run.lifecycleState ?? null) as (typeof ORDER)[number] | null;
  const validation = contracts?.validationOutcome ?? run.contractValidationOutcome ?? null;
  if (duplicateOutcome === 'BLOCKING') return 'A blocking duplicate keeps this capability from Review.';
  const diff = contracts?.compatibility as { breaking?: boolean } | null | undefined;
  if (run.status === 'BLOCKED' && diff?.breaking) {
    return 'Breaking changes against the previous version: a reviewer must accept the break first.';
  }
  if (validation === 'FAILED') return 'Contract validation failed: there is no conformance evidence to promote.';
  if (run.status === 'AWAITING_ADJUDICATION') return 'A reviewer must adjudicate the potential duplicate first.';
  if (current === null) return `This run has no contract to promote (status ${run.status}).`;
  if (!['DRAFT', 'REVIEW', 'APPROVED'].includes(run.status)) {
    return run.status === 'ACTIVE'
      ? 'The capability is already Active.'
      : `A run in status ${run.status} cannot be promoted.`;
  }
  const next = ORDER[ORDER.indexOf(current) + 1] ?? null;
  if (ORDER.indexOf(target) <= ORDER.indexOf(current)) return `Already ${current}.`;
  if (next !== target) return `One step at a time: promote to ${next} first.`;
  if (run.requestedBy && samePerson(session.subject, run.requestedBy)) {
    return `Four eyes: ${target} needs a reviewer other than the requester, and you (${session.subject}) requested this run.`;
  }
  return null;
}

/** Loose comparison of subjects (case, width, spacing); the server's rule is stricter still. */
export function samePerson(a: string, b: string): boolean {
  const fold = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return fold(a) === fold(b);
}
