import { loadDatabaseUrl } from '../lib/config';
import { createDb } from './database';
import { migrateDownAll, migrateToLatest } from './migrate';

/** `npm run migrate` (to latest) or `npm run migrate -- down` (all the way down). */
async function main(): Promise<void> {
  // Migrations need the database only: they run before (and without) the service's keys.
  const db = createDb(loadDatabaseUrl());
  try {
    const direction = process.argv[2] ?? 'latest';
    const applied = direction === 'down' ? await migrateDownAll(db) : await migrateToLatest(db);
    console.log(applied.length ? applied.join('\n') : 'schema is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
