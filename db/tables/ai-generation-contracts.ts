import type { CreatedAt, Json, JsonObject } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';

export interface AiGenerationContractDraftsTable extends SnapshotLinkedColumns {
  capability_key: string;
  revision: number;
  lifecycle_state: string;
  manifest: Json<JsonObject>;
  input_schema: Json<JsonObject>;
  output_schema: Json<JsonObject>;
  runtime_constraints: Json<JsonObject>;
  conformance_metadata: Json<JsonObject>;
  scaffold: Json<JsonObject>;
  created_at_utc: CreatedAt;
}

export interface ContractGateResult {
  gate: string;
  passed: boolean;
  /** A warning fails the gate only in strict mode. */
  severity: 'error' | 'warning';
  messages: string[];
}

export interface AiGenerationContractValidationsTable extends SnapshotLinkedColumns {
  contract_draft_id: string;
  outcome: 'PASSED' | 'FAILED';
  strict_mode: boolean;
  gates: Json<ContractGateResult[]>;
  validated_at_utc: CreatedAt;
}

export interface AiGenerationContractPromotionsTable extends SnapshotLinkedColumns {
  contract_draft_id: string;
  from_state: string;
  to_state: string;
  requested_by: string;
  comment: string | null;
  promoted_at_utc: CreatedAt;
}
