import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, JsonObject } from './common';

export interface CapabilitiesTable {
  id: string;
  tenant_id: string;
  capability_key: string;
  name: string;
  normalized_name: string;
  description: string;
  runtime: string | null;
  input_schema: Json<JsonObject>;
  output_schema: ColumnType<JsonObject | null, string | null, string | null>;
  manifest: Json<JsonObject>;
  lifecycle_state: string;
  source: 'IMPORTED' | 'GENERATED';
  source_run_id: string | null;
  /** pgvector literal on write ("[0.1,0.2,…]"), text on read; use pgvector's toSql/fromSql. */
  embedding: string | null;
  embedding_model: string | null;
  created_at_utc: CreatedAt;
  updated_at_utc: ColumnType<Date, Date | string | undefined, Date | string>;
}
