import { insertRun } from '../db/repositories/runs';
import { deterministicUuid } from '../lib/deterministic-id';
import { generationRunWorkflowId } from '../workflows/ids';
import type { GenerationRunInput } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { capabilityKeyFor } from './duplicates/normalize';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, type TraceContext } from './telemetry/event';

export interface RunRequestedResult {
  capabilityKey: string;
  trace: TraceContext;
}

/** The attempt record, written before anything is decided, so denied attempts are persisted too. */
export function createRecordRunRequested(deps: ActivityDeps) {
  return async function recordRunRequested(input: GenerationRunInput): Promise<RunRequestedResult> {
    const capabilityKey = capabilityKeyFor(input.intent.name);
    const trace: TraceContext = {
      runId: input.runId,
      tenantId: input.tenantId,
      correlationId: input.correlationId,
      capabilityKey,
      language: input.intent.language,
      targetRuntime: input.intent.targetRuntime,
      authority: {
        subject: input.principal.subject,
        roles: input.principal.roles,
        decision: null,
        governanceDecisionId: null,
        policyVersion: null,
      },
      executionSnapshotId: null,
      runtime: null,
      promptTemplate: null,
      duplicateOutcome: null,
      contractValidationOutcome: null,
      fallback: { used: false, reason: null },
    };
    const event = buildTelemetryEvent(
      deterministicUuid(input.runId, 'RUN_REQUESTED'),
      trace,
      'RUN_REQUESTED',
      'request',
      'ACCEPTED',
      {
        details: { requestedAtUtc: input.requestedAtUtc },
      },
    );
    await commitStep(deps, [event], (trx) =>
      insertRun(trx, {
        id: input.runId,
        tenant_id: input.tenantId,
        correlation_id: input.correlationId,
        workflow_id: generationRunWorkflowId(input.runId),
        requested_by: input.principal.subject,
        capability_key: capabilityKey,
        capability_name: input.intent.name,
        language: input.intent.language,
        target_runtime: input.intent.targetRuntime,
        intent: JSON.stringify(input.intent),
        status: 'REQUESTED',
        created_at_utc: input.requestedAtUtc,
      }),
    );
    return { capabilityKey, trace };
  };
}
