import { Context } from '@temporalio/activity';
import type { Db } from '../../db/database';
import { claimStepResult, getStepResult } from '../../db/repositories/step-results';
import { insertTelemetryEvents } from '../../db/repositories/telemetry';
import { deterministicUuid } from '../../domain/deterministic-id';
import type { TelemetryEmitter } from './emitter';
import type { TelemetryEvent } from '../../domain/telemetry-event';

type CommitDeps = { db: Db; telemetry: TelemetryEmitter };

/**
 * A lifecycle step's write: its rows and its telemetry events commit in one transaction, then the
 * events go to OpenTelemetry. A retried step replays the same ids, so nothing is written twice.
 */
export async function commitStep<T>(
  deps: CommitDeps,
  events: TelemetryEvent[],
  write: (trx: Db) => Promise<T>,
): Promise<T> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const r = await write(trx);
    await insertTelemetryEvents(trx, events);
    return r;
  });
  for (const e of events) deps.telemetry.emit(e);
  return result;
}

/** Which step's result: the step name and the workflow-made id of its main row. */
export interface StepKey {
  step: string;
  /** The workflow-made id the step writes under (snapshot id, prompt run id, …). */
  id: string;
  tenantId: string;
  runId: string;
}

/** What a step decided: the value it returns, its events, and the rows to write with them. */
export interface StepOutcome<R> {
  result: R;
  events: TelemetryEvent[];
  write: (trx: Db) => Promise<unknown>;
}

class AlreadyCommitted extends Error {}

export function stepResultId(key: StepKey): string {
  return deterministicUuid(key.id, 'step-result', key.step);
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (scripts, tests of the plain function)
  }
}

/**
 * A step that runs once in what it returns. If the step already committed (an earlier attempt
 * that crashed or timed out after its commit), the stored result is returned and nothing is
 * recomputed from live configuration or the live catalog. Otherwise `decide` runs and its rows,
 * events and result commit together; the result row is claimed first, so of two attempts racing,
 * exactly one commits and the other rolls back and returns the winner's result.
 */
export async function commitStepOnce<R>(
  deps: CommitDeps,
  key: StepKey,
  decide: () => Promise<StepOutcome<R>>,
): Promise<R> {
  const id = stepResultId(key);
  // A retry reads the stored result first, so it neither recomputes nor calls out again. A first
  // attempt skips the read (one round trip per step): should the step have committed anyway (a
  // local activity re-run after a workflow task retry starts again at attempt 1), the claim below
  // still finds it and the stored result is what returns.
  const attempt = currentAttempt();
  if (attempt > 1) {
    const stored = await getStepResult<R>(deps.db, key.tenantId, id);
    if (stored !== undefined) return stored;
  }
  const { result, events, write } = await decide();
  try {
    await deps.db.transaction().execute(async (trx) => {
      const claimed = await claimStepResult(trx, {
        id,
        tenant_id: key.tenantId,
        run_id: key.runId,
        step: key.step,
        attempt,
        result,
      });
      if (!claimed) throw new AlreadyCommitted();
      await write(trx);
      await insertTelemetryEvents(trx, events);
    });
  } catch (err) {
    if (!(err instanceof AlreadyCommitted)) throw err;
    const winner = await getStepResult<R>(deps.db, key.tenantId, id);
    if (winner === undefined)
      throw new Error(`step ${key.step} ${key.id}: claimed but no result stored`, { cause: err });
    return winner;
  }
  for (const e of events) deps.telemetry.emit(e);
  return result;
}

/**
 * `commitStepOnce` for a step that decides inside its own transaction (under a lock, say): on a
 * retry the stored result returns at once; otherwise `work` runs and calls `claim(trx, result)`
 * inside its transaction before it commits. If another attempt committed first, the claim rolls
 * this transaction back and the winner's stored result is returned.
 */
export async function decideOnce<R>(
  deps: CommitDeps,
  key: StepKey,
  work: (claim: (trx: Db, result: R) => Promise<void>) => Promise<R>,
): Promise<R> {
  const id = stepResultId(key);
  const attempt = currentAttempt();
  if (attempt > 1) {
    const stored = await getStepResult<R>(deps.db, key.tenantId, id);
    if (stored !== undefined) return stored;
  }
  try {
    return await work(async (trx, result) => {
      const claimed = await claimStepResult(trx, {
        id,
        tenant_id: key.tenantId,
        run_id: key.runId,
        step: key.step,
        attempt,
        result,
      });
      if (!claimed) throw new AlreadyCommitted();
    });
  } catch (err) {
    if (!(err instanceof AlreadyCommitted)) throw err;
    const winner = await getStepResult<R>(deps.db, key.tenantId, id);
    if (winner === undefined)
      throw new Error(`step ${key.step} ${key.id}: claimed but no result stored`, { cause: err });
    return winner;
  }
}
