import type { CreatedAt, Json, JsonObject } from './common';

/** What a lifecycle step returned on its first commit (see migration 2026-11-24T0300). */
export interface AiGenerationStepResultsTable {
  id: string;
  tenant_id: string;
  run_id: string;
  step: string;
  /** The Temporal attempt that committed. */
  attempt: number;
  result: Json<JsonObject>;
  committed_at_utc: CreatedAt;
}
