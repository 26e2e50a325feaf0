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
}
