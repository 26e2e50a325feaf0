import type { Db } from '../db/database';
import {
  activeWithoutFeatures,
  deleteOtherFeatureVersions,
  missingEmbeddings,
  nearestActiveCatalog,
  upsertDuplicateFeatures,
  upsertEmbedding,
  vectorLiteral,
  type CatalogNeighbourRow,
} from '../db/repositories/catalog';
import { getContractDraft } from '../db/repositories/contracts';
import { insertDuplicateCheck, nearestInFlight } from '../db/repositories/duplicates';
import { updateRun } from '../db/repositories/runs';
import { insertTelemetryEvent } from '../db/repositories/telemetry';
import { deterministicUuid } from '../domain/deterministic-id';
import type { DuplicateThresholds } from '../domain/duplicates/decision';
import {
  FourDimensionDetector,
  type DuplicateNeighbour,
  type DuplicateVerdict,
  type Embedder,
  type IToolDuplicateDetector,
  type ScoredMatch,
} from '../domain/duplicates/detector';
import { extractFeatures, type ToolFeatures, type ToolRecord } from '../domain/duplicates/features';
import { FEATURES_VERSION, fromStoredFeatures, toStoredFeatures } from '../domain/duplicates/stored-features';
import { NEIGHBOURS_K } from '../domain/duplicates/screen';
import type { DuplicateOutcome } from '../domain/types';
import { createEmbedder } from '../providers/embedders';
import type { ActivityDeps } from './deps';
import { decideOnce } from './telemetry/record';
import { traceWithDuplicates } from '../domain/trace';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from '../domain/telemetry-event';

export const DUPLICATE_STRATEGIES = ['identity', 'contract', 'semantic', 'runtime'] as const;

export interface CheckDuplicatesInput {
  duplicateCheckId: string;
  capabilityName: string;
  thresholds: DuplicateThresholds;
  trace: TraceContext;
  /** The run's contract draft: the candidate's description, schemas and runtime come from it. */
  contractDraftId?: string | null;
  /** A revision of this capability key is not a duplicate of the key itself. */
  excludeCapabilityKey?: string | null;
}

export interface DuplicateFindingSummary {
  capabilityId: string | null;
  runId: string | null;
  capabilityKey: string;
  dimension: 'COMBINED';
  score: number;
  tier: DuplicateOutcome;
  scores: { identity: number; contract: number; semantic: number; runtime: number };
  rationale: string;
}

export interface CheckDuplicatesResult {
  duplicateCheckId: string;
  outcome: DuplicateOutcome;
  findings: DuplicateFindingSummary[];
  /** The trace with the duplicate outcome on it (absent in results recorded before it was added). */
  trace?: TraceContext;
}

export interface DuplicateCheckParams {
  tenantId: string;
  /** The checking run, excluded from the in-flight set; null when screening. */
  runId: string | null;
  candidate: ToolRecord;
  /** The candidate's features, when the caller has extracted them already. */
  candidateFeatures?: ToolFeatures;
  vector: number[];
  thresholds: DuplicateThresholds;
  excludeCapabilityKey?: string | null;
  /** The run's own capability key: an entry under the same key is BLOCKING. Null when screening. */
  capabilityKey?: string | null;
  includeInFlight: boolean;
  k?: number;
  efSearch?: number;
}

/** The advisory lock that serializes duplicate checks of one tenant. */
function duplicatesLockKey(tenantId: string): string {
  return `duplicates:${tenantId}`;
}

function catalogNeighbour(r: CatalogNeighbourRow): DuplicateNeighbour {
  return {
    kind: 'CATALOG',
    id: r.id,
    capabilityKey: r.capability_key,
    externalId: r.external_id,
    cosine: r.cosine,
    // Stored with the entry by this detector version; derived again only where they are missing.
    features: r.stored_features
      ? fromStoredFeatures(r.stored_features)
      : extractFeatures(
          recordOfRow({
            ...r,
            description: r.description ?? '',
            input_schema: r.input_schema ?? {},
            annotations: r.annotations ?? {},
          }),
        ),
  };
}

/**
 * The check itself, shared by the workflow activity and `duplicates:screen`: the tenant's Active
 * catalog by pgvector top-k (one embedder) plus identity-key lookups, and the tenant's in-flight
 * candidates, scored on four dimensions by the detector. Never reads the whole catalog. The caller
 * runs it inside a transaction; it takes the tenant's advisory lock first (with the search settings,
 * in one round trip), held until that transaction ends.
 */
