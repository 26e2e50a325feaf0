import type { CreatedAt, Json, JsonObject, NullableTimestamp } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';

export interface AiGenerationDuplicateChecksTable extends SnapshotLinkedColumns {
  outcome: 'NONE' | 'POTENTIAL' | 'BLOCKING';
  strategies: Json<string[]>;
  thresholds: Json<JsonObject>;
  adjudication_state: 'NOT_REQUIRED' | 'PENDING' | 'ACCEPTED' | 'REJECTED';
  adjudicated_by: string | null;
  adjudication_comment: string | null;
  adjudication_decision_id: string | null;
  created_at_utc: CreatedAt;
  adjudicated_at_utc: NullableTimestamp;
}

export interface AiGenerationDuplicateMatchesTable extends SnapshotLinkedColumns {
  duplicate_check_id: string;
  matched_capability_id: string;
  matched_capability_key: string;
  dimension: string;
  score: number;
  tier: 'NONE' | 'POTENTIAL' | 'BLOCKING';
  rationale: string;
  created_at_utc: CreatedAt;
}
