import type { Db } from '../../db/database';
import { insertTelemetryEvent } from '../../db/repositories/telemetry';
import type { TelemetryEmitter } from './emitter';
import type { TelemetryEvent } from './event';

/**
 * A lifecycle step's write: its rows and its telemetry events commit in one transaction, then the
 * events go to OpenTelemetry. A retried step replays the same ids, so nothing is written twice.
 */
export async function commitStep<T>(
  deps: { db: Db; telemetry: TelemetryEmitter },
  events: TelemetryEvent[],
  write: (trx: Db) => Promise<T>,
): Promise<T> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const r = await write(trx);
    for (const e of events) await insertTelemetryEvent(trx, e);
    return r;
  });
  for (const e of events) deps.telemetry.emit(e);
  return result;
}
