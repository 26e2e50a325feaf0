import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database';
import type { GovernanceDecisionsTable } from '../tables/governance-decisions';

export type GovernanceDecisionRow = Selectable<GovernanceDecisionsTable>;

export async function insertGovernanceDecision(db: Db, row: Insertable<GovernanceDecisionsTable>): Promise<void> {
  await db
    .insertInto('governance_decisions')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function listGovernanceDecisionsForRun(
  db: Db,
  tenantId: string,
  runId: string,
): Promise<GovernanceDecisionRow[]> {
  return db
    .selectFrom('governance_decisions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('decided_at_utc')
    .execute();
}
