import { findIdentityCandidates, listCatalogNames } from '../db/repositories/catalog';
import { insertDuplicateCheck } from '../db/repositories/duplicates';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../lib/deterministic-id';
import type { DuplicateOutcome } from '../workflows/types';
import type { ActivityDeps } from './deps';
import {
  detectIdentityCollisions,
  overallOutcome,
  type DuplicateFinding,
  type DuplicateThresholds,
} from './duplicates/identity';
import { normalizeName } from './duplicates/normalize';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from './telemetry/event';

export const DUPLICATE_STRATEGIES = ['identity'] as const;

export interface CheckDuplicatesInput {
  duplicateCheckId: string;
  capabilityName: string;
  thresholds: DuplicateThresholds;
  trace: TraceContext;
}

export interface CheckDuplicatesResult {
  duplicateCheckId: string;
  outcome: DuplicateOutcome;
  findings: DuplicateFinding[];
}

/** Compares the proposed capability with the tenant's catalog and records every match with its rationale. */
export function createCheckDuplicates(deps: ActivityDeps) {
  return async function checkDuplicates(input: CheckDuplicatesInput): Promise<CheckDuplicatesResult> {
    const { trace } = input;
    const normalized = normalizeName(input.capabilityName);
    // Exact identity hits come from the index; the word-overlap pass needs every name of the tenant.
    const [exact, names] = await Promise.all([
      findIdentityCandidates(deps.db, trace.tenantId, trace.capabilityKey, normalized),
      listCatalogNames(deps.db, trace.tenantId),
    ]);
    const byId = new Map([...exact, ...names].map((c) => [c.id, c]));
    const findings = detectIdentityCollisions(
      { capabilityKey: trace.capabilityKey, name: input.capabilityName },
      [...byId.values()].map((c) => ({
        id: c.id,
        capabilityKey: c.capability_key,
        name: c.name,
        normalizedName: c.normalized_name,
      })),
      input.thresholds,
    );
    const outcome = overallOutcome(findings);
    const t: TraceContext = { ...trace, duplicateOutcome: outcome };
    const event = buildTelemetryEvent(
      deterministicUuid(input.duplicateCheckId, 'DUPLICATE_CHECKED'),
      t,
      'DUPLICATE_CHECKED',
      'duplicates',
      outcome,
      {
        conformance: { strategies: DUPLICATE_STRATEGIES, thresholds: input.thresholds, matches: findings.length },
        details: {
          topMatches: findings.slice(0, 3).map((f) => ({ key: f.capabilityKey, score: f.score, tier: f.tier })),
        },
      },
    );
    const linked = evidenceLinks(trace);
    await commitStep(deps, [event], async (trx) => {
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
        },
        findings.map((f) => ({
          ...linked,
          id: deterministicUuid(input.duplicateCheckId, f.capabilityId, f.dimension),
          duplicate_check_id: input.duplicateCheckId,
          matched_capability_id: f.capabilityId,
          matched_capability_key: f.capabilityKey,
          dimension: f.dimension,
          score: f.score,
          tier: f.tier,
          rationale: f.rationale,
        })),
      );
      await updateRun(trx, trace.tenantId, trace.runId, { duplicate_outcome: outcome });
    });
    return { duplicateCheckId: input.duplicateCheckId, outcome, findings };
  };
}
