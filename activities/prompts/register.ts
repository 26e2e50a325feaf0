import type { Db } from '../../db/database';
import { registerPromptTemplate } from '../../db/repositories/prompts';
import { deterministicUuid } from '../../domain/deterministic-id';
import { PROMPT_TEMPLATES, templateContentHash } from '../../domain/prompts/templates';

/** Makes the code's templates the registry's; refuses a changed template that kept its version. */
export async function registerPromptTemplates(db: Db): Promise<void> {
  for (const t of PROMPT_TEMPLATES) {
    await registerPromptTemplate(db, {
      id: deterministicUuid('prompt-template', t.templateId, t.version),
      template_id: t.templateId,
      version: t.version,
      description: t.description,
      sections: JSON.stringify(t.sections),
      parameter_slots: JSON.stringify(t.parameterSlots),
      content_hash: templateContentHash(t),
    });
  }
}
