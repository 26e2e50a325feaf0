import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, JsonObject } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';
import type { ContractGateResult } from '../../domain/contracts/validate';
import type { CompatibilityReport } from '../../domain/contracts/compatibility';

type Nullable<T> = ColumnType<T | null, T | null | undefined, never>;

/** Append-only: a change to a draft is a new revision row (same run, revision + 1). */
export interface AiGenerationContractDraftsTable extends SnapshotLinkedColumns {
  capability_key: string;
  revision: number;
  /** The state the draft was written in; later states are promotions, never edits. */
  lifecycle_state: string;
  manifest: Json<JsonObject>;
  input_schema: Json<JsonObject>;
  output_schema: Json<JsonObject>;
  runtime_constraints: Json<JsonObject>;
  conformance_metadata: Json<JsonObject>;
  scaffold: Json<JsonObject>;
  /** The semver version the server decided for this definition. */
  version: Nullable<string>;
  /** RFC 8785 (JCS) SHA-256 of the definition (manifest, schemas, constraints). */
  definition_hash: Nullable<string>;
  supersedes_draft_id: Nullable<string>;
  revision_reason: Nullable<string>;
  created_at_utc: CreatedAt;
}

export interface AiGenerationContractValidationsTable extends SnapshotLinkedColumns {
  contract_draft_id: string;
  outcome: 'PASSED' | 'FAILED';
  strict_mode: boolean;
  gates: Json<ContractGateResult[]>;
  /** The compatibility report against the previous Active version (null for a first version). */
  compatibility: ColumnType<CompatibilityReport | null, string | null | undefined, never>;
  previous_capability_id: Nullable<string>;
  previous_version: Nullable<string>;
  accepted_break_decision_id: Nullable<string>;
  validated_at_utc: CreatedAt;
}

export interface AiGenerationContractPromotionsTable extends SnapshotLinkedColumns {
  contract_draft_id: string;
  from_state: string;
  to_state: string;
  requested_by: string;
  comment: string | null;
  /** The validation report this promotion relied on. */
  contract_validation_id: Nullable<string>;
  /** The definition hash pinned by this step (Approved) or checked against the pin (Active). */
  definition_hash: Nullable<string>;
  capability_version: Nullable<string>;
  /** On Active: the conformance evidence activation relied on (gates, validation, hash). */
  conformance_evidence: ColumnType<JsonObject | null, string | null | undefined, never>;
  /** On Active: the catalog version this activation created. */
  capability_id: Nullable<string>;
  promoted_at_utc: CreatedAt;
}

export type PromotionEvidenceRole =
  'AUTHORITY' | 'ADJUDICATION' | 'ACCEPTED_BREAK' | 'REVIEW' | 'APPROVAL' | 'ACTIVATION';

/** The governance decisions a promotion relied on, one row each. */
export interface AiGenerationPromotionEvidenceTable {
  promotion_id: string;
  governance_decision_id: string;
  tenant_id: string;
  role: PromotionEvidenceRole;
  created_at_utc: CreatedAt;
}
