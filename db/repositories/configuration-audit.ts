import { sql } from 'kysely';
import type { Db } from '../database';
import { canonicalJson, deterministicUuid } from '../../lib/deterministic-id';

/**
 * Records every configuration value that differs from the last recorded one for this environment.
 * Run at worker start, so a changed server configuration leaves an audit trail. Returns the keys
 * that changed.
 */
export async function recordConfigurationChanges(
  db: Db,
  environment: string,
  values: Record<string, unknown>,
  changedBy: string,
  at: Date,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    // One writer at a time per environment, so two workers starting together record a change once.
    await sql`select pg_advisory_xact_lock(hashtext(${`configuration_audit:${environment}`}))`.execute(trx);
    const latest = await trx
      .selectFrom('configuration_audit')
      .select(['config_key', 'new_value'])
      .distinctOn('config_key')
      .where('environment', '=', environment)
      .orderBy('config_key')
      .orderBy('changed_at_utc', 'desc')
      .execute();
    const current = new Map(latest.map((r) => [r.config_key, r.new_value]));
    const changed: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      const before = current.has(key) ? current.get(key) : undefined;
      if (before !== undefined && canonicalJson(before) === canonicalJson(value)) continue;
      await trx
        .insertInto('configuration_audit')
        .values({
          id: deterministicUuid('config', environment, key, at.toISOString()),
          environment,
          config_key: key,
          old_value: before === undefined ? null : JSON.stringify(before),
          new_value: JSON.stringify(value),
          changed_by: changedBy,
          changed_at_utc: at,
        })
        .execute();
      changed.push(key);
    }
    return changed;
  });
}

export async function listConfigurationAudit(db: Db, environment: string) {
  return db
    .selectFrom('configuration_audit')
    .selectAll()
    .where('environment', '=', environment)
    .orderBy('changed_at_utc', 'desc')
    .orderBy('config_key')
    .execute();
}
