import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import type { CheckDraftResult } from '../../activities/check-draft';
import type { RecordPromotionInput } from '../../activities/governance';
import type { LifecycleState } from '../../domain/types';
import { activityTestEnv, answeredRun, authorRunInput, FIXED_NOW, runAttempt } from '../helpers/activities';

/**
 * A promotion whose completion is lost (the worker dies after the commit, or the attempt times
 * out) is retried by Temporal with the same ids. The retry must give the first attempt's answer:
 * not refuse its own activation as a conflict, not write a second promotion or a refusal.
 * Against real PostgreSQL.
 */

const { db, depsWith } = activityTestEnv();

const workflowRunId = randomUUID();
/** An activity on attempt `n`, as Temporal runs it. */
const run1 = <A extends unknown[], R>(n: number, fn: (...a: A) => Promise<R>, ...args: A): Promise<R> =>
  runAttempt(n, { activityType: fn.name, workflowRunId }, fn, ...args);

/** A run in Draft: admitted, answered by the model, its contract drafted and checked. */
async function draftRun(tenantId: string, name?: string) {
  const deps = depsWith();
  const run = authorRunInput(tenantId, FIXED_NOW);
  if (name) run.intent.name = name;
  const checked = await run1(1, createActivities(deps).checkDraft, await answeredRun(deps, run));
  expect(checked.contract.outcome).toBe('PASSED');
  return { run, checked };
}

async function recordOf(tenantId: string, runId: string) {
  const promotions = await db
    .selectFrom('ai_generation_contract_promotions')
    .select(['id', 'to_state'])
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('promoted_at_utc')
    .execute();
  const decisions = await db
    .selectFrom('governance_decisions')
    .select(['id', 'kind', 'decision'])
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('telemetry_events')
    .select(['id', 'event_type'])
    .where('tenant_id', '=', tenantId)
    .where('run_id', '=', runId)
    .orderBy('sequence')
    .execute();
  const capabilities = await db
    .selectFrom('capabilities')
    .select(['id', 'lifecycle_state'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const run = await db
    .selectFrom('ai_generation_runs')
    .select(['lifecycle_state', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  return { promotions, decisions, events, capabilities, run };
}

function promotion(
  tenantId: string,
  checked: CheckDraftResult,
  fromState: LifecycleState,
  to: LifecycleState,
): RecordPromotionInput {
  return {
    promotionId: randomUUID(),
    governanceDecisionId: randomUUID(),
    contractDraftId: checked.contract.contractDraftId,
    fromState,
    request: {
      targetState: to,
      comment: `to ${to}`,
      reviewer: { subject: 'bob', tenantId, roles: ['capability-reviewer'] },
      correlationId: `corr-${randomUUID()}`,
    },
    trace: checked.duplicates.trace!,
  };
}

describe('a promotion retried after its commit', () => {
  it('returns as the first attempt did for Review, Approved and Active: one promotion each, no refusal, one Active version', async () => {
    const tenantId = `promote-retry-${randomUUID()}`;
    const { run, checked } = await draftRun(tenantId);
    const acts = createActivities(depsWith());
    const reviewer = { subject: 'bob', tenantId, roles: ['capability-reviewer'] };
    let from: LifecycleState = 'Draft';
    for (const to of ['Review', 'Approved', 'Active'] as const) {
      const input: RecordPromotionInput = {
        promotionId: randomUUID(),
        governanceDecisionId: randomUUID(),
        contractDraftId: checked.contract.contractDraftId,
        fromState: from,
        request: { targetState: to, comment: `to ${to}`, reviewer, correlationId: `corr-${randomUUID()}` },
        trace: checked.duplicates.trace!,
      };
      await run1(1, acts.recordPromotion, input);
      const first = await recordOf(tenantId, run.runId);
      // The completion was lost: Temporal runs attempt 2 with the same input.
      await expect(run1(2, acts.recordPromotion, input)).resolves.toBeUndefined();
      expect(await recordOf(tenantId, run.runId)).toEqual(first);
      from = to;
    }
    const final = await recordOf(tenantId, run.runId);
    expect(final.promotions.map((p) => p.to_state)).toEqual(['Review', 'Approved', 'Active']);
    expect(final.events.filter((e) => e.event_type === 'CONTRACT_PROMOTED')).toHaveLength(3);
    expect(final.events.filter((e) => e.event_type === 'PROMOTION_REFUSED')).toEqual([]);
    expect(final.capabilities.filter((c) => c.lifecycle_state === 'Active')).toHaveLength(1);
    expect(final.run).toEqual({ lifecycle_state: 'Active', status: 'ACTIVE' });
  });

  it('gives a refused activation its recorded refusal again, even once the conflict is gone', async () => {
    const tenantId = `promote-refused-${randomUUID()}`;
    const name = `Convert Units ${randomUUID().slice(0, 8)}`;
    const a = await draftRun(tenantId, name);
    const b = await draftRun(tenantId, name);
    const acts = createActivities(depsWith());
    for (const [from, to] of [
      ['Draft', 'Review'],
      ['Review', 'Approved'],
      ['Approved', 'Active'],
    ] as const) {
      await run1(1, acts.recordPromotion, promotion(tenantId, a.checked, from, to));
    }
    await run1(1, acts.recordPromotion, promotion(tenantId, b.checked, 'Draft', 'Review'));
    await run1(1, acts.recordPromotion, promotion(tenantId, b.checked, 'Review', 'Approved'));
    // B was checked against no Active version; A is Active now: B's activation is refused.
    const activateB = promotion(tenantId, b.checked, 'Approved', 'Active');
    await expect(run1(1, acts.recordPromotion, activateB)).rejects.toMatchObject({
      type: 'Promotion:ActivationConflict',
      nonRetryable: true,
    });
    const refused = await recordOf(tenantId, b.run.runId);
    // The conflict goes away (A is retired) before the retry of B's lost completion arrives.
    await db
      .updateTable('capabilities')
      .set({ lifecycle_state: 'Superseded' })
      .where('tenant_id', '=', tenantId)
      .where('lifecycle_state', '=', 'Active')
      .execute();
    await expect(run1(2, acts.recordPromotion, activateB)).rejects.toMatchObject({
      type: 'Promotion:ActivationConflict',
      nonRetryable: true,
    });
    const after = await recordOf(tenantId, b.run.runId);
    expect({ ...after, capabilities: refused.capabilities }).toEqual(refused);
    expect(after.capabilities.filter((c) => c.lifecycle_state === 'Active')).toEqual([]);
    expect(after.decisions.find((d) => d.id === activateB.governanceDecisionId)?.decision).toBe('DENY');
    expect(after.events.filter((e) => e.event_type === 'PROMOTION_REFUSED')).toHaveLength(1);
  });
});
