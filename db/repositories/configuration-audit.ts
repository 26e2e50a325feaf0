import { sql } from 'kysely';
import type { Db } from '../database';
import { canonicalJson, deterministicUuid } from '../../domain/deterministic-id';

/**
 * Records every deployed configuration value (file and environment) that differs from the last
 * deployed value recorded for this environment. Run at worker start, so a changed deployment leaves
 * an audit trail. Admins' runtime changes are recorded by `changeConfigurationValue`. Returns the
 * keys that changed.
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
    await lockEnvironment(trx, environment);
    const latest = await trx
      .selectFrom('configuration_audit')
      .select(['config_key', 'new_value'])
      .distinctOn('config_key')
      .where('environment', '=', environment)
      .where('source', '=', 'deployment')
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
          source: 'deployment',
          reason: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      changed.push(key);
    }
    return changed;
  });
}

async function lockEnvironment(trx: Db, environment: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`configuration_audit:${environment}`}))`.execute(trx);
}

/** The runtime values admins have set in this environment, by key. */
export async function runtimeConfigValues(db: Db, environment: string): Promise<Record<string, unknown>> {
  const rows = await db
    .selectFrom('configuration_values')
    .select(['config_key', 'value'])
    .where('environment', '=', environment)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.config_key, r.value]));
}

export interface ConfigurationChange {
  environment: string;
  key: string;
  value: unknown;
  /** What the key is without any runtime value (the deployed value), for the audit's old value. */
  deployedValue: unknown;
  changedBy: string;
  reason: string;
  at: Date;
}

/**
 * An admin's change: the runtime value and its audit row commit together, serialized per
 * environment, so the audit's old value is exactly what the change replaced.
 */
export async function changeConfigurationValue(
  db: Db,
  change: ConfigurationChange,
): Promise<{ id: string; oldValue: unknown; newValue: unknown; changedAtUtc: Date }> {
  return db.transaction().execute(async (trx) => {
    await lockEnvironment(trx, change.environment);
    const existing = await trx
      .selectFrom('configuration_values')
      .select('value')
      .where('environment', '=', change.environment)
      .where('config_key', '=', change.key)
      .executeTakeFirst();
    const oldValue = existing ? existing.value : change.deployedValue;
    const id = deterministicUuid('config-change', change.environment, change.key, change.at.toISOString());
    await trx
      .insertInto('configuration_values')
      .values({
        environment: change.environment,
        config_key: change.key,
        value: JSON.stringify(change.value),
        changed_by: change.changedBy,
        changed_at_utc: change.at,
      })
      .onConflict((oc) =>
        oc.columns(['environment', 'config_key']).doUpdateSet({
          value: JSON.stringify(change.value),
          changed_by: change.changedBy,
          changed_at_utc: change.at,
        }),
      )
      .execute();
    await trx
      .insertInto('configuration_audit')
      .values({
        id,
        environment: change.environment,
        config_key: change.key,
        old_value: JSON.stringify(oldValue ?? null),
        new_value: JSON.stringify(change.value),
        changed_by: change.changedBy,
        changed_at_utc: change.at,
        reason: change.reason,
        source: 'admin',
      })
      .execute();
    return { id, oldValue, newValue: change.value, changedAtUtc: change.at };
  });
}

/** The audit trail of one environment, newest first, optionally for one key. */
export async function listConfigurationAudit(db: Db, environment: string, opts: { key?: string; limit?: number } = {}) {
  let q = db
    .selectFrom('configuration_audit')
    .selectAll()
    .where('environment', '=', environment)
    .orderBy('changed_at_utc', 'desc')
    // Changes made together share a timestamp: list them by key, not by random id.
    .orderBy('config_key')
    .orderBy('id');
  if (opts.key) q = q.where('config_key', '=', opts.key);
  return q.limit(opts.limit ?? 200).execute();
}
