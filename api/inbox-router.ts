import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database';
import { listInbox, type InboxRow } from '../db/repositories/governance';
import { REVIEWER_ROLES } from '../domain/lifecycle';
import { principalOf } from './auth';
import { BadRequestError } from './errors';
import { parseWith } from './schemas';

/**
 * The review inbox: what waits for a person in the caller's tenant, oldest wait first —
 * adjudications of potential duplicates, accepted breaks of breaking revisions, reviews,
 * approvals and activations. Each item says how long it has waited, when its window closes (the
 * window frozen into the run's snapshot) and who may act.
 */

export const INBOX_KINDS = {
  AWAITING_ADJUDICATION: { kind: 'ADJUDICATION', window: 'adjudicationWindowMs', action: 'adjudicate' },
  BLOCKED: { kind: 'ACCEPTED_BREAK', window: 'adjudicationWindowMs', action: 'accept-break' },
  DRAFT: { kind: 'REVIEW', window: 'reviewWindowMs', action: 'promote' },
  REVIEW: { kind: 'APPROVAL', window: 'reviewWindowMs', action: 'promote' },
  APPROVED: { kind: 'ACTIVATION', window: 'reviewWindowMs', action: 'promote' },
} as const;

type WaitingStatus = keyof typeof INBOX_KINDS;
const KIND_TO_STATUS = Object.fromEntries(Object.entries(INBOX_KINDS).map(([s, k]) => [k.kind, s])) as Record<
  string,
  WaitingStatus
>;

const NEXT_STATE: Partial<Record<WaitingStatus, string>> = { DRAFT: 'Review', REVIEW: 'Approved', APPROVED: 'Active' };

export const inboxQuery = z
  .object({
    kind: z.enum(['ADJUDICATION', 'ACCEPTED_BREAK', 'REVIEW', 'APPROVAL', 'ACTIVATION']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(300).optional(),
  })
  .strict();

function decodeCursor(raw: string): { since: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { since?: unknown; id?: unknown };
    if (typeof c.since !== 'string' || Number.isNaN(Date.parse(c.since)) || typeof c.id !== 'string') throw new Error();
    if (!/^[0-9a-f-]{36}$/i.test(c.id)) throw new Error();
    return { since: c.since, id: c.id };
  } catch {
    throw new BadRequestError('cursor is not one this API issued');
  }
}

const encodeCursor = (r: InboxRow) =>
  Buffer.from(JSON.stringify({ since: r.since_cursor, id: r.id })).toString('base64url');

export function presentInboxItem(r: InboxRow, now: Date) {
  const status = r.status as WaitingStatus;
  const meta = INBOX_KINDS[status];
  const windowMs = r.effective_config?.[meta.window];
  const since = r.waiting_since_utc;
  const expires = typeof windowMs === 'number' ? new Date(since.getTime() + windowMs) : null;
  return {
    kind: meta.kind,
    runId: r.id,
    capabilityKey: r.capability_key,
    capabilityName: r.capability_name,
    revisionOf: r.revision_of,
    capabilityVersion: r.capability_version,
    status: r.status,
    lifecycleState: r.lifecycle_state,
    reason: r.failure_reason,
    requestedBy: r.requested_by,
    waitingSinceUtc: since.toISOString(),
    waitedMs: Math.max(0, now.getTime() - since.getTime()),
    expiresAtUtc: expires ? expires.toISOString() : null,
    /** Four eyes: a reviewer role, and never the requester. */
    mayAct: { roles: [...REVIEWER_ROLES], notSubject: r.requested_by },
    action: {
      method: 'POST',
      path: `/runs/${r.id}/${meta.action}`,
      ...(NEXT_STATE[status] ? { body: { targetState: NEXT_STATE[status] } } : {}),
    },
  };
}

export function inboxRouter(deps: { db: Db; clock: () => Date }): Router {
  const router = Router();
  router.get('/inbox', async (req, res) => {
    const principal = principalOf(req);
    const q = parseWith(inboxQuery, req.query, 'query');
    const rows = await listInbox(deps.db, principal.tenantId, {
      limit: q.limit + 1,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      statuses: q.kind ? [KIND_TO_STATUS[q.kind]!] : undefined,
    });
    const page = rows.slice(0, q.limit);
    const now = deps.clock();
    res.json({
      items: page.map((r) => presentInboxItem(r, now)),
      nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null,
    });
  });
  return router;
}
