import { sql } from 'kysely';
import type { Db } from '../database';

/** A run accepted by the API whose workflow start is owed (see migration 2026-11-24T0600). */
export interface RunStartRow {
  runId: string;
  tenantId: string;
  input: Record<string, unknown>;
  attempts: number;
}

/** Runs still generating: not yet waiting for people, not closed. */
const IN_FLIGHT_STATUSES = ['REQUESTED', 'RUNNING'];

export type AcceptOutcome = { kind: 'accepted' } | { kind: 'exists' } | { kind: 'over-cap'; inFlight: number };

/** A run to commit to the outbox; `inFlightCap` null skips the tenant's cap (a retry is not a new run). */
export interface RunStartToAccept {
  runId: string;
  tenantId: string;
  taskQueue: string;
  workflowId: string;
  input: object;
  leaseMs: number;
  inFlightCap: number | null;
}

/**
 * Commits accepted runs, several in one statement, each with its tenant's in-flight cap: runs
 * still generating plus accepted runs not started yet, plus the tenant's runs before it in the same
 * batch. A row is leased to the caller for `leaseMs` (it starts the workflow itself, right away);
 * should it die first, any starter on the task queue picks the row up once the lease ends.
 * `exists`: the run id was already accepted (an idempotent retry). Outcomes are in `rows`' order;
 * the run ids must be distinct.
 */
export async function acceptRunStarts(db: Db, rows: readonly RunStartToAccept[]): Promise<AcceptOutcome[]> {
  if (rows.length === 0) return [];
  const batch = rows.map((r, ord) => ({
    ord,
    run_id: r.runId,
    tenant_id: r.tenantId,
    task_queue: r.taskQueue,
    workflow_id: r.workflowId,
    input: r.input,
    lease_ms: r.leaseMs,
    cap: r.inFlightCap,
  }));
  const result = await sql<{ ord: number; before: string | null; inserted: boolean }>`
    with req as (
      select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as r(
        ord int, run_id uuid, tenant_id text, task_queue text, workflow_id text, input jsonb, lease_ms int, cap int)
    ), in_flight as (
      select t.tenant_id,
             (select count(*) from ai_generation_runs
               where tenant_id = t.tenant_id and status = any(${IN_FLIGHT_STATUSES}::text[]))
             + (select count(*) from ai_generation_run_starts
               where tenant_id = t.tenant_id and started_at_utc is null) as n
        from (select distinct tenant_id from req where cap is not null) t
    ), ranked as (
      select req.*, f.n + row_number() over (partition by req.tenant_id order by req.ord) - 1 as before
        from req left join in_flight f using (tenant_id)
    ), ins as (
      insert into ai_generation_run_starts
        (run_id, tenant_id, task_queue, workflow_id, input, attempts, next_attempt_at_utc)
      select run_id, tenant_id, task_queue, workflow_id, input, 1, now() + lease_ms * interval '1 millisecond'
        from ranked where cap is null or before < cap
       order by run_id
      on conflict (run_id) do nothing
      returning run_id
    )
    select ord, before, run_id in (select run_id from ins) as inserted from ranked order by ord`.execute(db);
  return result.rows.map((r, i) => {
    const cap = rows[i]!.inFlightCap;
    if (r.inserted) return { kind: 'accepted' };
    if (cap !== null && r.before !== null && Number(r.before) >= cap) {
      return { kind: 'over-cap', inFlight: Number(r.before) };
    }
    return { kind: 'exists' };
  });
}

/** One run: `acceptRunStarts` with a batch of one. */
export async function acceptRunStart(
  db: Db,
  row: Omit<RunStartToAccept, 'inFlightCap'>,
  inFlightCap: number | null = null,
): Promise<AcceptOutcome> {
  const [outcome] = await acceptRunStarts(db, [{ ...row, inFlightCap }]);
  return outcome!;
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

export async function markRunsStarted(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await db
    .updateTable('ai_generation_run_starts')
    .set({ started_at_utc: sql<Date>`now()`, last_error: null })
    .where('run_id', 'in', runIds)
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

/**
 * Forgets started rows older than `olderThanMs` (at most `limit` per call): once the workflow has
 * started, the run's own rows and Temporal's history hold everything the outbox row did.
 */
export async function purgeStartedRunStarts(db: Db, olderThanMs: number, limit: number): Promise<number> {
  const r = await sql`
    delete from ai_generation_run_starts where run_id in (
      select run_id from ai_generation_run_starts
      where started_at_utc < now() - ${`${olderThanMs} milliseconds`}::interval
      limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
