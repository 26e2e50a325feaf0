import type { Selectable } from 'kysely';
import type { TelemetryEvent } from '../../activities/telemetry/event';
import type { Db } from '../database';
import type { TelemetryEventsTable } from '../tables/telemetry-events';

export type TelemetryRow = Selectable<TelemetryEventsTable>;

export async function insertTelemetryEvent(db: Db, event: TelemetryEvent): Promise<void> {
  await db
    .insertInto('telemetry_events')
    .values({
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
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
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
