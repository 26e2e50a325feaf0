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
  /** Semver of this catalog version; tenant + key + version is unique. */
  version: ColumnType<string, string | undefined, string>;
  /** MCP annotations where published (readOnlyHint, destructiveHint, idempotentHint, openWorldHint). */
  annotations: ColumnType<JsonObject, string | undefined, string>;
  /** Where the entry came from: import file/record or generation run. */
  provenance: ColumnType<JsonObject, string | undefined, string>;
  /** The source record's own id (e.g. an imported tool's `id`), for idempotent import and screening. */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Vendor-stripped, stemmed identity key for identity lookups by index. */
  identity_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** RFC 8785 SHA-256 of the activated definition, pinned at approval (issue 6). */
  definition_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The promotion that activated this version. */
  promotion_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The accepted break this (major) version relied on, if any. */
  accepted_break_decision_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Active version this one superseded on activation. */
  supersedes_id: ColumnType<string | null, string | null | undefined, string | null>;
  superseded_at_utc: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at_utc: CreatedAt;
  updated_at_utc: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A catalog entry's stored duplicate features, per detector version (migration 2026-11-24T0601). */
export interface CapabilityDuplicateFeaturesTable {
  capability_id: string;
  features_version: string;
  tenant_id: string;
  features: Json<JsonObject>;
  created_at_utc: CreatedAt;
}
