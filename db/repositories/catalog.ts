import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database';
import type { CapabilitiesTable } from '../tables/capabilities';

export type CapabilityRow = Selectable<CapabilitiesTable>;

/** Catalog entries a new capability could collide with by identity: same key or same normalized name. */
export async function findIdentityCandidates(
  db: Db,
  tenantId: string,
  capabilityKey: string,
  normalizedName: string,
): Promise<CapabilityRow[]> {
  return db
    .selectFrom('capabilities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('capability_key', '=', capabilityKey), eb('normalized_name', '=', normalizedName)]))
    .execute();
}

/** Names only, for token-overlap comparison; the catalog of one tenant is small enough to scan names. */
export async function listCatalogNames(
  db: Db,
  tenantId: string,
): Promise<Array<Pick<CapabilityRow, 'id' | 'capability_key' | 'name' | 'normalized_name'>>> {
  return db
    .selectFrom('capabilities')
    .select(['id', 'capability_key', 'name', 'normalized_name'])
    .where('tenant_id', '=', tenantId)
    .execute();
}

export async function getCapabilityByKey(
  db: Db,
  tenantId: string,
  capabilityKey: string,
): Promise<CapabilityRow | undefined> {
  return db
    .selectFrom('capabilities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('capability_key', '=', capabilityKey)
    .executeTakeFirst();
}

/** Adds or replaces a catalog entry (tenant + key is the identity). */
export async function upsertCapability(db: Db, row: Insertable<CapabilitiesTable>): Promise<void> {
  await db
    .insertInto('capabilities')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'capability_key']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        normalized_name: eb.ref('excluded.normalized_name'),
        description: eb.ref('excluded.description'),
        runtime: eb.ref('excluded.runtime'),
        input_schema: eb.ref('excluded.input_schema'),
        output_schema: eb.ref('excluded.output_schema'),
        manifest: eb.ref('excluded.manifest'),
        lifecycle_state: eb.ref('excluded.lifecycle_state'),
        source: eb.ref('excluded.source'),
        source_run_id: eb.ref('excluded.source_run_id'),
        embedding: eb.ref('excluded.embedding'),
        embedding_model: eb.ref('excluded.embedding_model'),
        updated_at_utc: new Date(),
      })),
    )
    .execute();
}
