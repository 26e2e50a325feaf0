import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../database';
import type { CapabilitiesTable } from '../tables/capabilities';
import { identityKey } from '../../domain/duplicates/features';

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

/** Adds or replaces a catalog version (tenant + key + version is the identity; version defaults to 1.0.0). */
export async function upsertCapability(db: Db, row: Insertable<CapabilitiesTable>): Promise<void> {
  // The identity key makes a generated entry findable by identity; its vector is filled lazily
  // by the next duplicate check (missingEmbeddings).
  const values = { ...row, identity_key: row.identity_key ?? identityKey(row.name) };
  await db
    .insertInto('capabilities')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'capability_key', 'version']).doUpdateSet((eb) => ({
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
        annotations: eb.ref('excluded.annotations'),
        provenance: eb.ref('excluded.provenance'),
        external_id: eb.ref('excluded.external_id'),
        identity_key: eb.ref('excluded.identity_key'),
        updated_at_utc: new Date(),
      })),
    )
    .execute();
}

// ---- catalog as a first-class thing (issue 5) ----

export const ACTIVE = 'Active';

/** hnsw.ef_search for catalog look-ups: recall@10 0.99 at 100k entries (ef 100: 0.9675-0.9875), bench:duplicates. */
export const DEFAULT_EF_SEARCH = 200;

/** pgvector literal for a number array. */
export function vectorLiteral(v: number[]): string {
  return `[${v.map((x) => (Number.isFinite(x) ? Number(x.toFixed(7)) : 0)).join(',')}]`;
}

export function parseVector(text: string): number[] {
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map(Number);
}

/** Stores (or replaces) the vector one embedder made for one catalog version. */
export async function upsertEmbedding(
  db: Db,
  row: { capabilityId: string; tenantId: string; embedderId: string; embedderVersion: string; vector: number[] },
): Promise<void> {
  await sql`
    insert into capability_embeddings (capability_id, tenant_id, embedder_id, embedder_version, embedding)
    values (${row.capabilityId}, ${row.tenantId}, ${row.embedderId}, ${row.embedderVersion}, ${vectorLiteral(row.vector)}::vector)
    on conflict (capability_id, embedder_id, embedder_version)
    do update set embedding = excluded.embedding, tenant_id = excluded.tenant_id`.execute(db);
  await sql`update capabilities set embedding_model = ${`${row.embedderId}@${row.embedderVersion}`}
    where id = ${row.capabilityId} and embedding_model is distinct from ${`${row.embedderId}@${row.embedderVersion}`}`.execute(
    db,
  );
}

/** An entry's duplicate features as the detector version `version` derived them (see stored-features.ts). */
export async function upsertDuplicateFeatures(
  db: Db,
  row: { capabilityId: string; tenantId: string; version: string; features: Record<string, unknown> },
): Promise<void> {
  await sql`
    insert into capability_duplicate_features (capability_id, features_version, tenant_id, features)
    values (${row.capabilityId}, ${row.version}, ${row.tenantId}, ${JSON.stringify(row.features)}::jsonb)
    on conflict (capability_id, features_version) do update set features = excluded.features`.execute(db);
}

/** Tenants with Active catalog entries (for maintenance that then works tenant by tenant). */
export async function tenantsWithActiveCatalog(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('capabilities')
    .select('tenant_id')
    .distinct()
    .where('lifecycle_state', '=', ACTIVE)
    .orderBy('tenant_id')
    .execute();
  return rows.map((r) => r.tenant_id);
}

/**
 * The tenant's Active entries that have no stored duplicate features of `version` (a detector
 * version bump leaves every entry so), after `afterId` in id order: a keyset page.
 */
export async function activeWithoutFeatures(
  db: Db,
  tenantId: string,
  version: string,
  afterId: string | null,
  limit: number,
): Promise<CapabilityRow[]> {
  let q = db
    .selectFrom('capabilities as c')
    .selectAll('c')
    .where('c.tenant_id', '=', tenantId)
    .where('c.lifecycle_state', '=', ACTIVE)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('capability_duplicate_features as f')
            .select('f.capability_id')
            .whereRef('f.capability_id', '=', 'c.id')
            .where('f.tenant_id', '=', tenantId)
            .where('f.features_version', '=', version),
        ),
      ),
    );
  if (afterId !== null) q = q.where('c.id', '>', afterId);
  return q.orderBy('c.id').limit(limit).execute();
}

