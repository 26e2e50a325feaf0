import type { CreatedAt, Json } from './common';

export interface PromptTemplateSectionRow {
  name: string;
  role: 'system' | 'user';
  text: string;
}

/** Immutable versions; a changed template is a new version. */
export interface PromptTemplatesTable {
  id: string;
  template_id: string;
  version: number;
  description: string;
  sections: Json<PromptTemplateSectionRow[]>;
  parameter_slots: Json<string[]>;
  content_hash: string;
  created_at_utc: CreatedAt;
}
