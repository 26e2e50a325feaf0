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
  runtime_provider: string;
  model_identity: string;
  created_at_utc: CreatedAt;
}
