import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, JsonObject } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';

export interface AiGenerationPromptArtifactsTable extends SnapshotLinkedColumns {
  prompt_run_id: string;
  kind: 'COMPLETION' | 'FAILED_ATTEMPT';
  runtime_provider: string;
  model_identity: string;
  attempt: number;
  /** Redacted completion (or the failure's evidence). */
  content: Json<JsonObject>;
  content_hash: string;
  error_type: string | null;
  error_message: string | null;
  latency_ms: number;
  /** Token usage of this attempt (null when unknown, e.g. a lost attempt) and who counted it. */
  prompt_tokens: ColumnType<number | null, number | null | undefined, never>;
  completion_tokens: ColumnType<number | null, number | null | undefined, never>;
  usage_source: ColumnType<'provider' | 'tokenizer' | null, 'provider' | 'tokenizer' | null | undefined, never>;
  created_at_utc: CreatedAt;
}
