import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../database';
import type { AiGenerationRunsTable } from '../tables/ai-generation-runs';

export type RunRow = Selectable<AiGenerationRunsTable>;
export type RunPatch = Omit<Updateable<AiGenerationRunsTable>, 'id' | 'tenant_id' | 'created_at_utc'>;

/** Idempotent: a retried activity finds the row already there. */
export async function insertRun(db: Db, row: Insertable<AiGenerationRunsTable>): Promise<void> {
  await db
    .insertInto('ai_generation_runs')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function updateRun(db: Db, tenantId: string, runId: string, patch: RunPatch): Promise<void> {
  await db
    .updateTable('ai_generation_runs')
    .set({ ...patch, updated_at_utc: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .execute();
}

export async function getRun(db: Db, tenantId: string, runId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('ai_generation_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .executeTakeFirst();
}

export async function listRunsBySnapshot(db: Db, tenantId: string, snapshotId: string): Promise<RunRow[]> {
  return db
    .selectFrom('ai_generation_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('execution_snapshot_id', '=', snapshotId)
    .execute();
}

export async function listRunsByCorrelation(db: Db, tenantId: string, correlationId: string): Promise<RunRow[]> {
  return db
    .selectFrom('ai_generation_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('correlation_id', '=', correlationId)
    .orderBy('created_at_utc', 'desc')
    .execute();
}

export interface LedgerFilter {
  status?: string;
  capabilityKey?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

export interface LedgerCursor {
  createdAt: string;
  id: string;
}

/**
 * What a ledger row shows (`presentLedgerItem`): the run's summary, not its intent. The intent is
 * the widest column (a JSON document per run); reading it for a page that never shows it cost the
 * database, the wire and the API's JSON parse.
 */
export const LEDGER_COLUMNS = [
  'id',
  'execution_snapshot_id',
  'status',
  'lifecycle_state',
  'capability_key',
  'capability_name',
  'requested_by',
  'governance_decision_id',
  'runtime_provider',
  'model_identity',
  'fallback_used',
  'duplicate_outcome',
  'contract_validation_outcome',
  'created_at_utc',
] as const satisfies ReadonlyArray<keyof RunRow>;

export type LedgerRow = Pick<RunRow, (typeof LEDGER_COLUMNS)[number]>;

export interface LedgerPage {
  items: LedgerRow[];
  nextCursor: string | null;
}

export function encodeCursor(c: LedgerCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(raw: string): LedgerCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<LedgerCursor>;
    if (
      typeof parsed.createdAt !== 'string' ||
      typeof parsed.id !== 'string' ||
      Number.isNaN(Date.parse(parsed.createdAt)) ||
      !UUID.test(parsed.id)
    ) {
      throw new Error('bad shape');
    }
    return { createdAt: parsed.createdAt, id: parsed.id };
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
}

/**
 * The run ledger, newest first, keyset-paginated on (created_at_utc, id) so pages stay stable
 * while runs are being added and cost the same at any depth.
 *
 * The cursor condition is one row-value comparison, `(created_at_utc, id) < (X, Y)`: PostgreSQL
 * uses it as an index condition on `(tenant_id, created_at_utc desc, id desc)` (or the status /
 * capability variants of that index when filtered), so a page 300,000 rows deep starts where the
 * cursor points instead of filtering every newer row (what `created_at < X OR (created_at = X AND
 * id < Y)` does). The cursor carries the timestamp to the microsecond, as PostgreSQL stores it:
 * a JavaScript Date keeps only milliseconds and would skip rows that differ below that.
 */
export async function listRunLedger(
  db: Db,
  tenantId: string,
  filter: LedgerFilter,
  page: { limit: number; cursor?: LedgerCursor },
): Promise<LedgerPage> {
  const rows = await ledgerPageQuery(db, tenantId, filter, page).execute();
  const items: LedgerRow[] = rows.slice(0, page.limit).map(({ cursor_at: _cursorAt, ...run }) => run);
  const last = rows[page.limit - 1];
  const nextCursor = rows.length > page.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null;
  return { items, nextCursor };
}

/** The ledger page's query (one row more than the page, to know whether another follows); exported for plan checks. */
export function ledgerPageQuery(
  db: Db,
  tenantId: string,
  filter: LedgerFilter,
  page: { limit: number; cursor?: LedgerCursor },
) {
  let q = db
    .selectFrom('ai_generation_runs')
    .select(LEDGER_COLUMNS)
    .select(sql<string>`to_char(created_at_utc at time zone 'UTC', ${CURSOR_TIME_FORMAT})`.as('cursor_at'))
    .where('tenant_id', '=', tenantId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.capabilityKey) q = q.where('capability_key', '=', filter.capabilityKey);
  if (filter.createdFrom) q = q.where('created_at_utc', '>=', filter.createdFrom);
  if (filter.createdTo) q = q.where('created_at_utc', '<', filter.createdTo);
  if (page.cursor) {
    const { createdAt, id } = page.cursor;
    q = q.where(sql<boolean>`(created_at_utc, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return q
    .orderBy('created_at_utc', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
}

/** ISO 8601 in UTC with microseconds: exactly the stored value, and parseable by Date.parse. */
const CURSOR_TIME_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