/** Drops the entries' stored features of every version but `keep` (superseded by a refresh). */
export async function deleteOtherFeatureVersions(
  db: Db,
  tenantId: string,
  capabilityIds: string[],
  keep: string,
): Promise<void> {
  if (capabilityIds.length === 0) return;
  await db
    .deleteFrom('capability_duplicate_features')
    .where('tenant_id', '=', tenantId)
    .where('capability_id', 'in', capabilityIds)
    .where('features_version', '<>', keep)
    .execute();
}

export interface CatalogNeighbourRow {
  id: string;
  tenant_id: string;
  capability_key: string;
  version: string;
  name: string;
  /** The entry's body: null when its stored features are returned instead. */
  description: string | null;
  runtime: string | null;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  annotations: Record<string, unknown> | null;
  provenance: Record<string, unknown>;
  external_id: string | null;
  cosine: number;
  /** Features stored by the requested features version, when there are any. */
  stored_features?: Record<string, unknown> | null;
}

/**
 * The tenant's Active catalog versions nearest to `vector`, by pgvector HNSW cosine search over the
 * vectors of ONE embedder (id + version): other embedders' vectors are never compared. Runs inside
 * the caller's transaction so `SET LOCAL` tunes the index scan; iterative scanning keeps recall
 * when the tenant/embedder filter discards many index hits.
 */
