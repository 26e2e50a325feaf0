import type { ColumnType } from 'kysely';
import type { GenerationIntent } from '../../domain/types';
import type { CreatedAt, Json, NullableTimestamp } from './common';

export interface AiGenerationRunsTable {
  id: string;
  tenant_id: string;
  correlation_id: string;
  workflow_id: string;
  requested_by: string;
  capability_key: string;
  capability_name: string;
  language: string;
  target_runtime: string;
  intent: Json<GenerationIntent>;
  status: string;
  lifecycle_state: string | null;
  governance_decision_id: string | null;
  execution_snapshot_id: string | null;
  runtime_provider: string | null;
  model_identity: string | null;
  fallback_used: ColumnType<boolean, boolean | undefined, boolean>;
  duplicate_outcome: string | null;
  contract_validation_outcome: string | null;
  failure_reason: string | null;
  /** The capability key this run proposes the next version of (issue 6), or null for a new key. */
  revision_of: ColumnType<string | null, string | null | undefined, string | null>;
  /** The semver version the server decided for this run's definition. */
  capability_version: ColumnType<string | null, string | null | undefined, string | null>;
  created_at_utc: CreatedAt;
  updated_at_utc: ColumnType<Date, Date | string | undefined, Date | string>;
  completed_at_utc: NullableTimestamp;
}