export async function runDuplicateCheck(
  trx: Db,
  embedder: Pick<Embedder, 'id' | 'version'>,
  detector: IToolDuplicateDetector,
  p: DuplicateCheckParams,
): Promise<DuplicateVerdict> {
  const k = p.k ?? NEIGHBOURS_K;
  const features = p.candidateFeatures ?? extractFeatures(p.candidate);
  const exclude = p.excludeCapabilityKey ?? null;
  // One HNSW scan (this embedder only), then one look-up of those entries plus the same identity key.
  const nearest = await nearestActiveCatalog(trx, p.tenantId, embedder, p.vector, k, {
    efSearch: p.efSearch,
    excludeCapabilityKey: exclude,
    identityKey: features.identityKey,
    featuresVersion: FEATURES_VERSION,
    advisoryLock: duplicatesLockKey(p.tenantId),
  });
  const seen = new Set<string>();
  const neighbours: DuplicateNeighbour[] = [];
  for (const r of nearest) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    neighbours.push(catalogNeighbour(r));
  }
  if (p.includeInFlight && p.runId) {
    const inFlight = await nearestInFlight(
      trx,
      p.tenantId,
      p.runId,
      embedder,
      p.vector,
      features.identityKey,
      Math.min(k, 10),
      exclude,
    );
    for (const r of inFlight) {
      neighbours.push({
        kind: 'IN_FLIGHT',
        id: r.run_id,
        capabilityKey: r.capability_key,
        externalId: null,
        cosine: r.cosine,
        features: extractFeatures(r.candidate as unknown as ToolRecord),
      });
    }
  }
  return detector.detect(features, neighbours, p.thresholds, { capabilityKey: p.capabilityKey ?? null });
}

/** Fills in vectors this embedder has not made yet for Active entries (newly activated ones). */
export async function embedMissing(db: Db, embedder: Embedder, tenantId: string, limit = 50): Promise<number> {
  const rows = await missingEmbeddings(db, tenantId, embedder, limit);
  if (rows.length === 0) return 0;
  const vectors = await embedder.embed(rows.map(recordOfRow));
  for (let i = 0; i < rows.length; i++) {
    await upsertEmbedding(db, {
      capabilityId: rows[i]!.id,
      tenantId,
      embedderId: embedder.id,
      embedderVersion: embedder.version,
      vector: vectors[i]!,
    });
    await upsertDuplicateFeatures(db, {
      capabilityId: rows[i]!.id,
      tenantId,
      version: FEATURES_VERSION,
      features: toStoredFeatures(extractFeatures(recordOfRow(rows[i]!))),
    });
  }
  return rows.length;
}

/**
 * Stores the current detector version's features for the tenant's Active entries that lack them,
 * derived from each stored row as a check would derive them, and drops their older versions'
 * features. After a detector version bump, until this runs, a check derives the features of every
 * neighbour it reads (`npm run catalog:refresh-features`). Returns how many entries it refreshed.
 */
export async function refreshStoredFeatures(db: Db, tenantId: string, batch = 500): Promise<number> {
  let refreshed = 0;
  let after: string | null = null;
  for (;;) {
    const rows = await activeWithoutFeatures(db, tenantId, FEATURES_VERSION, after, batch);
    if (rows.length === 0) return refreshed;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        await upsertDuplicateFeatures(trx, {
          capabilityId: row.id,
          tenantId,
          version: FEATURES_VERSION,
          features: toStoredFeatures(extractFeatures(recordOfRow(row))),
        });
      }
      await deleteOtherFeatureVersions(
        trx,
        tenantId,
        rows.map((r) => r.id),
        FEATURES_VERSION,
      );
    });
    refreshed += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * The stored duplicate features of a tool record as `catalog:import` writes it (runtime `mcp`
 * unless the record says otherwise): exactly what a check would derive from the stored row.
 */
export function importedFeatures(r: ToolRecord): Record<string, unknown> {
  return toStoredFeatures(
    extractFeatures(
      recordOfRow({
        name: r.name,
        description: r.description,
        input_schema: r.inputSchema ?? {},
        output_schema: r.outputSchema ?? null,
        annotations: r.annotations ?? {},
        provenance: { server: r.server ?? null },
        runtime: r.runtime ?? 'mcp',
      }),
    ),
  );
}

export function recordOfRow(r: {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
  annotations?: Record<string, unknown>;
  provenance?: Record<string, unknown>;
  runtime: string | null;
}): ToolRecord {
  return {
    name: r.name,
    description: r.description,
    inputSchema: r.input_schema,
    outputSchema: r.output_schema,
    annotations: r.annotations ?? {},
    server: typeof r.provenance?.server === 'string' ? r.provenance.server : null,
    runtime: r.runtime,
  };
}

function summary(m: ScoredMatch): DuplicateFindingSummary {
  return {
    capabilityId: m.neighbour.kind === 'CATALOG' ? m.neighbour.id : null,
    runId: m.neighbour.kind === 'IN_FLIGHT' ? m.neighbour.id : null,
    capabilityKey: m.neighbour.capabilityKey,
    dimension: 'COMBINED',
    score: m.score,
    tier: m.tier,
    scores: {
      identity: m.dimensions.identity.score,
      contract: m.dimensions.contract.score,
      semantic: m.dimensions.semantic.score,
      runtime: m.dimensions.runtime.score,
    },
    rationale: m.rationale,
  };
}

/**
 * The workflow's duplicate gate: compares the run's candidate with the tenant's Active catalog and
 * its other in-flight runs, under the tenant's advisory lock, and records the check (detector,
 * combination, embedder, thresholds, the candidate and its vector) with every match's
 * per-dimension scores and rationale, in one transaction with its telemetry event.
 */
