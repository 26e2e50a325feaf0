import { sql, type Selectable } from 'kysely';
import type { TelemetryEvent } from '../../domain/telemetry-event';
import type { Db } from '../database';
import type { TelemetryEventsTable } from '../tables/telemetry-events';

export type TelemetryRow = Selectable<TelemetryEventsTable>;

/** Events in one statement (a step's several events: one round trip); the ledger keeps their order. */
export async function insertTelemetryEvents(db: Db, events: readonly TelemetryEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('telemetry_events')
    .values(
      events.map((event) => ({
        id: event.id,
        tenant_id: event.fields.tenantId,
        correlation_id: event.fields.correlationId,
        run_id: event.fields.generationRunId,
        execution_snapshot_id: event.fields.executionSnapshotId,
        event_type: event.eventType,
        step: event.step,
        outcome: event.outcome,
        capability_key: event.fields.capability,
        fields: JSON.stringify(event.fields),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function insertTelemetryEvent(db: Db, event: TelemetryEvent): Promise<void> {
  await insertTelemetryEvents(db, [event]);
}

export async function listTelemetryForRun(db: Db, tenantId: string, runId: string): Promise<TelemetryRow[]> {
  return db
    .selectFrom('telemetry_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('sequence')
    .execute();
}

export type SummaryGroupBy = 'capability' | 'tenant' | 'day';

export interface SummaryGroup {
  key: string;
  runs: number;
  byStatus: Record<string, number>;
  denied: number;
  failed: number;
  fallbackRuns: number;
  fallbackRate: number;
  duplicateOutcomes: { NONE: number; POTENTIAL: number; BLOCKING: number; unchecked: number };
  contractOutcomes: { PASSED: number; FAILED: number; none: number };
  durationMs: { p50: number | null; p95: number | null };
}

/**
 * Trends over the runs requested in [from, to): one tenant's, or — only when `tenantId` is null,
 * which the API allows platform admins grouping by tenant — every tenant's. Duration is the time
 * from the request to the run's latest recorded status (its end, for finished runs). Served by the
 * covering summary indexes (migration 2026-11-24T0500).
 */
export async function telemetrySummary(
  db: Db,
  opts: { tenantId: string | null; groupBy: SummaryGroupBy; from: Date; to: Date },
): Promise<SummaryGroup[]> {
  const groupExpr =
    opts.groupBy === 'capability'
      ? sql<string>`capability_key`
      : opts.groupBy === 'tenant'
        ? sql<string>`tenant_id`
        : sql<string>`to_char(created_at_utc at time zone 'UTC', 'YYYY-MM-DD')`;
  const base = () => {
    let q = db
      .selectFrom('ai_generation_runs')
      .where('created_at_utc', '>=', opts.from)
      .where('created_at_utc', '<', opts.to);
    if (opts.tenantId !== null) q = q.where('tenant_id', '=', opts.tenantId);
    return q;
  };
  const duration = sql<number>`extract(epoch from (coalesce(completed_at_utc, updated_at_utc) - created_at_utc)) * 1000`;
  const [aggregates, statuses] = await Promise.all([
    base()
      .select([
        groupExpr.as('key'),
        sql<string>`count(*)`.as('runs'),
        sql<string>`count(*) filter (where fallback_used)`.as('fallback_runs'),
        sql<string>`count(*) filter (where duplicate_outcome = 'NONE')`.as('dup_none'),
        sql<string>`count(*) filter (where duplicate_outcome = 'POTENTIAL')`.as('dup_potential'),
        sql<string>`count(*) filter (where duplicate_outcome = 'BLOCKING')`.as('dup_blocking'),
        sql<string>`count(*) filter (where duplicate_outcome is null)`.as('dup_unchecked'),
        sql<string>`count(*) filter (where contract_validation_outcome = 'PASSED')`.as('contract_passed'),
        sql<string>`count(*) filter (where contract_validation_outcome = 'FAILED')`.as('contract_failed'),
        sql<string>`count(*) filter (where contract_validation_outcome is null)`.as('contract_none'),
        // Both percentiles from one sort.
        sql<number[] | null>`percentile_cont(array[0.5, 0.95]::float8[]) within group (order by ${duration})`.as(
          'pcts',
        ),
      ])
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .execute(),
    base()
      .select([groupExpr.as('key'), 'status', sql<string>`count(*)`.as('n')])
      .groupBy([sql`1`, 'status'])
      .execute(),
  ]);
  const byKey = new Map<string, Record<string, number>>();
  for (const s of statuses) {
    const m = byKey.get(s.key) ?? {};
    m[s.status] = Number(s.n);
    byKey.set(s.key, m);
  }
  return aggregates.map((a) => {
    const runs = Number(a.runs);
    const byStatus = byKey.get(a.key) ?? {};
    const fallbackRuns = Number(a.fallback_runs);
    return {
      key: a.key,
      runs,
      byStatus,
      denied: byStatus.DENIED ?? 0,
      failed: byStatus.FAILED ?? 0,
      fallbackRuns,
      fallbackRate: runs === 0 ? 0 : fallbackRuns / runs,
      duplicateOutcomes: {
        NONE: Number(a.dup_none),
        POTENTIAL: Number(a.dup_potential),
        BLOCKING: Number(a.dup_blocking),
        unchecked: Number(a.dup_unchecked),
      },
      contractOutcomes: {
        PASSED: Number(a.contract_passed),
        FAILED: Number(a.contract_failed),
        none: Number(a.contract_none),
      },
      durationMs: {
        p50: a.pcts?.[0] == null ? null : Math.round(Number(a.pcts[0])),
        p95: a.pcts?.[1] == null ? null : Math.round(Number(a.pcts[1])),
      },
    };
  });
}
