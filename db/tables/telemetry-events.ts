import type { Generated } from 'kysely';
import type { CreatedAt, Json } from './common';
import type { TelemetryFields } from '../../domain/telemetry-event';

export interface TelemetryEventsTable {
  id: string;
  /** bigint identity, read as a string */
  sequence: Generated<string>;
  tenant_id: string;
  correlation_id: string;
  run_id: string;
  execution_snapshot_id: string | null;
  event_type: string;
  step: string;
  outcome: string;
  capability_key: string;
  fields: Json<TelemetryFields>;
  occurred_at_utc: CreatedAt;
}
