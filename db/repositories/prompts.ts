import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database';
import type { AiGenerationPromptArtifactsTable } from '../tables/ai-generation-prompt-artifacts';
import type { AiGenerationPromptRunsTable } from '../tables/ai-generation-prompt-runs';
import type { PromptTemplatesTable } from '../tables/prompt-templates';

export type PromptTemplateRow = Selectable<PromptTemplatesTable>;
export type PromptRunRow = Selectable<AiGenerationPromptRunsTable>;
export type PromptArtifactRow = Selectable<AiGenerationPromptArtifactsTable>;

export class TemplateDriftError extends Error {
  override name = 'TemplateDriftError';
}

/**
 * Registers a template version. Versions are immutable: registering different content under an
 * existing version is refused, so a changed template must get a new version number.
 */
export async function registerPromptTemplate(db: Db, row: Insertable<PromptTemplatesTable>): Promise<void> {
  await db
    .insertInto('prompt_templates')
    .values(row)
    .onConflict((oc) => oc.columns(['template_id', 'version']).doNothing())
    .execute();
  const stored = await getPromptTemplate(db, row.template_id, row.version);
  if (!stored || stored.content_hash !== row.content_hash) {
    throw new TemplateDriftError(
      `prompt template ${row.template_id}@${row.version} is already registered with different content; give the change a new version`,
    );
  }
}

/** Templates are platform-wide (server-controlled), not tenant data. */
export async function getPromptTemplate(
  db: Db,
  templateId: string,
  version: number,
): Promise<PromptTemplateRow | undefined> {
  return db
    .selectFrom('prompt_templates')
    .selectAll()
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function insertPromptRun(db: Db, row: Insertable<AiGenerationPromptRunsTable>): Promise<void> {
  await db
    .insertInto('ai_generation_prompt_runs')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function insertPromptArtifact(db: Db, row: Insertable<AiGenerationPromptArtifactsTable>): Promise<void> {
  await db
    .insertInto('ai_generation_prompt_artifacts')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function listPromptRunsForRun(db: Db, tenantId: string, runId: string): Promise<PromptRunRow[]> {
  return db
    .selectFrom('ai_generation_prompt_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('created_at_utc')
    .execute();
}

export async function listPromptArtifactsForRun(db: Db, tenantId: string, runId: string): Promise<PromptArtifactRow[]> {
  return db
    .selectFrom('ai_generation_prompt_artifacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('created_at_utc')
    .orderBy('attempt')
    .execute();
}

/** Records which provider and model actually answered a prompt run (after any fallback). */
export async function recordPromptRunAnswer(
  db: Db,
  tenantId: string,
  promptRunId: string,
  answered: { provider: string; model: string },
): Promise<void> {
  await db
    .updateTable('ai_generation_prompt_runs')
    .set({ answered_provider: answered.provider, answered_model: answered.model })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', promptRunId)
    .execute();
}