export function createCheckDuplicates(deps: ActivityDeps, embedder: Embedder = createEmbedder()) {
  const detector: IToolDuplicateDetector = new FourDimensionDetector();
  return async function checkDuplicates(input: CheckDuplicatesInput): Promise<CheckDuplicatesResult> {
    const { trace } = input;
    const draft = input.contractDraftId
      ? await getContractDraft(deps.db, trace.tenantId, input.contractDraftId)
      : undefined;
    const manifest = (draft?.manifest ?? {}) as Record<string, unknown>;
    const candidate: ToolRecord = {
      name: input.capabilityName,
      description: typeof manifest.description === 'string' ? manifest.description : input.capabilityName,
      inputSchema: (draft?.input_schema as Record<string, unknown> | undefined) ?? null,
      outputSchema: (draft?.output_schema as Record<string, unknown> | undefined) ?? null,
      annotations: (manifest.annotations as Record<string, unknown> | undefined) ?? null,
      runtime: typeof manifest.runtime === 'string' ? manifest.runtime : (trace.runtime?.provider ?? null),
    };
    const [vector] = await embedder.embed([candidate]);
    await embedMissing(deps.db, embedder, trace.tenantId);
    const features = extractFeatures(candidate);
    const linked = evidenceLinks(trace);

    // A retry returns the check stored on the first commit, not a re-check against a catalog that moved.
    const key = { step: 'duplicates', id: input.duplicateCheckId, tenantId: trace.tenantId, runId: trace.runId };
    return decideOnce(deps, key, async (claim) => {
      const { result, event } = await deps.db.transaction().execute(async (trx) => {
        // runDuplicateCheck takes the tenant's lock before it reads anything.
        const verdict = await runDuplicateCheck(trx, embedder, detector, {
          tenantId: trace.tenantId,
          runId: trace.runId,
          candidate,
          candidateFeatures: features,
          vector: vector!,
          thresholds: input.thresholds,
          excludeCapabilityKey: input.excludeCapabilityKey ?? null,
          capabilityKey: trace.capabilityKey,
          includeInFlight: true,
        });
        const outcome = verdict.outcome;
        const findings = verdict.matches.map(summary);
        const t = traceWithDuplicates(trace, outcome);
        const ev = buildTelemetryEvent(
          deterministicUuid(input.duplicateCheckId, 'DUPLICATE_CHECKED'),
          t,
          'DUPLICATE_CHECKED',
          'duplicates',
          outcome,
          {
            conformance: {
              strategies: DUPLICATE_STRATEGIES,
              detectorVersion: verdict.detectorVersion,
              combinationVersion: verdict.combinationVersion,
              embedder: `${embedder.id}@${embedder.version}`,
              thresholds: input.thresholds,
              matches: findings.length,
            },
            details: {
              topMatches: findings.slice(0, 3).map((f) => ({ key: f.capabilityKey, score: f.score, tier: f.tier })),
            },
          },
        );
        await insertDuplicateCheck(
          trx,
          {
            ...linked,
            id: input.duplicateCheckId,
            outcome,
            strategies: JSON.stringify(DUPLICATE_STRATEGIES),
            thresholds: JSON.stringify(input.thresholds),
            adjudication_state: outcome === 'POTENTIAL' ? 'PENDING' : 'NOT_REQUIRED',
            adjudicated_by: null,
            adjudication_comment: null,
            adjudication_decision_id: null,
            capability_key: trace.capabilityKey,
            candidate_identity_key: features.identityKey,
            candidate: JSON.stringify(candidate),
            detector_version: verdict.detectorVersion,
            combination_version: verdict.combinationVersion,
            embedder_id: embedder.id,
            embedder_version: embedder.version,
            embedding: vectorLiteral(vector!),
          },
          verdict.matches.map((m, rank) => ({
            ...linked,
            id: deterministicUuid(input.duplicateCheckId, m.neighbour.kind, m.neighbour.id),
            duplicate_check_id: input.duplicateCheckId,
            matched_capability_id: m.neighbour.kind === 'CATALOG' ? m.neighbour.id : null,
            matched_run_id: m.neighbour.kind === 'IN_FLIGHT' ? m.neighbour.id : null,
            matched_external_id: m.neighbour.externalId,
            matched_capability_key: m.neighbour.capabilityKey,
            match_rank: rank + 1,
            dimension: 'COMBINED',
            score: m.score,
            tier: m.tier,
            rationale: m.rationale,
            scores: JSON.stringify({ ...summary(m).scores, combined: m.score, raw: m.raw }),
            evidence: JSON.stringify({
              identity: m.dimensions.identity.evidence,
              contract: m.dimensions.contract.evidence,
              semantic: m.dimensions.semantic.evidence,
              runtime: m.dimensions.runtime.evidence,
              rules: m.rules,
              target: m.neighbour.kind,
            }),
          })),
        );
        await updateRun(trx, trace.tenantId, trace.runId, { duplicate_outcome: outcome });
        await insertTelemetryEvent(trx, ev);
        const decided = { duplicateCheckId: input.duplicateCheckId, outcome, findings, trace: t };
        await claim(trx, decided);
        return { result: decided, event: ev };
      });
      deps.telemetry.emit(event);
      return result;
    });
  };
}
