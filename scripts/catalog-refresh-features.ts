import { refreshStoredFeatures } from '../activities/duplicates';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { tenantsWithActiveCatalog } from '../db/repositories/catalog';
import { FEATURES_VERSION } from '../domain/duplicates/stored-features';

/**
 * `npm run catalog:refresh-features [-- --tenant T]`: after a detector version bump, stores the new
 * version's duplicate features for every Active catalog entry (of one tenant, or of each tenant in
 * turn) and drops the old versions'. Until it runs, checks stay correct but derive the features of
 * every neighbour they read. Idempotent: entries that have the current version are skipped.
 * Prints one JSON line: the version and the entries refreshed per tenant.
 */
async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--tenant');
  const tenant = i >= 0 ? argv[i + 1] : undefined;
  if ((i >= 0 && (!tenant || !/^[A-Za-z0-9._-]{1,100}$/.test(tenant))) || argv.length !== (i >= 0 ? 2 : 0)) {
    console.error('usage: npm run catalog:refresh-features [-- --tenant TENANT]');
    process.exit(2);
  }
  const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus', 4);
  try {
    await migrateToLatest(db);
    const tenants = tenant ? [tenant] : await tenantsWithActiveCatalog(db);
    const refreshed: Record<string, number> = {};
    for (const t of tenants) refreshed[t] = await refreshStoredFeatures(db, t);
    console.log(JSON.stringify({ featuresVersion: FEATURES_VERSION, refreshed }));
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`catalog:refresh-features: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
