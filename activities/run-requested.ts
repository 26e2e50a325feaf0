import { insertRun } from '../db/repositories/runs';
import { deterministicUuid } from '../domain/deterministic-id';
import { generationRunWorkflowId } from '../workflows/ids';
import type { GenerationRunInput } from '../domain/types';
import type { ActivityDeps } from './deps';
import { capabilityKeyFor } from '../domain/duplicates/normalize';
import { commitStepOnce } from './telemetry/record';
import { requestTrace } from '../domain/trace';
import { STEP_FAILURE, StepError } from '../domain/failures';
import { buildTelemetryEvent, type TraceContext } from '../domain/telemetry-event';

export interface RunRequestedResult {
  capabilityKey: string;
  trace: TraceContext;
}

/**
 * The attempt record, written before anything is decided, so denied attempts are persisted too.
 * Returns the run's first trace; a retry returns the one stored on the first commit.
 */
export function createRecordRunRequested(deps: ActivityDeps) {
  return async function recordRunRequested(input: GenerationRunInput): Promise<RunRequestedResult> {
    const key = { step: 'request', id: input.runId, tenantId: input.tenantId, runId: input.runId };
    return commitStepOnce(deps, key, async () => {
      // A revision proposes the next version of an existing key; a new capability's key comes from its name.
      const capabilityKey = input.revisionOf ?? capabilityKeyOf(input.intent.name);
      const trace = requestTrace(input, capabilityKey);
      const event = buildTelemetryEvent(
        deterministicUuid(input.runId, 'RUN_REQUESTED'),
        trace,
        'RUN_REQUESTED',
        'request',
        'ACCEPTED',
        { details: { requestedAtUtc: input.requestedAtUtc, redactions: input.redactions ?? [] } },
      );
      return {
        result: { capabilityKey, trace },
        events: [event],
        write: (trx) =>
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
            revision_of: input.revisionOf ?? null,
            created_at_utc: input.requestedAtUtc,
          }),
      };
    });
  };
}

/** The capability key, or a permanent fault: a name without letters or digits never gets one. */
function capabilityKeyOf(name: string): string {
  try {
    return capabilityKeyFor(name);
  } catch (err) {
    throw new StepError(STEP_FAILURE.invalidCapabilityName, err instanceof Error ? err.message : String(err));
  }
}
