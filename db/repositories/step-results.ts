import type { Db } from '../database';

/** The result a step stored on its first commit, if it has committed. */
export async function getStepResult<T>(db: Db, tenantId: string, id: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('ai_generation_step_results')
    .select('result')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? (row.result as T) : undefined;
}

/**
 * Claims the step for this commit. True when this transaction holds the claim; false when another
 * attempt already committed it (the caller then rolls back and returns the stored result).
 */
export async function claimStepResult(
  db: Db,
  row: { id: string; tenant_id: string; run_id: string; step: string; attempt: number; result: unknown },
): Promise<boolean> {
  const inserted = await db
    .insertInto('ai_generation_step_results')
    .values({ ...row, result: JSON.stringify(row.result) })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
