import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../database';
import type { AiGenerationDuplicateAdjudicationsTable, GovernanceDecisionsTable } from '../tables/governance-decisions';

export type GovernanceDecisionRow = Selectable<GovernanceDecisionsTable>;
export type DuplicateAdjudicationRow = Selectable<AiGenerationDuplicateAdjudicationsTable>;

/** Governance decisions are append-only: the database refuses UPDATE and DELETE. */
export async function insertGovernanceDecision(db: Db, row: Insertable<GovernanceDecisionsTable>): Promise<void> {
  await db
    .insertInto('governance_decisions')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function listGovernanceDecisionsForRun(
  db: Db,
  tenantId: string,
  runId: string,
): Promise<GovernanceDecisionRow[]> {
  return db
    .selectFrom('governance_decisions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('decided_at_utc')
    .execute();
}

export async function getGovernanceDecision(
  db: Db,
  tenantId: string,
  id: string,
): Promise<GovernanceDecisionRow | undefined> {
  return db
    .selectFrom('governance_decisions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Accepted breaks recorded for runs of a capability key: the catalog's version history shows them. */
export async function listAcceptedBreaksForKey(
  db: Db,
  tenantId: string,
  capabilityKey: string,
): Promise<GovernanceDecisionRow[]> {
  return db
    .selectFrom('governance_decisions as g')
    .innerJoin('ai_generation_runs as r', 'r.id', 'g.run_id')
    .selectAll('g')
    .where('g.tenant_id', '=', tenantId)
    .where('r.tenant_id', '=', tenantId)
    .where('r.capability_key', '=', capabilityKey)
    .where('g.kind', '=', 'ACCEPTED_BREAK')
    .orderBy('g.decided_at_utc')
    .execute();
}

/**
 * A reviewer's adjudication as new rows: one for the check and one verdict per match. The check
 * row itself is never edited; its current adjudication is the row written here.
 */
export async function insertDuplicateAdjudications(
  db: Db,
  rows: Insertable<AiGenerationDuplicateAdjudicationsTable>[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('ai_generation_duplicate_adjudications')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function listDuplicateAdjudicationsForRun(
  db: Db,
  tenantId: string,
  runId: string,
): Promise<DuplicateAdjudicationRow[]> {
  return db
    .selectFrom('ai_generation_duplicate_adjudications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('adjudicated_at_utc')
    .execute();
}

/** Reviewer verdicts per match, for calibration (duplicates:calibrate reads these). */
export async function listMatchVerdicts(
  db: Db,
  tenantId: string,
): Promise<
  Array<Pick<DuplicateAdjudicationRow, 'duplicate_match_id' | 'verdict' | 'adjudicated_by' | 'adjudicated_at_utc'>>
> {
  return db
    .selectFrom('ai_generation_duplicate_adjudications')
    .select(['duplicate_match_id', 'verdict', 'adjudicated_by', 'adjudicated_at_utc'])
    .where('tenant_id', '=', tenantId)
    .where('duplicate_match_id', 'is not', null)
    .execute();
}

/** The matches of one duplicate check (ids and tiers), for per-match verdicts. */
export async function listMatchesOfCheck(
  db: Db,
  tenantId: string,
  checkId: string,
): Promise<Array<{ id: string; tier: string }>> {
  return db
    .selectFrom('ai_generation_duplicate_matches')
    .select(['id', 'tier'])
    .where('tenant_id', '=', tenantId)
    .where('duplicate_check_id', '=', checkId)
    .execute();
}

/** Run statuses where a person must act next, and what they must do. */
export const WAITING_STATUSES = ['AWAITING_ADJUDICATION', 'BLOCKED', 'DRAFT', 'REVIEW', 'APPROVED'] as const;

export interface InboxRow {
  id: string;
  capability_key: string;
  capability_name: string;
  revision_of: string | null;
  capability_version: string | null;
  status: string;
  lifecycle_state: string | null;
  requested_by: string;
  failure_reason: string | null;
  created_at_utc: Date;
  waiting_since_utc: Date;
  effective_config: Record<string, unknown> | null;
  since_cursor: string;
}

/**
 * What waits for a person in one tenant, oldest wait first: open runs (not completed) in a
 * waiting status. A BLOCKED run waits only while it is open (a breaking revision waiting for an
 * accepted break); a terminal BLOCKED run has a completion time. The wait started when the run
 * last changed (its status change is its last write); its window is the frozen configuration.
 */
export async function listInbox(
  db: Db,
  tenantId: string,
  page: { limit: number; after?: { since: string; id: string }; statuses?: readonly string[] },
): Promise<InboxRow[]> {
  let q = db
    .selectFrom('ai_generation_runs as r')
    .leftJoin('execution_snapshots as s', 's.id', 'r.execution_snapshot_id')
    .select([
      'r.id',
      'r.capability_key',
      'r.capability_name',
      'r.revision_of',
      'r.capability_version',
      'r.status',
      'r.lifecycle_state',
      'r.requested_by',
      'r.failure_reason',
      'r.created_at_utc',
      'r.updated_at_utc as waiting_since_utc',
      // The keyset cursor to the microsecond, as PostgreSQL stores it (a Date keeps milliseconds).
      sql<string>`to_char(r.updated_at_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('since_cursor'),
      's.effective_config',
    ])
    .where('r.tenant_id', '=', tenantId)
    .where('r.completed_at_utc', 'is', null)
    .where('r.status', 'in', [...(page.statuses ?? WAITING_STATUSES)]);
  if (page.after) {
    const { since, id } = page.after;
    q = q.where(sql<boolean>`(r.updated_at_utc, r.id) > (${since}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q.orderBy('r.updated_at_utc').orderBy('r.id').limit(page.limit).execute();
  return rows as unknown as InboxRow[];
}
