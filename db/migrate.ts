import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../migrations';

function migrator(db: Kysely<any>): Migrator {
  // Migrations written on parallel branches land in any order; each is applied once, by name.
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const where = failed ? ` in migration ${failed.migrationName}` : '';
    throw new Error(`migration failed${where}: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}`);
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest());
}

export async function migrateDownAll(db: Kysely<any>): Promise<string[]> {
  const m = migrator(db);
  const applied: string[] = [];
  for (;;) {
    const step = unwrap(await m.migrateDown());
    if (step.length === 0) return applied;
    applied.push(...step);
  }
}
