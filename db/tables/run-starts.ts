import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, JsonObject, NullableTimestamp } from './common';

/** The run-start outbox (see migration 2026-11-24T0600). */
export interface AiGenerationRunStartsTable {
  run_id: string;
  tenant_id: string;
  task_queue: string;
  workflow_id: string;
  /** The workflow's input, as the API built it (intent already redacted). */
  input: Json<JsonObject>;
  accepted_at_utc: CreatedAt;
  started_at_utc: NullableTimestamp;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at_utc: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
}
