import { sql } from 'kysely';
import type { Db } from '../database';

/** A run accepted by the API whose workflow start is owed (see migration 2026-11-24T0600). */
export interface RunStartRow {
  runId: string;
  tenantId: string;
  input: Record<string, unknown>;
  attempts: number;
}

/**
 * Commits an accepted run. The row is leased to the caller for `leaseMs` (it starts the workflow
 * itself, right away); should it die first, any starter on the task queue picks the row up once
 * the lease ends. False when the run id was already accepted (an idempotent retry).
 */
export async function acceptRunStart(
  db: Db,
  row: { runId: string; tenantId: string; taskQueue: string; workflowId: string; input: object; leaseMs: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto('ai_generation_run_starts')
    .values({
      run_id: row.runId,
      tenant_id: row.tenantId,
      task_queue: row.taskQueue,
      workflow_id: row.workflowId,
      input: JSON.stringify(row.input),
      attempts: 1,
      next_attempt_at_utc: sql<Date>`now() + ${`${row.leaseMs} milliseconds`}::interval`,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .returning('run_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Leases up to `limit` due rows of this task queue to the caller (another starter skips them,
 * SKIP LOCKED, and their next attempt moves `leaseMs` ahead), counting the attempt.
 */
export async function claimDueRunStarts(
  db: Db,
  taskQueue: string,
  limit: number,
  leaseMs: number,
): Promise<RunStartRow[]> {
  const rows = await db
    .updateTable('ai_generation_run_starts')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at_utc: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`,
    }))
    .where(
      'run_id',
      'in',
      db
        .selectFrom('ai_generation_run_starts')
        .select('run_id')
        .where('task_queue', '=', taskQueue)
        .where('started_at_utc', 'is', null)
        .where('next_attempt_at_utc', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at_utc')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['run_id', 'tenant_id', 'input', 'attempts'])
    .execute();
  return rows.map((r) => ({ runId: r.run_id, tenantId: r.tenant_id, input: r.input, attempts: r.attempts }));
}

export async function markRunStarted(db: Db, runId: string): Promise<void> {
  await db
    .updateTable('ai_generation_run_starts')
    .set({ started_at_utc: sql<Date>`now()`, last_error: null })
    .where('run_id', '=', runId)
    .execute();
}

/** A failed start: why, and when to try again. */
export async function deferRunStart(db: Db, runId: string, error: string, delayMs: number): Promise<void> {
  await db
    .updateTable('ai_generation_run_starts')
    .set({
      last_error: error.slice(0, 1000),
      next_attempt_at_utc: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval`,
    })
    .where('run_id', '=', runId)
    .where('started_at_utc', 'is', null)
    .execute();
}

export interface RunStartStatus {
  workflowId: string;
  acceptedAtUtc: Date;
  startedAtUtc: Date | null;
  attempts: number;
}

/** This tenant's accepted run, started or not; undefined for another tenant's. */
export async function getRunStart(db: Db, tenantId: string, runId: string): Promise<RunStartStatus | undefined> {
  const row = await db
    .selectFrom('ai_generation_run_starts')
    .select(['workflow_id', 'accepted_at_utc', 'started_at_utc', 'attempts'])
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row
    ? {
        workflowId: row.workflow_id,
        acceptedAtUtc: row.accepted_at_utc,
        startedAtUtc: row.started_at_utc,
        attempts: row.attempts,
      }
    : undefined;
}

/** Accepted runs of this tenant whose workflow has not started yet. */
export async function countUnstartedRuns(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('ai_generation_run_starts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('started_at_utc', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
