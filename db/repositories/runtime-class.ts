import { sql } from 'kysely';
import type { Db } from '../database';

/**
 * The runtime class of the model that generated a run's newest contract draft, from the draft's
 * conformance metadata (`generatedBy.runtimeClass`); null when there is no draft or the draft
 * predates runtime classes.
 */
export async function draftRuntimeClass(db: Db, tenantId: string, runId: string): Promise<string | null> {
  const row = await db
    .selectFrom('ai_generation_contract_drafts')
    .select(sql<string | null>`conformance_metadata -> 'generatedBy' ->> 'runtimeClass'`.as('runtime_class'))
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('created_at_utc', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.runtime_class ?? null;
}
