import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../database';
import type {
  AiGenerationDuplicateChecksTable,
  AiGenerationDuplicateMatchesTable,
} from '../tables/ai-generation-duplicates';

export type DuplicateCheckRow = Selectable<AiGenerationDuplicateChecksTable>;
export type DuplicateMatchRow = Selectable<AiGenerationDuplicateMatchesTable>;

export async function insertDuplicateCheck(
  db: Db,
  check: Insertable<AiGenerationDuplicateChecksTable>,
  matches: Insertable<AiGenerationDuplicateMatchesTable>[],
): Promise<void> {
  await db
    .insertInto('ai_generation_duplicate_checks')
    .values(check)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  if (matches.length > 0) {
    await db
      .insertInto('ai_generation_duplicate_matches')
      .values(matches)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

export async function recordAdjudication(
  db: Db,
  tenantId: string,
  checkId: string,
  patch: Pick<
    Updateable<AiGenerationDuplicateChecksTable>,
    'adjudication_state' | 'adjudicated_by' | 'adjudication_comment' | 'adjudication_decision_id' | 'adjudicated_at_utc'
  >,
): Promise<void> {
  await db
    .updateTable('ai_generation_duplicate_checks')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', checkId)
    .execute();
}

export interface RunDuplicates {
  checks: DuplicateCheckRow[];
  matches: DuplicateMatchRow[];
}

export async function listDuplicatesForRun(db: Db, tenantId: string, runId: string): Promise<RunDuplicates> {
  const [checks, matches] = await Promise.all([
    db
      .selectFrom('ai_generation_duplicate_checks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', runId)
      .orderBy('created_at_utc')
      .execute(),
    db
      .selectFrom('ai_generation_duplicate_matches')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('run_id', '=', runId)
      .orderBy('score', 'desc')
      .execute(),
  ]);
  return { checks, matches };
}
