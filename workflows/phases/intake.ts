import { log, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { ResolveAuthorityResult } from '../../activities/authority';
import type { RunRequestedResult } from '../../activities/run-requested';
import type { FreezeSnapshotResult, FrozenSnapshot } from '../../activities/snapshot';
import type { ExecutionAuthority } from '../../domain/authority-policy';
import { CapabilityKeyKey, GenerationStatusKey } from '../search-attributes';
import { traceWithAuthority, traceWithSnapshot } from '../../domain/trace';
import { carriedTrace, mergedOrSingly, persistence, step, traceOf, type Run } from './run';

/**
 * Intake: record the request, resolve authority (recorded either way), freeze the snapshot; runs
 * with `merged-intake` also assemble the prompt here, all in one activity.
 * Returns the frozen snapshot, or null when authority denied the run (the run ends DENIED).
 */
export async function intake(run: Run): Promise<FrozenSnapshot | null> {
  return run.mergedIntake ? admit(run) : stepByStep(run);
}

interface IntakeIds {
  governanceDecisionId: string;
  executionSnapshotId: string;
}

/** `merged-intake`: every id made up front, then one `admitRun`. */
async function admit(run: Run): Promise<FrozenSnapshot | null> {
  const ids = { governanceDecisionId: uuid4(), executionSnapshotId: uuid4() };
  const promptRunId = uuid4();
  run.promptRunId = promptRunId;
  return mergedOrSingly(
    () => persistence.admitRun({ run: run.input, ...ids, promptRunId }),
    (admitted) => {
      requested(run, admitted.requested);
      const authority = authorized(run, admitted.authority, ids.governanceDecisionId);
      if (!authority) return null;
      const snapshot = frozen(run, admitted.snapshot!); // present whenever authority admits
      run.prompt = admitted.prompt;
      step(run, 'prompt');
      return snapshot;
    },
    // generate then assembles the prompt under the same id
    () => stepByStep(run, ids),
    // The failure record needs the request's trace: recorded by admitRun, or now (the same row).
    async () => {
      if (!run.trace) requested(run, await persistence.recordRunRequested(run.input));
    },
  );
}

/** One activity per step; `ids` are made as each step comes unless `merged-intake` made them. */
async function stepByStep(run: Run, ids?: IntakeIds): Promise<FrozenSnapshot | null> {
  const { input } = run;
  requested(run, await persistence.recordRunRequested(input));

  // Authority: the server's decision, recorded either way.
  const governanceDecisionId = ids?.governanceDecisionId ?? uuid4();
  const resolved = await persistence.resolveAuthority({ run: input, governanceDecisionId, trace: traceOf(run) });
  const authority = authorized(run, resolved, governanceDecisionId);
  if (!authority) return null;

  // Snapshot: the immutable trace root; everything below reads its frozen values.
  const snapshot = await persistence.freezeSnapshot({
    run: input,
    authority,
    executionSnapshotId: ids?.executionSnapshotId ?? uuid4(),
    trace: traceOf(run),
  });
  return frozen(run, snapshot);
}

function requested(run: Run, result: RunRequestedResult): void {
  run.trace = result.trace;
  run.state.capabilityKey = result.capabilityKey;
  upsertSearchAttributes([{ key: CapabilityKeyKey, value: result.capabilityKey }]);
  step(run, 'request');
}

/** Applies the authority decision; returns it when it admits the run, null when it denied it. */
function authorized(
  run: Run,
  resolved: ResolveAuthorityResult,
  governanceDecisionId: string,
): ExecutionAuthority | null {
  const { input, state } = run;
  const { trace: _authorityTrace, ...authority } = resolved;
  const before = traceOf(run);
  run.trace = carriedTrace(resolved, () => traceWithAuthority(before, authority, governanceDecisionId));
  state.governanceDecisionId = governanceDecisionId;
  step(run, 'authority');
  if (authority.decision === 'DENY') {
    state.status = 'DENIED';
    state.failureReason = authority.reason;
    upsertSearchAttributes([{ key: GenerationStatusKey, value: 'DENIED' }]);
    log.info('generation run denied', { runId: input.runId, reasonCode: authority.reasonCode });
    return null;
  }
  state.status = 'RUNNING';
  upsertSearchAttributes([{ key: GenerationStatusKey, value: 'RUNNING' }]);
  return authority;
}

function frozen(run: Run, result: FreezeSnapshotResult): FrozenSnapshot {
  const { trace: _snapshotTrace, ...snapshot } = result;
  const admitted = traceOf(run);
  run.trace = carriedTrace(result, () =>
    traceWithSnapshot(admitted, snapshot.executionSnapshotId, snapshot.promptTemplate),
  );
  run.state.executionSnapshotId = snapshot.executionSnapshotId;
  step(run, 'snapshot');
  return snapshot;
}
