import type { ColumnType } from 'kysely';
import type { CreatedAt } from './common';

export interface ConfigurationAuditTable {
  id: string;
  environment: string;
  config_key: string;
  old_value: ColumnType<unknown, string | null, never>;
  new_value: ColumnType<unknown, string, never>;
  changed_by: string;
  changed_at_utc: CreatedAt;
  /** Why an admin changed it (required for admin changes); null for deployment changes. */
  reason: ColumnType<string | null, string | null | undefined, never>;
  /** `deployment` (file/environment, seen at worker start) or `admin` (PUT …/config/{key}). */
  source: ColumnType<'deployment' | 'admin', 'deployment' | 'admin' | undefined, never>;
}

/** The runtime value of a tunable key per environment; its history is in `configuration_audit`. */
export interface ConfigurationValuesTable {
  environment: string;
  config_key: string;
  value: ColumnType<unknown, string, string>;
  changed_by: string;
  changed_at_utc: ColumnType<Date, Date | string | undefined, Date | string>;
}
