import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, JsonObject } from './common';
import type { SnapshotLinkedColumns } from './snapshot-linked';

export type GovernanceDecisionKind = 'AUTHORITY' | 'ADJUDICATION' | 'PROMOTION' | 'ACCEPTED_BREAK';

/** Append-only (the database refuses UPDATE/DELETE). */
export interface GovernanceDecisionsTable {
  id: string;
  tenant_id: string;
  correlation_id: string;
  run_id: string;
  kind: GovernanceDecisionKind;
  decision: 'ADMIT' | 'DENY';
  reason_code: string;
  reason: string;
  subject: string;
  authority: Json<JsonObject>;
  policy_version: string;
  /** Kind-specific details, e.g. an accepted break's rule ids, owner and expiry. */
  details: ColumnType<JsonObject, string | undefined, never>;
  decided_at_utc: CreatedAt;
}

/**
 * A reviewer's adjudication of a duplicate check, as new rows: one for the check as a whole
 * (`duplicate_match_id` null) and one verdict per match. Append-only.
 */
export interface AiGenerationDuplicateAdjudicationsTable extends SnapshotLinkedColumns {
  duplicate_check_id: string;
  duplicate_match_id: string | null;
  decision: 'ACCEPTED' | 'REJECTED';
  verdict: 'DUPLICATE' | 'NOT_DUPLICATE' | null;
  adjudicated_by: string;
  comment: string;
  adjudicated_at_utc: ColumnType<Date, Date | string | undefined, never>;
}
