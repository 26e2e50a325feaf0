import type { Db } from '../../db/database';
import { upsertCapability } from '../../db/repositories/catalog';
import { deterministicUuid } from '../../domain/deterministic-id';
import { normalizeName } from '../../domain/duplicates/normalize';

/**
 * An Active, imported catalog entry named `name`, under the key its name normalizes to, with an
 * empty input schema and no vector (the duplicate check embeds it itself). Written again, it is
 * the same entry.
 */
export async function upsertActiveEntry(db: Db, tenant: string, name: string, description = name): Promise<void> {
  await upsertCapability(db, {
    id: deterministicUuid('cap', tenant, name),
    tenant_id: tenant,
    capability_key: normalizeName(name),
    name,
    normalized_name: normalizeName(name),
    description,
    runtime: 'node20',
    input_schema: JSON.stringify({ type: 'object', properties: {} }),
    output_schema: null,
    manifest: JSON.stringify({ name }),
    lifecycle_state: 'Active',
    source: 'IMPORTED',
    source_run_id: null,
    embedding: null,
    embedding_model: null,
  });
}

/**
 * An Active catalog entry written straight to the table, as a row from before identity keys and
 * embeddings: the duplicate check must embed it itself, and only the dimensions (no identity
 * look-up) find "Lookup City Weather" near it, so such a run waits for adjudication.
 */
export async function insertCityWeatherLookup(db: Db, tenant: string): Promise<void> {
  await db
    .insertInto('capabilities')
    .values({
      id: deterministicUuid('cap', tenant, 'city-weather-lookup-tool'),
      tenant_id: tenant,
      capability_key: 'city-weather-lookup-tool',
      name: 'City Weather Lookup Tool',
      normalized_name: 'city-weather-lookup-tool',
      description: 'Look up the current weather for a city by name.',
      runtime: 'node20',
      input_schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      output_schema: null,
      manifest: JSON.stringify({ name: 'City Weather Lookup Tool' }),
      lifecycle_state: 'Active',
      source: 'IMPORTED',
      source_run_id: null,
      embedding: null,
      embedding_model: null,
    })
    .execute();
}
