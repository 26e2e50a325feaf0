import type { Insertable, Selectable, Updateable } from 'kysely';
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

export interface LedgerPage {
  items: RunRow[];
  nextCursor: string | null;
}

export function encodeCursor(c: LedgerCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

export function decodeCursor(raw: string): LedgerCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<LedgerCursor>;
    if (
      typeof parsed.createdAt !== 'string' ||
      typeof parsed.id !== 'string' ||
      Number.isNaN(Date.parse(parsed.createdAt))
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
 */
export async function listRunLedger(
  db: Db,
  tenantId: string,
  filter: LedgerFilter,
  page: { limit: number; cursor?: LedgerCursor },
): Promise<LedgerPage> {
  let q = db.selectFrom('ai_generation_runs').selectAll().where('tenant_id', '=', tenantId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.capabilityKey) q = q.where('capability_key', '=', filter.capabilityKey);
  if (filter.createdFrom) q = q.where('created_at_utc', '>=', filter.createdFrom);
  if (filter.createdTo) q = q.where('created_at_utc', '<', filter.createdTo);
  if (page.cursor) {
    const { createdAt, id } = page.cursor;
    q = q.where((eb) =>
      eb.or([
        eb('created_at_utc', '<', new Date(createdAt)),
        eb.and([eb('created_at_utc', '=', new Date(createdAt)), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at_utc', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > page.limit && last
      ? encodeCursor({ createdAt: last.created_at_utc.toISOString(), id: last.id })
      : null;
  return { items, nextCursor };
}
