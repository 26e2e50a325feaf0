import type { Db } from '../../db/database';
import { deterministicUuid } from '../../domain/deterministic-id';

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
