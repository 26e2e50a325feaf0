import type { ColumnType } from 'kysely';
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
  capability_key: ColumnType<string | null, string | null | undefined, string | null>;
  candidate_identity_key: ColumnType<string | null, string | null | undefined, string | null>;
  candidate: ColumnType<JsonObject | null, string | null | undefined, string | null>;
  detector_version: ColumnType<string | null, string | null | undefined, string | null>;
  combination_version: ColumnType<string | null, string | null | undefined, string | null>;
  embedder_id: ColumnType<string | null, string | null | undefined, string | null>;
  embedder_version: ColumnType<string | null, string | null | undefined, string | null>;
  /** pgvector literal on write, text on read. */
  embedding: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AiGenerationDuplicateMatchesTable extends SnapshotLinkedColumns {
  duplicate_check_id: string;
  /** The catalog entry matched, or null when the match is another in-flight run (matched_run_id). */
  matched_capability_id: string | null;
  matched_run_id: ColumnType<string | null, string | null | undefined, string | null>;
  matched_external_id: ColumnType<string | null, string | null | undefined, string | null>;
  match_rank: ColumnType<number | null, number | null | undefined, number | null>;
  /** Per-dimension scores 0..1 (identity, contract, semantic, runtime) and the combined score. */
  scores: ColumnType<JsonObject | null, string | null | undefined, string | null>;
  /** What matched, per dimension: words, properties, effects. */
  evidence: ColumnType<JsonObject | null, string | null | undefined, string | null>;
  /** A reviewer's verdict on this match (from the check's adjudication), for calibration. */
  verdict: ColumnType<'DUPLICATE' | 'NOT_DUPLICATE' | null, string | null | undefined, string | null>;
  verdict_by: ColumnType<string | null, string | null | undefined, string | null>;
  verdict_at_utc: NullableTimestamp;
  matched_capability_key: string;
  dimension: string;
  score: number;
  tier: 'NONE' | 'POTENTIAL' | 'BLOCKING';
  rationale: string;
  created_at_utc: CreatedAt;
}
