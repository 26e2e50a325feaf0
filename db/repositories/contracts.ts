import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../database';
import type {
  AiGenerationContractDraftsTable,
  AiGenerationContractPromotionsTable,
  AiGenerationContractValidationsTable,
  AiGenerationPromotionEvidenceTable,
} from '../tables/ai-generation-contracts';
import type { CapabilitiesTable } from '../tables/capabilities';

export type ContractDraftRow = Selectable<AiGenerationContractDraftsTable>;
export type ContractValidationRow = Selectable<AiGenerationContractValidationsTable>;
export type ContractPromotionRow = Selectable<AiGenerationContractPromotionsTable>;
export type PromotionEvidenceRow = Selectable<AiGenerationPromotionEvidenceTable>;
export type CapabilityVersionRow = Selectable<CapabilitiesTable>;

/**
 * Contract evidence is append-only (the database refuses UPDATE and DELETE): a changed draft is a
 * new revision row, a lifecycle step is a promotion row with the evidence it relied on.
 */

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
  evidence: Array<Omit<Insertable<AiGenerationPromotionEvidenceTable>, 'promotion_id' | 'tenant_id'>> = [],
): Promise<void> {
  await db
    .insertInto('ai_generation_contract_promotions')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const distinct = [...new Map(evidence.map((e) => [e.governance_decision_id, e])).values()];
  if (distinct.length > 0) {
    await db
      .insertInto('ai_generation_promotion_evidence')
      .values(distinct.map((e) => ({ ...e, promotion_id: row.id, tenant_id: row.tenant_id })))
      .onConflict((oc) => oc.columns(['promotion_id', 'governance_decision_id']).doNothing())
      .execute();
  }
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

export async function getContractValidation(
  db: Db,
  tenantId: string,
  validationId: string,
): Promise<ContractValidationRow | undefined> {
  return db
    .selectFrom('ai_generation_contract_validations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', validationId)
    .executeTakeFirst();
}

/** The promotion of a run into `toState` (each state is entered at most once per run). */
export async function getPromotionInto(
  db: Db,
  tenantId: string,
  runId: string,
  toState: string,
): Promise<ContractPromotionRow | undefined> {
  return db
    .selectFrom('ai_generation_contract_promotions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .where('to_state', '=', toState)
    .orderBy('promoted_at_utc', 'desc')
    .executeTakeFirst();
}

export interface RunContracts {
  drafts: ContractDraftRow[];
  validations: ContractValidationRow[];
  promotions: ContractPromotionRow[];
  evidence: PromotionEvidenceRow[];
}

export async function listContractsForRun(db: Db, tenantId: string, runId: string): Promise<RunContracts> {
  const [drafts, validations, promotions, evidence] = await Promise.all([
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
    db
      .selectFrom('ai_generation_promotion_evidence as e')
      .innerJoin('ai_generation_contract_promotions as p', 'p.id', 'e.promotion_id')
      .selectAll('e')
      .where('e.tenant_id', '=', tenantId)
      .where('p.tenant_id', '=', tenantId)
      .where('p.run_id', '=', runId)
      .orderBy('e.created_at_utc')
      .execute(),
  ]);
  return { drafts, validations, promotions, evidence };
}

// -- the versioned catalog: one Active version per tenant + key

/** The Active version of a key in a tenant's catalog, if any. */
export async function getActiveCapability(
  db: Db,
  tenantId: string,
  capabilityKey: string,
): Promise<CapabilityVersionRow | undefined> {
  return db
    .selectFrom('capabilities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('capability_key', '=', capabilityKey)
    .where('lifecycle_state', '=', 'Active')
    .executeTakeFirst();
}

export class ActivationConflictError extends Error {
  override name = 'ActivationConflictError';
}

/**
 * Activates a new catalog version and supersedes the previous Active one, in the caller's
 * transaction. The previous Active row is locked and must be the one the run was checked
 * against (`expectedPreviousId`): a racing activation of the same key changes it, and then this
 * one is refused instead of overwriting. The partial unique index
 * `capabilities_one_active_per_key` is the last word: two Active rows can never coexist.
 */
export async function activateCapabilityVersion(
  db: Db,
  row: Insertable<CapabilitiesTable>,
  expectedPreviousId: string | null,
): Promise<{ supersededId: string | null }> {
  const current = await db
    .selectFrom('capabilities')
    .select(['id', 'version'])
    .where('tenant_id', '=', row.tenant_id)
    .where('capability_key', '=', row.capability_key)
    .where('lifecycle_state', '=', 'Active')
    .forUpdate()
    .executeTakeFirst();
  if ((current?.id ?? null) !== expectedPreviousId) {
    throw new ActivationConflictError(
      current
        ? `capability "${row.capability_key}" is already Active at version ${current.version} (activated by another run); this run was checked against ${expectedPreviousId ? 'an older version' : 'no Active version'}`
        : `the Active version this run was checked against is no longer Active`,
    );
  }
  if (current) {
    await db
      .updateTable('capabilities')
      .set({ lifecycle_state: 'Superseded', superseded_at_utc: sql<Date>`now()`, updated_at_utc: sql<Date>`now()` })
      .where('tenant_id', '=', row.tenant_id)
      .where('id', '=', current.id)
      .execute();
  }
  try {
    await db
      .insertInto('capabilities')
      .values({ ...row, supersedes_id: current?.id ?? null })
      .execute();
  } catch (err) {
    const constraint = (err as { constraint?: string }).constraint;
    if (constraint === 'capabilities_one_active_per_key' || constraint === 'capabilities_tenant_key_version_key') {
      throw new ActivationConflictError(
        constraint === 'capabilities_one_active_per_key'
          ? `capability "${row.capability_key}" was activated by another run at the same moment`
          : `capability "${row.capability_key}" already has a version ${String(row.version)}`,
      );
    }
    throw err;
  }
  return { supersededId: current?.id ?? null };
}
