import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import {
  acceptRunStart,
  acceptRunStarts,
  claimDueRunStarts,
  getRunStart,
  markRunsStarted,
  purgeStartedRunStarts,
} from '../../db/repositories/run-starts';
import type { GenerationRunInput } from '../../domain/types';
import { generationRunWorkflowId } from '../../workflows/ids';
import { createRunStarter } from '../../api/run-starter';
import type { GenerationGateway } from '../../api/generation-gateway';
import { createLogger } from '../../lib/logger';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * The run-start outbox (api/run-starter.ts): a run accepted by `POST /runs` is a committed row
 * before the answer, and its workflow starts from that row, also when the process that accepted
 * it died before starting it.
 */

const AUTHOR = ['capability-author'];
const INTENT = {
  name: 'Tide Table',
  problemStatement: 'Return the times of high and low tide for a harbour on a given date.',
  language: 'typescript',
  targetRuntime: 'node20',
};

let env: TestWorkflowEnvironment;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

function inputFor(tenant: string, runId: string): GenerationRunInput {
  return {
    runId,
    tenantId: tenant,
    correlationId: `${tenant}:corr-${runId.slice(0, 8)}`,
    principal: { subject: `author-${tenant}`, tenantId: tenant, roles: AUTHOR },
    intent: { ...INTENT, seedInputSchema: null, examples: [] },
    redactions: [],
    requestedAtUtc: new Date().toISOString(),
  } as GenerationRunInput;
}

/** An outbox row for `runId`, on a queue nobody polls unless the test says otherwise. */
function outboxRow(
  tenant: string,
  runId: string,
  opts: { taskQueue?: string; leaseMs?: number; inFlightCap?: number | null } = {},
) {
  return {
    runId,
    tenantId: tenant,
    taskQueue: opts.taskQueue ?? `nobody-polls-${tenant}`,
    workflowId: generationRunWorkflowId(runId),
    input: inputFor(tenant, runId),
    leaseMs: opts.leaseMs ?? 60_000,
    inFlightCap: opts.inFlightCap ?? null,
  };
}

