import type { CreatedAt, Json, JsonObject } from './common';

/** Immutable: the database refuses UPDATE, DELETE and TRUNCATE. */
export interface ExecutionSnapshotsTable {
  id: string;
  tenant_id: string;
  correlation_id: string;
  run_id: string;
  governance_decision_id: string;
  capability_key: string;
  capability_context: Json<JsonObject>;
  runtime_identity: Json<JsonObject>;
  prompt_template_id: string;
  prompt_template_version: number;
  contract_strategy_version: string;
  effective_config: Json<JsonObject>;
  created_at_utc: CreatedAt;
}
