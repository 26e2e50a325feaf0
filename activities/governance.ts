import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import {
  activateCapabilityVersion,
  ActivationConflictError,
  getContractValidation,
  getPromotionInto,
  insertContractPromotion,
  insertContractValidation,
  type ContractDraftRow,
} from '../db/repositories/contracts';
import {
  getGovernanceDecision,
  insertDuplicateAdjudications,
  insertGovernanceDecision,
  listGovernanceDecisionsForRun,
  listMatchesOfCheck,
  type GovernanceDecisionRow,
} from '../db/repositories/governance';
import { updateRun } from '../db/repositories/runs';
import { insertTelemetryEvent } from '../db/repositories/telemetry';
import type { Db } from '../db/database';
import type { PromotionEvidenceRole } from '../db/tables/ai-generation-contracts';
import { deterministicUuid } from '../domain/deterministic-id';
import { STATUS_FOR_STATE } from '../domain/lifecycle';
import type { AdjudicationRequest, LifecycleState, PromotionRequest } from '../domain/types';
import { acceptedBreakLapse, type AcceptBreakRequest } from '../domain/contracts/accepted-break';
import { definitionHash } from '../domain/contracts/definition';
import type { ContractGateResult } from '../domain/contracts/validate';
import { identityKey } from '../domain/duplicates/features';
import { normalizeName } from '../domain/duplicates/normalize';
import type { ActivityDeps } from './deps';
import { DEVELOPMENT_ENVIRONMENTS } from '../lib/config';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from '../domain/telemetry-event';

const REVIEW_POLICY_VERSION = 'review-policy/1';

/** Why a promotion was refused by the database's view of the world (never retried). */
export const PROMOTION_REFUSAL = {
  activationConflict: 'Promotion:ActivationConflict',
  definitionMismatch: 'Promotion:DefinitionMismatch',
  /** A development runtime's draft past Review outside development/test (the API refuses it first). */
  developmentRuntime: 'Promotion:DevelopmentRuntime',
  /** A breaking revision whose accepted break has expired (domain/contracts/accepted-break.ts). */
  acceptedBreakExpired: 'Promotion:AcceptedBreakExpired',
} as const;

export interface RecordAdjudicationInput {
  governanceDecisionId: string;
  duplicateCheckId: string;
  request: AdjudicationRequest;
  trace: TraceContext;
}

/**
 * A reviewer's verdict on a POTENTIAL duplicate, with its audit comment, as a governance decision
 * and new adjudication rows: one for the check and one verdict per match. The check row is never
 * edited (the database refuses it).
 */
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
      const linked = {
        ...evidenceLinks(trace),
        correlation_id: request.correlationId,
        governance_decision_id: governanceDecisionId,
      };
      const at = deps.clock.now();
      const common = {
        ...linked,
        duplicate_check_id: duplicateCheckId,
        decision: accepted ? ('ACCEPTED' as const) : ('REJECTED' as const),
        adjudicated_by: request.reviewer.subject,
        comment: request.comment,
        adjudicated_at_utc: at,
      };
      const matches = await listMatchesOfCheck(trx, trace.tenantId, duplicateCheckId);
      await insertDuplicateAdjudications(trx, [
        {
          ...common,
          id: deterministicUuid(governanceDecisionId, 'adjudication', duplicateCheckId),
          duplicate_match_id: null,
          verdict: null,
        },
        ...matches
          .filter((m) => m.tier !== 'NONE')
          .map((m) => ({
            ...common,
            id: deterministicUuid(governanceDecisionId, 'adjudication', m.id),
            duplicate_match_id: m.id,
            verdict: accepted ? ('NOT_DUPLICATE' as const) : ('DUPLICATE' as const),
          })),
      ]);
    });
  };
}

export interface RecordAcceptedBreakInput {
  governanceDecisionId: string;
  /** The new validation row: the same draft, now passing with the accepted break on record. */
  validationId: string;
  contractDraftId: string;
  previousValidationId: string;
  breakingRules: string[];
  version: string;
  previousVersion: string | null;
  request: AcceptBreakRequest;
  trace: TraceContext;
}