/** Starts are marked in batches, a few milliseconds after the workflow started. */
async function waitForStarted(tenant: string, runId: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await getRunStart(stack.db, tenant, runId))?.startedAtUtc) {
    if (Date.now() > deadline) throw new Error(`run ${runId} was never marked started`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the run-start outbox', () => {
  it('commits the accepted run before answering 202, and marks it started', async () => {
    const tenant = uniqueTenant('outbox');
    const token = await stack.token(tenant, AUTHOR);
    const res = await api(stack, 'POST', '/runs', { token, body: INTENT });
    expect(res.status).toBe(202);
    const row = await getRunStart(stack.db, tenant, res.body.runId);
    expect(row?.workflowId).toBe(generationRunWorkflowId(res.body.runId));
    expect(res.body.workflowId).toBe(row?.workflowId);
    await waitForStatus(stack, token, res.body.runId, ['DRAFT', 'AWAITING_ADJUDICATION']);
    await waitForStarted(tenant, res.body.runId);
    // Another tenant never sees it.
    expect(await getRunStart(stack.db, uniqueTenant('other'), res.body.runId)).toBeUndefined();
  });

  it('starts a run whose accepting process died before starting it, once its lease ends', async () => {
    const tenant = uniqueTenant('orphan');
    const token = await stack.token(tenant, AUTHOR);
    const runId = crypto.randomUUID();
    // What a process that crashed right after committing leaves behind: a row, no workflow.
    const accepted = await acceptRunStart(
      stack.db,
      outboxRow(tenant, runId, { taskQueue: stack.taskQueue, leaseMs: 1_500 }),
    );
    expect(accepted).toEqual({ kind: 'accepted' });
    const before = await api(stack, 'GET', `/runs/${runId}`, { token });
    expect(before.body).toMatchObject({ runId, status: 'REQUESTED', workflowStatus: 'NOT_STARTED', pending: true });
    const rested = await waitForStatus(stack, token, runId, ['DRAFT', 'AWAITING_ADJUDICATION']);
    expect(rested.body.runId).toBe(runId);
    const row = await getRunStart(stack.db, tenant, runId);
    expect(row?.attempts).toBe(2); // the dead process's, then the poller's
    await waitForStarted(tenant, runId);
  });

  it('leases a due row to one starter only, and only on its own task queue', async () => {
    const tenant = uniqueTenant('lease');
    const queue = `lease-${tenant}`;
    const runId = crypto.randomUUID();
    await acceptRunStart(stack.db, outboxRow(tenant, runId, { taskQueue: queue, leaseMs: 0 }));
    expect(await claimDueRunStarts(stack.db, `another-${queue}`, 10, 60_000)).toEqual([]);
    const [a, b] = await Promise.all([
      claimDueRunStarts(stack.db, queue, 10, 60_000),
      claimDueRunStarts(stack.db, queue, 10, 60_000),
    ]);
    expect([...a, ...b].map((r) => r.runId)).toEqual([runId]);
    // Leased: not due again until the lease ends.
    expect(await claimDueRunStarts(stack.db, queue, 10, 60_000)).toEqual([]);
  });

  it('refuses a run over the tenant cap in the same statement that would accept it, counting unstarted runs', async () => {
    const tenant = uniqueTenant('cap');
    const accept = (runId: string, cap: number | null) => acceptRunStart(stack.db, outboxRow(tenant, runId), cap);
    const a = crypto.randomUUID();
    expect(await accept(a, 2)).toEqual({ kind: 'accepted' });
    expect(await accept(crypto.randomUUID(), 2)).toEqual({ kind: 'accepted' });
    expect(await accept(crypto.randomUUID(), 2)).toEqual({ kind: 'over-cap', inFlight: 2 });
    expect(await accept(a, 5)).toEqual({ kind: 'exists' });
    expect(await accept(crypto.randomUUID(), null)).toEqual({ kind: 'accepted' });
  });

  it('commits a batch in one statement, each run with its own outcome and the cap counting the batch', async () => {
    const tenant = uniqueTenant('batch');
    const other = uniqueTenant('batch-other');
    const row = (t: string, runId: string, inFlightCap: number | null) => outboxRow(t, runId, { inFlightCap });
    const existing = crypto.randomUUID();
    expect(await acceptRunStart(stack.db, row(tenant, existing, null))).toEqual({ kind: 'accepted' });
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    const outcomes = await acceptRunStarts(stack.db, [
      row(tenant, ids[0]!, 3), // 1 in flight before it
      row(other, ids[1]!, 1), // another tenant: its own count
      row(tenant, ids[2]!, 3), // 2 before it (the first of this batch)
      row(tenant, ids[3]!, 3), // 3 before it: over the cap
      row(tenant, existing, null), // a retry of an accepted run
      row(tenant, ids[4]!, null), // no cap
    ]);
    expect(outcomes).toEqual([
      { kind: 'accepted' },
      { kind: 'accepted' },
      { kind: 'accepted' },
      { kind: 'over-cap', inFlight: 3 },
      { kind: 'exists' },
      { kind: 'accepted' },
    ]);
    expect(await getRunStart(stack.db, tenant, ids[3]!)).toBeUndefined();
    expect(await getRunStart(stack.db, other, ids[1]!)).toBeDefined();
    expect(await getRunStart(stack.db, tenant, ids[1]!)).toBeUndefined();
  });

  it('accepts the runs that shared a statement with one that fails, and fails only that one', async () => {
    const tenant = uniqueTenant('isolate');
    const started: string[] = [];
    const starter = createRunStarter({
      db: stack.db,
      gateway: {
        taskQueue: `nobody-polls-${tenant}`,
        startRun: async (input: GenerationRunInput) => {
          started.push(input.runId);
          return { workflowId: generationRunWorkflowId(input.runId) };
        },
      } as unknown as GenerationGateway,
      logger: createLogger('error', 'test'),
    });
    const ids = Array.from({ length: 4 }, () => crypto.randomUUID());
    // PostgreSQL stores no U+0000 in jsonb: this run's row cannot be written (the API refuses such
    // a body before it gets here; the starter must not let it fail the others either way).
    const inputs = ids.map((id, i) => {
      const input = inputFor(tenant, id);
      if (i === 2) input.intent = { ...input.intent, problemStatement: 'broken \u0000 statement' };
      return input;
    });
    const outcomes = await Promise.allSettled(inputs.map((input) => starter.accept(input, 10)));
    await starter.stop();
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const [i, id] of ids.entries()) {
      expect(Boolean(await getRunStart(stack.db, tenant, id))).toBe(i !== 2);
    }
    expect(started.sort()).toEqual([ids[0], ids[1], ids[3]].sort());
  });

  it('purges started rows past their retention, never a row still owed a start', async () => {
    const tenant = uniqueTenant('purge');
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const runId of ids) {
      await acceptRunStart(stack.db, outboxRow(tenant, runId));
    }
    const [old, recent, owed] = ids as [string, string, string];
    await markRunsStarted(stack.db, [old, recent]);
    await sql`update ai_generation_run_starts set started_at_utc = now() - interval '8 days' where run_id = ${old}`.execute(
      stack.db,
    );
    await sql`update ai_generation_run_starts set accepted_at_utc = now() - interval '9 days' where run_id = ${owed}`.execute(
      stack.db,
    );
    expect(await purgeStartedRunStarts(stack.db, 7 * 24 * 3_600_000, 1_000)).toBeGreaterThanOrEqual(1);
    expect(await getRunStart(stack.db, tenant, old)).toBeUndefined();
    expect(await getRunStart(stack.db, tenant, recent)).toBeDefined();
    expect((await getRunStart(stack.db, tenant, owed))?.startedAtUtc).toBeNull();
  });

  it('answers a repeated Idempotency-Key with the same run and one outbox row', async () => {
    const tenant = uniqueTenant('idem');
    const token = await stack.token(tenant, AUTHOR);
    const post = () =>
      fetch(`${stack.url}/api/admin/ai-generation/runs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-correlation-id': `corr-${tenant}`,
          'idempotency-key': `key-${tenant}`,
        },
        body: JSON.stringify(INTENT),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const [first, second] = await Promise.all([post(), post()]);
    expect(first.body.runId).toBe(second.body.runId);
    const rows = await stack.db
      .selectFrom('ai_generation_run_starts')
      .select('run_id')
      .where('tenant_id', '=', tenant)
      .execute();
    expect(rows).toHaveLength(1);
  });
});
