import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { ensureDatabase, TEST_DATABASE_URL } from './db';

/** Once per `jest` run: the test database exists and is at the latest schema. */
export default async function globalSetup(): Promise<void> {
  process.env.LOG_SILENT ??= 'true';
  await ensureDatabase(TEST_DATABASE_URL);
  const db = createDb(TEST_DATABASE_URL, 1);
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
