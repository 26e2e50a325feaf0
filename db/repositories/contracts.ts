import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database';
import type {
  AiGenerationContractDraftsTable,
  AiGenerationContractPromotionsTable,
  AiGenerationContractValidationsTable,
} from '../tables/ai-generation-contracts';

export type ContractDraftRow = Selectable<AiGenerationContractDraftsTable>;
export type ContractValidationRow = Selectable<AiGenerationContractValidationsTable>;
export type ContractPromotionRow = Selectable<AiGenerationContractPromotionsTable>;

export async function insertContractDraft(db: Db, row: Insertable<AiGenerationContractDraftsTable>): Promise<void> {
  await db
    .insertInto('ai_generation_contract_drafts')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function insertContractValidation(
  db: Db,
  row: Insertable<AiGenerationContractValidationsTable>,
): Promise<void> {
  await db
    .insertInto('ai_generation_contract_validations')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function insertContractPromotion(
  db: Db,
  row: Insertable<AiGenerationContractPromotionsTable>,
): Promise<void> {
  await db
    .insertInto('ai_generation_contract_promotions')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function setDraftLifecycleState(db: Db, tenantId: string, draftId: string, state: string): Promise<void> {
  await db
    .updateTable('ai_generation_contract_drafts')
    .set({ lifecycle_state: state })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', draftId)
    .execute();
}

export async function getContractDraft(
  db: Db,
  tenantId: string,
  draftId: string,
): Promise<ContractDraftRow | undefined> {
  return db
    .selectFrom('ai_generation_contract_drafts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', draftId)
    .executeTakeFirst();
}

export interface RunContracts {
  drafts: ContractDraftRow[];
  validations: ContractValidationRow[];
  promotions: ContractPromotionRow[];
}

export async function listContractsForRun(db: Db, tenantId: string, runId: string): Promise<RunContracts> {
  const [drafts, validations, promotions] = await Promise.all([
    db
      .selectFrom('ai_generation_contract_drafts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', runId)
      .orderBy('revision')
      .execute(),
    db
      .selectFrom('ai_generation_contract_validations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', runId)
      .orderBy('validated_at_utc')
      .execute(),
    db
      .selectFrom('ai_generation_contract_promotions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', runId)
      .orderBy('promoted_at_utc')
      .execute(),
  ]);
  return { drafts, validations, promotions };
}
