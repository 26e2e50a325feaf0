import type { Kysely } from 'kysely';

/**
 * Frozen. Honest model evidence: token usage per attempt (and whether the provider reported it or
 * our tokenizer counted it), the tokenizer behind a prompt's token count, and the provider and
 * model that actually answered a prompt run (after any fallback), next to the one it was
 * assembled for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('ai_generation_prompt_artifacts')
    .addColumn('prompt_tokens', 'integer')
    .addColumn('completion_tokens', 'integer')
    .addColumn('usage_source', 'text')
    .execute();
  await db.schema
    .alterTable('ai_generation_prompt_runs')
    .addColumn('token_counter', 'text')
    .addColumn('answered_provider', 'text')
    .addColumn('answered_model', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('ai_generation_prompt_runs')
    .dropColumn('answered_model')
    .dropColumn('answered_provider')
    .dropColumn('token_counter')
    .execute();
  await db.schema
    .alterTable('ai_generation_prompt_artifacts')
    .dropColumn('usage_source')
    .dropColumn('completion_tokens')
    .dropColumn('prompt_tokens')
    .execute();
}
