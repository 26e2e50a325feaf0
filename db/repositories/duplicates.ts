import { sql, type Insertable, type Selectable } from 'kysely';
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

/** Run statuses whose candidate is still in flight: later runs of the tenant are compared with them. */
export const IN_FLIGHT_STATUSES = ['RUNNING', 'AWAITING_ADJUDICATION', 'DRAFT', 'REVIEW', 'APPROVED'] as const;

export interface InFlightNeighbourRow {
  check_id: string;
  run_id: string;
  capability_key: string;
  candidate: Record<string, unknown>;
  cosine: number;
}

/**
 * The tenant's other in-flight candidates nearest to `vector` (same embedder only), plus those with
 * the same identity key: runs whose own duplicate check passed (not BLOCKING) and whose run is in
 * Draft, Review, Approved, AWAITING_ADJUDICATION or still running after its check. The caller holds
 * the tenant's advisory lock, so a concurrent check committed before it is always seen.
 */
export async function nearestInFlight(
  db: Db,
  tenantId: string,
  runId: string,
  embedder: { id: string; version: string },
  vector: number[],
  identityKey: string,
  k: number,
  excludeCapabilityKey: string | null,
): Promise<InFlightNeighbourRow[]> {
  const lit = `[${vector.map((x) => Number(x.toFixed(7))).join(',')}]`;
  // Starts from the tenant's in-flight runs (status index), never from its history of checks.
  const res = await sql<InFlightNeighbourRow & { identity_key: string | null }>`
    select distinct on (r.id) d.id as check_id, r.id as run_id, d.capability_key, d.candidate,
           d.candidate_identity_key as identity_key, 1 - (d.embedding <=> ${lit}::vector) as cosine
    from ai_generation_runs r
    join ai_generation_duplicate_checks d on d.run_id = r.id and d.tenant_id = r.tenant_id
    where r.tenant_id = ${tenantId} and r.id <> ${runId}
      and r.status in (${sql.join(IN_FLIGHT_STATUSES.map((x) => sql`${x}`))})
      and d.outcome <> 'BLOCKING' and d.embedding is not null and d.candidate is not null
      and d.embedder_id = ${embedder.id} and d.embedder_version = ${embedder.version}
      and (${excludeCapabilityKey}::text is null or d.capability_key is distinct from ${excludeCapabilityKey})
    order by r.id, d.created_at_utc desc`.execute(db);
  const rows = res.rows.map((r) => ({ ...r, cosine: Number(r.cosine) }));
  const sameIdentity = rows.filter((r) => r.identity_key === identityKey);
  const nearest = rows
    .filter((r) => r.identity_key !== identityKey)
    .sort((a, b) => b.cosine - a.cosine)
    .slice(0, k);
  return [...sameIdentity, ...nearest].map(({ identity_key: _ignored, ...r }) => r);
}

/**
 * Reviewer verdicts per match (ai_generation_duplicate_adjudications) next to the per-dimension
 * and combined scores of the match they judged, across tenants, for calibration.
 */
export async function listVerdicts(
  db: Db,
  limit = 10_000,
): Promise<Array<{ verdict: 'DUPLICATE' | 'NOT_DUPLICATE'; score: number; scores: Record<string, number> | null }>> {
  const r = await sql<{ verdict: 'DUPLICATE' | 'NOT_DUPLICATE'; score: number; scores: Record<string, number> | null }>`
    select a.verdict, m.score, m.scores
    from ai_generation_duplicate_adjudications a
    join ai_generation_duplicate_matches m on m.id = a.duplicate_match_id and m.tenant_id = a.tenant_id
    where a.duplicate_match_id is not null and a.verdict is not null
    order by a.adjudicated_at_utc desc
    limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, score: Number(x.score) }));
}
