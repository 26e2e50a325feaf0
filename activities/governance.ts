import { upsertCapability } from '../db/repositories/catalog';
import { getContractDraft, insertContractPromotion, setDraftLifecycleState } from '../db/repositories/contracts';
import { recordAdjudication as writeAdjudication } from '../db/repositories/duplicates';
import { insertGovernanceDecision } from '../db/repositories/governance';
import { updateRun } from '../db/repositories/runs';
import { deterministicUuid } from '../lib/deterministic-id';
import { STATUS_FOR_STATE } from '../workflows/lifecycle';
import type { AdjudicationRequest, LifecycleState, PromotionRequest } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { normalizeName } from './duplicates/normalize';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

const REVIEW_POLICY_VERSION = 'review-policy/1';

export interface RecordAdjudicationInput {
  governanceDecisionId: string;
  duplicateCheckId: string;
  request: AdjudicationRequest;
  trace: TraceContext;
}

/** A reviewer's verdict on a POTENTIAL duplicate, with its audit comment, as a governance decision. */
export function createRecordAdjudication(deps: ActivityDeps) {
  return async function recordAdjudication({
    governanceDecisionId,
    duplicateCheckId,
    request,
    trace,
  }: RecordAdjudicationInput): Promise<void> {
    const accepted = request.decision === 'ACCEPT';
    const event = buildTelemetryEvent(
      deterministicUuid(governanceDecisionId, 'DUPLICATE_ADJUDICATED'),
      trace,
      'DUPLICATE_ADJUDICATED',
      'duplicates',
      request.decision,
      {
        details: {
          reviewer: request.reviewer.subject,
          comment: request.comment,
          requestCorrelationId: request.correlationId,
        },
      },
    );
    await commitStep(deps, [event], async (trx) => {
      await insertGovernanceDecision(trx, {
        id: governanceDecisionId,
        tenant_id: trace.tenantId,
        correlation_id: request.correlationId,
        run_id: trace.runId,
        kind: 'ADJUDICATION',
        decision: accepted ? 'ADMIT' : 'DENY',
        reason_code: accepted ? 'DUPLICATE_ACCEPTED' : 'DUPLICATE_REJECTED',
        reason: request.comment,
        subject: request.reviewer.subject,
        authority: JSON.stringify({ subject: request.reviewer.subject, roles: request.reviewer.roles }),
        policy_version: REVIEW_POLICY_VERSION,
      });
      await writeAdjudication(trx, trace.tenantId, duplicateCheckId, {
        adjudication_state: accepted ? 'ACCEPTED' : 'REJECTED',
        adjudicated_by: request.reviewer.subject,
        adjudication_comment: request.comment,
        adjudication_decision_id: governanceDecisionId,
        adjudicated_at_utc: new Date(),
      });
    });
  };
}

export interface RecordPromotionInput {
  promotionId: string;
  governanceDecisionId: string;
  contractDraftId: string;
  fromState: LifecycleState;
  request: PromotionRequest;
  trace: TraceContext;
}

/**
 * One lifecycle step, admitted by the workflow's rules: the governance decision, the promotion
 * row, the draft's and the run's new state, and — on Active — the catalog entry later runs are
 * compared against.
 */
export function createRecordPromotion(deps: ActivityDeps) {
  return async function recordPromotion(input: RecordPromotionInput): Promise<void> {
    const { trace, request } = input;
    const to = request.targetState;
    const linked = {
      tenant_id: trace.tenantId,
      correlation_id: request.correlationId,
      run_id: trace.runId,
      execution_snapshot_id: trace.executionSnapshotId!,
    };
    const event = buildTelemetryEvent(
      deterministicUuid(input.promotionId, 'CONTRACT_PROMOTED'),
      trace,
      'CONTRACT_PROMOTED',
      'promotion',
      to,
      {
        details: {
          from: input.fromState,
          to,
          reviewer: request.reviewer.subject,
          governanceDecisionId: input.governanceDecisionId,
        },
      },
    );
    await commitStep(deps, [event], async (trx) => {
      await insertGovernanceDecision(trx, {
        id: input.governanceDecisionId,
        tenant_id: trace.tenantId,
        correlation_id: request.correlationId,
        run_id: trace.runId,
        kind: 'PROMOTION',
        decision: 'ADMIT',
        reason_code: `PROMOTE_TO_${to.toUpperCase()}`,
        reason: request.comment ?? `${input.fromState} → ${to}`,
        subject: request.reviewer.subject,
        authority: JSON.stringify({ subject: request.reviewer.subject, roles: request.reviewer.roles }),
        policy_version: REVIEW_POLICY_VERSION,
      });
      await insertContractPromotion(trx, {
        ...linked,
        id: input.promotionId,
        governance_decision_id: input.governanceDecisionId,
        contract_draft_id: input.contractDraftId,
        from_state: input.fromState,
        to_state: to,
        requested_by: request.reviewer.subject,
        comment: request.comment,
      });
      await setDraftLifecycleState(trx, trace.tenantId, input.contractDraftId, to);
      await updateRun(trx, trace.tenantId, trace.runId, {
        lifecycle_state: to,
        status: STATUS_FOR_STATE[to],
        ...(to === 'Active' ? { completed_at_utc: new Date() } : {}),
      });
      if (to === 'Active') {
        const draft = await getContractDraft(trx, trace.tenantId, input.contractDraftId);
        if (!draft) throw new Error(`contract draft ${input.contractDraftId} not found for run ${trace.runId}`);
        const name = String(draft.manifest.name);
        await upsertCapability(trx, {
          id: deterministicUuid('capability', trace.tenantId, draft.capability_key),
          tenant_id: trace.tenantId,
          capability_key: draft.capability_key,
          name,
          normalized_name: normalizeName(name),
          description: String(draft.manifest.description),
          runtime: String(draft.manifest.runtime),
          input_schema: JSON.stringify(draft.input_schema),
          output_schema: JSON.stringify(draft.output_schema),
          manifest: JSON.stringify({ ...draft.manifest, lifecycleState: 'Active' }),
          lifecycle_state: 'Active',
          source: 'GENERATED',
          source_run_id: trace.runId,
          embedding: null,
          embedding_model: null,
        });
      }
    });
  };
}
