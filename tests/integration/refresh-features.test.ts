import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { importedFeatures, refreshStoredFeatures } from '../../activities/duplicates';
import { nearestActiveCatalog } from '../../db/repositories/catalog';
import { FEATURES_VERSION } from '../../domain/duplicates/stored-features';
import { LocalLexicalEmbedder } from '../../providers/embedders/local';
import { importCatalog, readToolFile, SAMPLE_CATALOG } from '../../scripts/catalog-import';
import { TEST_DATABASE_URL, testDb } from '../helpers/db';
import { uniqueTenant } from '../helpers/stack';

/**
 * After a detector version bump, `catalog:refresh-features` stores the new version's features for
 * every Active entry (derived from the stored row, as the check would) and drops the old ones, one
 * tenant at a time. Against real PostgreSQL.
 */

const db = testDb();
afterAll(async () => db.destroy());
const sample = readToolFile(SAMPLE_CATALOG).slice(0, 6);
const embedder = new LocalLexicalEmbedder();
const OLD = 'four-dimension/0-test';

/** A tenant's catalog as a detector bump leaves it: features of an older version, or none. */
async function staleCatalog(tenant: string) {
  const entries = await importCatalog(db, tenant, sample, embedder);
  await db
    .updateTable('capability_duplicate_features')
    .set({ features_version: OLD })
    .where('tenant_id', '=', tenant)
    .execute();
  // One entry never had any; one is no longer Active (not refreshed).
  await db
    .deleteFrom('capability_duplicate_features')
    .where('tenant_id', '=', tenant)
    .where('capability_id', '=', entries[0]!.id)
    .execute();
  await db
    .updateTable('capabilities')
    .set({ lifecycle_state: 'Superseded' })
    .where('tenant_id', '=', tenant)
    .where('id', '=', entries[1]!.id)
    .execute();
  return entries;
}

async function featuresOf(tenant: string) {
  return db
    .selectFrom('capability_duplicate_features')
    .select(['capability_id', 'features_version', 'features'])
    .where('tenant_id', '=', tenant)
    .orderBy('capability_id')
    .orderBy('features_version')
    .execute();
}

describe('refreshing stored duplicate features after a detector version bump', () => {
  it("stores the current version's features of each Active entry, as import derives them, drops older ones, and touches no other tenant", async () => {
    const tenant = uniqueTenant('refresh');
    const other = uniqueTenant('refresh-other');
    const entries = await staleCatalog(tenant);
    await staleCatalog(other);
    const otherBefore = await featuresOf(other);

    // Before: the check finds no stored features of its version and would derive them all.
    const [vector] = await embedder.embed([sample[2]!]);
    const before = await nearestActiveCatalog(db, tenant, embedder, vector!, 10, { featuresVersion: FEATURES_VERSION });
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => r.stored_features === null)).toBe(true);

    expect(await refreshStoredFeatures(db, tenant, 2)).toBe(sample.length - 1); // in pages of 2
    const after = await featuresOf(tenant);
    const active = entries.filter((_, i) => i !== 1);
    expect(after.filter((f) => f.features_version === FEATURES_VERSION).map((f) => f.capability_id)).toEqual(
      active.map((e) => e.id).sort(),
    );
    // The superseded entry keeps what it had; the refreshed ones keep only the current version.
    expect(after.filter((f) => f.features_version === OLD).map((f) => f.capability_id)).toEqual([entries[1]!.id]);
    for (const [i, e] of entries.entries()) {
      if (i === 1) continue;
      const row = after.find((f) => f.capability_id === e.id && f.features_version === FEATURES_VERSION)!;
      expect(row.features).toEqual(importedFeatures(sample[i]!));
    }
    const checked = await nearestActiveCatalog(db, tenant, embedder, vector!, 10, {
      featuresVersion: FEATURES_VERSION,
    });
    expect(checked.every((r) => r.stored_features !== null)).toBe(true);

    expect(await featuresOf(other)).toEqual(otherBefore);
    expect(await refreshStoredFeatures(db, tenant)).toBe(0);
  });

  it('runs as npm run catalog:refresh-features -- --tenant T and says what it refreshed, as JSON', async () => {
    const tenant = uniqueTenant('refresh-cli');
    await staleCatalog(tenant);
    const run = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', join(__dirname, '../../scripts/catalog-refresh-features.ts'), ...args],
        {
          env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
          encoding: 'utf8',
        },
      );
    const done = run(['--tenant', tenant]);
    expect(done.status).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({
      featuresVersion: FEATURES_VERSION,
      refreshed: { [tenant]: sample.length - 1 },
    });
    const bad = run(['--tenant']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: npm run catalog:refresh-features');
  });
});
