import type { CreatedAt, Json, JsonObject } from './common';

export interface GovernanceDecisionsTable {
  id: string;
  tenant_id: string;
  correlation_id: string;
  run_id: string;
  kind: 'AUTHORITY' | 'ADJUDICATION' | 'PROMOTION';
  decision: 'ADMIT' | 'DENY';
  reason_code: string;
  reason: string;
  subject: string;
  authority: Json<JsonObject>;
  policy_version: string;
  decided_at_utc: CreatedAt;
}
