import type { ColumnType } from 'kysely';
import type { CreatedAt, Json } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';

export interface PromptSectionEvidence {
  name: string;
  role: 'system' | 'user';
  /** Redacted text: what an admin may see. */
  text: string;
  hash: string;
}

export interface AiGenerationPromptRunsTable extends SnapshotLinkedColumns {
  prompt_template_ref: string;
  template_id: string;
  template_version: number;
  prompt_hash: string;
  prompt_sections: Json<PromptSectionEvidence[]>;
  redactions: Json<Array<{ kind: string; count: number }>>;
  token_estimate: number;
  token_budget: number;
  /** The runtime the prompt was assembled (and counted) for: the chain's first. */
  runtime_provider: string;
  model_identity: string;
  /** Which tokenizer produced `token_estimate` (o200k_base, cl100k_base, or estimate:chars/4). */
  token_counter: ColumnType<string | null, string | null | undefined, never>;
  /** The provider and model that actually answered, after any fallback (null until one does). */
  answered_provider: ColumnType<string | null, string | null | undefined, string | null>;
  answered_model: ColumnType<string | null, string | null | undefined, string | null>;
  created_at_utc: CreatedAt;
}