/**
 * A reviewer accepts a breaking revision: a governance decision (kind ACCEPTED_BREAK, with the
 * rule ids, reason, owner and expiry) and a new validation row for the same draft whose
 * backward-compatibility gate passes on that decision. The first validation stays as it was.
 */
export function createRecordAcceptedBreak(deps: ActivityDeps) {
  return async function recordAcceptedBreak(input: RecordAcceptedBreakInput): Promise<void> {
    const { trace, request } = input;
    const details = {
      ruleIds: [...request.ruleIds].sort(),
      reason: request.reason,
      owner: request.owner,
      expiresAtUtc: new Date(request.expiresAtUtc).toISOString(),
      version: input.version,
      previousVersion: input.previousVersion,
      bump: 'major',
    };
    const t: TraceContext = { ...trace, contractValidationOutcome: 'PASSED' };
    const events = [
      buildTelemetryEvent(
        deterministicUuid(input.governanceDecisionId, 'BREAK_ACCEPTED'),
        t,
        'BREAK_ACCEPTED',
        'contract',
        'ACCEPTED',
        {
          details: { ...details, reviewer: request.reviewer.subject, governanceDecisionId: input.governanceDecisionId },
        },
      ),
      buildTelemetryEvent(
        deterministicUuid(input.validationId, 'CONTRACT_VALIDATED'),
        t,
        'CONTRACT_VALIDATED',
        'contract',
        'PASSED',
        {
          details: { acceptedBreakDecisionId: input.governanceDecisionId, revalidationOf: input.previousValidationId },
        },
      ),
    ];
    await commitStep(deps, events, async (trx) => {
      await insertGovernanceDecision(trx, {
        id: input.governanceDecisionId,
        tenant_id: trace.tenantId,
        correlation_id: request.correlationId,
        run_id: trace.runId,
        kind: 'ACCEPTED_BREAK',
        decision: 'ADMIT',
        reason_code: 'BREAK_ACCEPTED',
        reason: request.reason,
        subject: request.reviewer.subject,
        authority: JSON.stringify({ subject: request.reviewer.subject, roles: request.reviewer.roles }),
        policy_version: REVIEW_POLICY_VERSION,
        details: JSON.stringify(details),
      });
      const previous = await getContractValidation(trx, trace.tenantId, input.previousValidationId);
      if (!previous)
        throw ApplicationFailure.nonRetryable(
          `validation ${input.previousValidationId} not found`,
          'Promotion:DraftMissing',
        );
      const gates = (previous.gates as ContractGateResult[]).map((g) =>
        g.gate === 'backward-compatibility'
          ? {
              ...g,
              passed: true,
              messages: [
                ...g.messages,
                `break accepted by ${request.reviewer.subject} (decision ${input.governanceDecisionId}) for ${details.ruleIds.join(', ')}; major version ${input.version}`,
              ],
            }
          : g,
      );
      const failed = gates.some((g) => !g.passed && (g.severity === 'error' || previous.strict_mode));
      await insertContractValidation(trx, {
        ...evidenceLinks(trace),
        id: input.validationId,
        contract_draft_id: input.contractDraftId,
        outcome: failed ? 'FAILED' : 'PASSED',
        strict_mode: previous.strict_mode,
        gates: JSON.stringify(gates),
        compatibility: previous.compatibility ? JSON.stringify(previous.compatibility) : null,
        previous_capability_id: previous.previous_capability_id,
        previous_version: previous.previous_version,
        accepted_break_decision_id: input.governanceDecisionId,
      });
      await updateRun(trx, trace.tenantId, trace.runId, {
        contract_validation_outcome: failed ? 'FAILED' : 'PASSED',
        capability_version: input.version,
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

const ROLE_FOR_TARGET: Record<LifecycleState, PromotionEvidenceRole> = {
  Draft: 'REVIEW',
  Review: 'REVIEW',
  Approved: 'APPROVAL',
  Active: 'ACTIVATION',
};

function roleOf(d: GovernanceDecisionRow): PromotionEvidenceRole | null {
  if (d.decision !== 'ADMIT') return null;
  if (d.kind === 'AUTHORITY') return 'AUTHORITY';
  if (d.kind === 'ADJUDICATION') return 'ADJUDICATION';
  if (d.kind === 'ACCEPTED_BREAK') return 'ACCEPTED_BREAK';
  if (d.reason_code === 'PROMOTE_TO_REVIEW') return 'REVIEW';
  if (d.reason_code === 'PROMOTE_TO_APPROVED') return 'APPROVAL';
  return null;
}

async function latestDraft(db: Db, tenantId: string, runId: string): Promise<ContractDraftRow | undefined> {
  return db
    .selectFrom('ai_generation_contract_drafts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('revision', 'desc')
    .executeTakeFirst();
}

async function latestValidation(db: Db, tenantId: string, draftId: string) {
  return db
    .selectFrom('ai_generation_contract_validations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('contract_draft_id', '=', draftId)
    .orderBy('validated_at_utc', 'desc')
    .orderBy(sql`accepted_break_decision_id is not null`, 'desc')
    .executeTakeFirst();
}

function hashOf(draft: ContractDraftRow): string {
  return definitionHash({
    capabilityKey: draft.capability_key,
    version: draft.version ?? String(draft.manifest.version ?? ''),
    manifest: draft.manifest,
    inputSchema: draft.input_schema,
    outputSchema: draft.output_schema,
    runtimeConstraints: draft.runtime_constraints,
    scaffold: draft.scaffold,
  });
}

class Refusal extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One lifecycle step, admitted by the workflow's rules: the governance decision, the promotion
 * row naming the validation report and every governance decision it relied on, and the run's new
 * state. Approval pins the definition by its RFC 8785 content hash; activation recomputes the
 * hash of the definition it activates, refuses a mismatch, records the conformance evidence and
 * supersedes the previous Active version atomically (a racing activation is refused).
 * A refusal is itself on the record: a DENY decision and its event.
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
    const decisionRow = {
      id: input.governanceDecisionId,
      tenant_id: trace.tenantId,
      correlation_id: request.correlationId,
      run_id: trace.runId,
      kind: 'PROMOTION' as const,
      decision: 'ADMIT' as const,
      reason_code: `PROMOTE_TO_${to.toUpperCase()}`,
      reason: request.comment ?? `${input.fromState} → ${to}`,
      subject: request.reviewer.subject,
      authority: JSON.stringify({ subject: request.reviewer.subject, roles: request.reviewer.roles }),
      policy_version: REVIEW_POLICY_VERSION,
    };
    const promotedDetails: Record<string, unknown> = {
      from: input.fromState,
      to,
      reviewer: request.reviewer.subject,
      governanceDecisionId: input.governanceDecisionId,
    };
    try {
      await deps.db
        .transaction()
        .execute(async (trx) => {
          // A retry after the commit (the completion was lost) finds this promotion's decision and
          // gets the first answer: re-evaluated, an activation would meet itself as the Active
          // version and be refused as a conflict. Attempts of one promotion take turns.
          await sql`select pg_advisory_xact_lock(hashtextextended(${`promotion:${input.promotionId}`}, 0))`.execute(
            trx,
          );
          const prior = await getGovernanceDecision(trx, trace.tenantId, input.governanceDecisionId);
          if (prior?.decision === 'ADMIT') return null;
          if (prior) throw ApplicationFailure.nonRetryable(prior.reason, refusalTypeOf(prior.reason_code));
          const draft = await latestDraft(trx, trace.tenantId, trace.runId);
          if (!draft)
            throw ApplicationFailure.nonRetryable(`no contract draft for run ${trace.runId}`, 'Promotion:DraftMissing');
          const generatedBy = (draft.conformance_metadata as { generatedBy?: { runtimeClass?: string } }).generatedBy;
          if (
            (to === 'Approved' || to === 'Active') &&
            generatedBy?.runtimeClass === 'development' &&
            !DEVELOPMENT_ENVIRONMENTS.includes(deps.config.environment)
          ) {
            throw new Refusal(
              PROMOTION_REFUSAL.developmentRuntime,
              `this draft was generated by a development runtime and cannot be promoted past Review in ${deps.config.environment}`,
            );
          }
          const validation = await latestValidation(trx, trace.tenantId, draft.id);
          const hash = hashOf(draft);
          if (draft.definition_hash && draft.definition_hash !== hash) {
            throw new Refusal(
              PROMOTION_REFUSAL.definitionMismatch,
              `draft revision ${draft.revision} no longer matches its recorded hash (${draft.definition_hash}); refusing ${to}`,
            );
          }
          let pinned: string | null = null;
          let legacyPin = false;
          if (to === 'Active') {
            const approval = await getPromotionInto(trx, trace.tenantId, trace.runId, 'Approved');
            pinned = approval?.definition_hash ?? null;
            // An approval recorded before definitions were pinned names its draft instead: it holds
            // only while no later revision of the draft exists.
            const legacyApproval = approval !== undefined && approval.definition_hash === null;
            legacyPin = legacyApproval;
            const matches = legacyApproval ? approval.contract_draft_id === draft.id : pinned === hash;
            if (!matches) {
              throw new Refusal(
                PROMOTION_REFUSAL.definitionMismatch,
                `the definition to activate (${hash}, draft revision ${draft.revision}) differs from the approved one (${pinned ?? 'none pinned'})`,
              );
            }
          }
          const decisions = await listGovernanceDecisionsForRun(trx, trace.tenantId, trace.runId);
          const acceptedBreakId = validation?.accepted_break_decision_id ?? null;
          if (acceptedBreakId) {
            // The draft passed its compatibility gate on an accepted break: only while that holds.
            const acceptance = decisions.find((d) => d.id === acceptedBreakId);
            const lapse = acceptedBreakLapse(
              { governanceDecisionId: acceptedBreakId, expiresAtUtc: acceptance?.details?.expiresAtUtc },
              deps.clock.now().toISOString(),
            );
            if (lapse) throw new Refusal(PROMOTION_REFUSAL.acceptedBreakExpired, lapse);
          }
          const evidence = decisions
            .map((d) => ({ governance_decision_id: d.id, role: roleOf(d) }))
            .filter((e): e is { governance_decision_id: string; role: PromotionEvidenceRole } => e.role !== null);
          await insertGovernanceDecision(trx, decisionRow);
          evidence.push({ governance_decision_id: input.governanceDecisionId, role: ROLE_FOR_TARGET[to] });

          let capabilityId: string | null = null;
          let conformance: Record<string, unknown> | null = null;
          if (to === 'Active') {
            const acceptedBreak = validation?.accepted_break_decision_id ?? null;
            capabilityId = deterministicUuid('capability', trace.tenantId, draft.capability_key, draft.version ?? '');
            conformance = {
              contractValidationId: validation?.id ?? null,
              outcome: validation?.outcome ?? null,
              strictMode: validation?.strict_mode ?? null,
              gates: (validation?.gates ?? []).map((g) => ({ gate: g.gate, passed: g.passed, severity: g.severity })),
              compatibility: validation?.compatibility
                ? { breaking: validation.compatibility.breaking, findings: validation.compatibility.findings.length }
                : null,
              previousVersion: validation?.previous_version ?? null,
              acceptedBreakDecisionId: acceptedBreak,
              definitionHash: hash,
              approvedDefinitionHash: pinned,
              ...(legacyPin ? { approvedBeforeDefinitionPinning: true } : {}),
            };
            const name = String(draft.manifest.name);
            const { supersededId } = await activateCapabilityVersion(
              trx,
              {
                id: capabilityId,
                tenant_id: trace.tenantId,
                capability_key: draft.capability_key,
                version: draft.version ?? undefined,
                name,
                normalized_name: normalizeName(name),
                identity_key: identityKey(name),
                description: String(draft.manifest.description),
                runtime: String(draft.manifest.runtime),
                input_schema: JSON.stringify(draft.input_schema),
                output_schema: JSON.stringify(draft.output_schema),
                manifest: JSON.stringify({ ...draft.manifest, lifecycleState: 'Active' }),
                lifecycle_state: 'Active',
                source: 'GENERATED',
                source_run_id: trace.runId,
                provenance: JSON.stringify({
                  runId: trace.runId,
                  contractDraftId: draft.id,
                  promotionId: input.promotionId,
                }),
                embedding: null,
                embedding_model: null,
                definition_hash: hash,
                promotion_id: input.promotionId,
                accepted_break_decision_id: acceptedBreak,
              },
              validation?.previous_capability_id ?? null,
            );
            promotedDetails.version = draft.version;
            promotedDetails.supersededCapabilityId = supersededId;
            promotedDetails.capabilityId = capabilityId;
          }
          promotedDetails.definitionHash = hash;
          await insertContractPromotion(
            trx,
            {
              ...linked,
              id: input.promotionId,
              governance_decision_id: input.governanceDecisionId,
              contract_draft_id: draft.id,
              from_state: input.fromState,
              to_state: to,
              requested_by: request.reviewer.subject,
              comment: request.comment,
              contract_validation_id: validation?.id ?? null,
              definition_hash: hash,
              capability_version: draft.version,
              conformance_evidence: conformance ? JSON.stringify(conformance) : null,
              capability_id: capabilityId,
            },
            evidence,
          );
          await updateRun(trx, trace.tenantId, trace.runId, {
            lifecycle_state: to,
            status: STATUS_FOR_STATE[to],
            ...(to === 'Active' ? { completed_at_utc: deps.clock.now() } : {}),
          });
          const event = buildTelemetryEvent(
            deterministicUuid(input.promotionId, 'CONTRACT_PROMOTED'),
            trace,
            'CONTRACT_PROMOTED',
            'promotion',
            to,
            { details: promotedDetails },
          );
          await insertTelemetryEvent(trx, event);
          return event;
        })
        .then((event) => event && deps.telemetry.emit(event));
    } catch (err) {
      const refusal =
        err instanceof Refusal
          ? err
          : err instanceof ActivationConflictError
            ? new Refusal(PROMOTION_REFUSAL.activationConflict, err.message)
            : null;
      if (!refusal) throw err;
      await recordRefusal(deps, input, refusal);
      throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
    }
  };
}

const REFUSAL_REASON_CODES: Record<string, string> = {
  [PROMOTION_REFUSAL.activationConflict]: 'ACTIVATION_CONFLICT',
  [PROMOTION_REFUSAL.definitionMismatch]: 'DEFINITION_MISMATCH',
  [PROMOTION_REFUSAL.developmentRuntime]: 'DEVELOPMENT_RUNTIME',
  [PROMOTION_REFUSAL.acceptedBreakExpired]: 'ACCEPTED_BREAK_EXPIRED',
};

/** The refusal type a recorded DENY decision stands for. */
function refusalTypeOf(reasonCode: string): string {
  const found = Object.entries(REFUSAL_REASON_CODES).find(([, code]) => code === reasonCode);
  return found ? found[0] : 'Promotion:Refused';
}

/** The refusal on the record: a DENY decision and its event, in their own transaction. */
async function recordRefusal(deps: ActivityDeps, input: RecordPromotionInput, refusal: Refusal): Promise<void> {
  const { trace, request } = input;
  const event = buildTelemetryEvent(
    deterministicUuid(input.promotionId, 'PROMOTION_REFUSED'),
    trace,
    'PROMOTION_REFUSED',
    'promotion',
    'REFUSED',
    {
      error: { type: refusal.type, message: refusal.message },
      details: { from: input.fromState, to: request.targetState, reviewer: request.reviewer.subject },
    },
  );
  await commitStep(deps, [event], (trx) =>
    insertGovernanceDecision(trx, {
      id: input.governanceDecisionId,
      tenant_id: trace.tenantId,
      correlation_id: request.correlationId,
      run_id: trace.runId,
      kind: 'PROMOTION',
      decision: 'DENY',
      reason_code: REFUSAL_REASON_CODES[refusal.type] ?? 'PROMOTION_REFUSED',
      reason: refusal.message,
      subject: request.reviewer.subject,
      authority: JSON.stringify({ subject: request.reviewer.subject, roles: request.reviewer.roles }),
      policy_version: REVIEW_POLICY_VERSION,
    }),
  );
}