export async function nearestActiveCatalog(
  db: Db,
  tenantId: string,
  embedder: { id: string; version: string },
  vector: number[],
  k: number,
  opts: {
    efSearch?: number;
    excludeCapabilityKey?: string | null;
    identityKey?: string | null;
    /** Return the entries' stored duplicate features of this version (null where there are none). */
    featuresVersion?: string;
    /**
     * A transaction-level advisory lock to take in the same round trip as the search settings
     * (a check holds its tenant's lock anyway; one round trip fewer on every check).
     */
    advisoryLock?: string;
  } = {},
): Promise<CatalogNeighbourRow[]> {
  const ef = String(opts.efSearch ?? Math.max(DEFAULT_EF_SEARCH, k * 2));
  const lock =
    opts.advisoryLock !== undefined ? sql`pg_advisory_xact_lock(hashtextextended(${opts.advisoryLock}, 0)), ` : sql``;
  await sql`select ${lock}set_config('hnsw.ef_search', ${ef}, true),
    set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(db);
  const lit = vectorLiteral(vector);
  // One statement, with fixed plans: the HNSW scan of this embedder's vectors (2k, since some may
  // belong to entries no longer Active), then primary-key look-ups of those entries, nearest first
  // and on narrow rows, so only the k nearest Active ones are read in full and travel, plus up to 20
  // entries with the same identity key; never a scan of the tenant's catalog. An entry's body
  // (schemas, description) is read only where it has no stored features of the requested version:
  // the check needs nothing else.
  const identityKey = opts.identityKey ?? null;
  const exclude = opts.excludeCapabilityKey ?? null;
  const res = await sql<CatalogNeighbourRow & { distance: number | null; identity_cosine: number | null }>`
    with nn as materialized (
      select e.capability_id as id, e.embedding <=> ${lit}::vector as distance
      from capability_embeddings e
      where e.tenant_id = ${tenantId} and e.embedder_id = ${embedder.id} and e.embedder_version = ${embedder.version}
      order by e.embedding <=> ${lit}::vector
      limit ${k * 2}
    ), nearest as (
      -- Sorted first (offset 0 keeps the sort below the look-ups), so the look-ups stop at the
      -- k-th Active entry instead of reading all 2k.
      select n.id, n.distance, null::float8 as identity_cosine
      from (select id, distance from nn order by distance, id offset 0) n
      where exists (
        select from capabilities a
        where a.id = n.id and a.tenant_id = ${tenantId} and a.lifecycle_state = ${ACTIVE}
          and (${exclude}::text is null or a.capability_key <> ${exclude})
      )
      order by n.distance, n.id
      limit ${k}
    ), same_identity as (
      select i.id, null::float8 as distance, (
               select 1 - (e.embedding <=> ${lit}::vector) from capability_embeddings e
               where e.capability_id = i.id and e.embedder_id = ${embedder.id} and e.embedder_version = ${embedder.version}
             ) as identity_cosine
      from capabilities i
      where ${identityKey}::text is not null and i.tenant_id = ${tenantId} and i.identity_key = ${identityKey}
        and i.lifecycle_state = ${ACTIVE} and (${exclude}::text is null or i.capability_key <> ${exclude})
        -- Not among the k nearest (those are read above); one ranked k+1..2k by its vector is kept here.
        and i.id not in (select id from nearest)
      order by i.id
      limit 20
    )
    select c.id, c.tenant_id, c.capability_key, c.version, c.name, c.external_id, c.runtime, c.provenance,
           case when f.features is null then c.description end as description,
           case when f.features is null then c.input_schema end as input_schema,
           case when f.features is null then c.output_schema end as output_schema,
           case when f.features is null then c.annotations end as annotations,
           f.features as stored_features, n.distance, n.identity_cosine
    -- The ids are the tenant's own (both sets above filter on it): a primary-key look-up each.
    from (select * from nearest union all select * from same_identity) n
    join capabilities c on c.id = n.id
    left join capability_duplicate_features f
      on f.capability_id = c.id and f.features_version = ${opts.featuresVersion ?? null}::text
    order by n.distance is null, n.distance, c.id`.execute(db);
  return res.rows.map(({ distance, identity_cosine, ...r }) => ({
    ...r,
    cosine: distance !== null ? 1 - Number(distance) : Number(identity_cosine ?? 0),
  }));
}

/** Active versions with the same identity key (index lookup), with their cosine to `vector` when embedded. */
export async function activeCatalogByIdentity(
  db: Db,
  tenantId: string,
  identityKey: string,
  embedder: { id: string; version: string },
  vector: number[],
  opts: { excludeCapabilityKey?: string | null; limit?: number } = {},
): Promise<CatalogNeighbourRow[]> {
  const lit = vectorLiteral(vector);
  const res = await sql<CatalogNeighbourRow>`
    select c.id, c.tenant_id, c.capability_key, c.version, c.name, c.description, c.runtime, c.input_schema,
           c.output_schema, c.annotations, c.provenance, c.external_id,
           coalesce(1 - (e.embedding <=> ${lit}::vector), 0) as cosine
    from capabilities c
    left join capability_embeddings e on e.capability_id = c.id and e.embedder_id = ${embedder.id}
      and e.embedder_version = ${embedder.version}
    where c.tenant_id = ${tenantId} and c.identity_key = ${identityKey} and c.lifecycle_state = ${ACTIVE}
      and (${opts.excludeCapabilityKey ?? null}::text is null or c.capability_key <> ${opts.excludeCapabilityKey ?? null})
    order by c.capability_key, c.id
    limit ${opts.limit ?? 20}`.execute(db);
  return res.rows.map((r) => ({ ...r, cosine: Number(r.cosine) }));
}

export interface CatalogPageQuery {
  tenantId: string;
  q?: string;
  state?: string;
  limit: number;
  /** Keyset cursor: the last capability key of the previous page. */
  after?: string;
}

/** One page of catalog entries (latest version per key), keyset-paged by capability key. */
export async function listCatalogPage(db: Db, query: CatalogPageQuery): Promise<CapabilityRow[]> {
  let q = db
    .selectFrom('capabilities')
    .selectAll()
    .distinctOn('capability_key')
    .where('tenant_id', '=', query.tenantId)
    .orderBy('capability_key')
    .orderBy('created_at_utc', 'desc')
    .orderBy('id', 'desc');
  if (query.after) q = q.where('capability_key', '>', query.after);
  if (query.state) q = q.where('lifecycle_state', '=', query.state);
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        eb('capability_key', 'ilike', pattern),
        eb('description', 'ilike', pattern),
      ]),
    );
  }
  return q.limit(query.limit).execute();
}

/** Every version of one capability key in the tenant, newest first. */
export async function listCapabilityVersions(
  db: Db,
  tenantId: string,
  capabilityKey: string,
): Promise<CapabilityRow[]> {
  return db
    .selectFrom('capabilities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('capability_key', '=', capabilityKey)
    .orderBy('created_at_utc', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function countCatalog(db: Db, tenantId: string): Promise<number> {
  const r = await db
    .selectFrom('capabilities')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Removes a tenant's whole catalog (throwaway screening tenants only). */
export async function deleteTenantCatalog(db: Db, tenantId: string): Promise<void> {
  await db.deleteFrom('capabilities').where('tenant_id', '=', tenantId).execute();
}

/**
 * Active versions of the tenant that have no vector yet (`embedding_model` null: activated by a
 * run, or written directly), found through a partial index, never by scanning the catalog.
 * Imported entries are embedded at import; after switching embedders, re-run catalog:import.
 */
export async function missingEmbeddings(
  db: Db,
  tenantId: string,
  embedder: { id: string; version: string },
  limit: number,
): Promise<CapabilityRow[]> {
  return db
    .selectFrom('capabilities as c')
    .selectAll('c')
    .where('c.tenant_id', '=', tenantId)
    .where('c.embedding_model', 'is', null)
    .where('c.lifecycle_state', '=', ACTIVE)
    .orderBy('c.updated_at_utc', 'desc')
    .limit(limit)
    .execute();
}
