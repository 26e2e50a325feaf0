import { log, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { FrozenSnapshot } from '../../activities/snapshot';
import { CapabilityKeyKey, GenerationStatusKey } from '../search-attributes';
import { traceWithAuthority, traceWithSnapshot } from '../../domain/trace';
import { carriedTrace, persistence, step, type Run } from './run';

/**
 * Intake: record the request, resolve authority (recorded either way), freeze the snapshot.
 * Returns the frozen snapshot, or null when authority denied the run (the run ends DENIED).
 */
export async function intake(run: Run): Promise<FrozenSnapshot | null> {
  const { input, state } = run;
  const requested = await persistence.recordRunRequested(input);
  run.trace = requested.trace;
  state.capabilityKey = requested.capabilityKey;
  upsertSearchAttributes([{ key: CapabilityKeyKey, value: requested.capabilityKey }]);
  step(run, 'request');

  // Authority: the server's decision, recorded either way.
  const governanceDecisionId = uuid4();
  const resolved = await persistence.resolveAuthority({ run: input, governanceDecisionId, trace: run.trace });
  const { trace: _authorityTrace, ...authority } = resolved;
  const before = run.trace;
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

  // Snapshot: the immutable trace root; everything below reads its frozen values.
  const frozen = await persistence.freezeSnapshot({
    run: input,
    authority,
    executionSnapshotId: uuid4(),
    trace: run.trace,
  });
  const { trace: _snapshotTrace, ...snapshot } = frozen;
  const admitted = run.trace;
  run.trace = carriedTrace(frozen, () =>
    traceWithSnapshot(admitted, snapshot.executionSnapshotId, snapshot.promptTemplate),
  );
  state.executionSnapshotId = snapshot.executionSnapshotId;
  step(run, 'snapshot');
  return snapshot;
}
