/**
 * Records workflow histories for the replay test, into the folder of the workflow version that
 * produced them: `npx tsx tests/replay/record-histories.ts v2 awaiting-adjudication mid-review`.
 * Histories are never re-recorded: the script refuses to overwrite a file. A new release records
 * into a new version folder; the old folders stay, because runs of those versions may be in flight.
 */
import { execFileSync } from 'node:child_process';
import { Client as PgClient } from 'pg';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { temporalCliPath } from '../../lib/tools';
import path from 'node:path';
import { completionFor, startFakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, uniqueTenant, waitForStatus } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { ensureDatabase, TEST_DATABASE_URL } from '../helpers/db';
import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { generationRunWorkflowId } from '../../workflows/ids';
import { upsertActiveEntry } from '../helpers/catalog-fixtures';

const SCENARIOS = [
  'promoted-to-active',
  'denied',
  'fallback-then-blocked',
  'awaiting-adjudication',
  'mid-review',
  'cancelled-in-intake',
] as const;

async function main(): Promise<void> {
  const [version, ...names] = process.argv.slice(2);
  if (!version || !/^v\d+$/.test(version) || names.length === 0) {
    throw new Error(`usage: record-histories.ts vN <scenario…>; scenarios: ${SCENARIOS.join(', ')}`);
  }
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`);
  const out = path.join(__dirname, 'histories', version);
  const taken = names.filter((n) => existsSync(path.join(out, `${n}.json`)));
  if (taken.length > 0)
    throw new Error(`already recorded, never re-recorded: ${taken.map((n) => `${version}/${n}`).join(', ')}`);
  mkdirSync(out, { recursive: true });
  process.env.LOG_SILENT = 'true';
  await ensureDatabase(TEST_DATABASE_URL);
  const migrator = createDb(TEST_DATABASE_URL, 1);
  await migrateToLatest(migrator);
  await migrator.destroy();

  const env = await startTemporalDevServer();
  const openai = await startFakeOpenAi();
  const stack = await startStack(env, {
    OPENAI_API_KEY: 'sk-test-recording',
    OPENAI_BASE_URL: openai.baseUrl,
    AI_MODEL_PROVIDERS: 'openai,local',
    // Low enough that a similar catalog entry needs a reviewer whatever the detector's calibration.
    AiGeneration__DuplicateThresholds: 'potential=0.3,blocking=0.999',
  });
  const tenant = uniqueTenant('replay');
  const author = await stack.token(tenant, ['capability-author', 'capability-reviewer'], 'alice');
  const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
  const intent = (name: string) => ({
    name,
    problemStatement: `Do the job of ${name} well.`,
    language: 'typescript',
    targetRuntime: 'node20',
  });

  /** An Active catalog entry the next run of that tenant is compared with. */
  function seedActive(tenantId: string, name: string): Promise<void> {
    return upsertActiveEntry(stack.db, tenantId, name);
  }

  /** Waits for the run's workflow to close (raw describe: its payloads are encrypted). */
  async function closed(runId: string): Promise<void> {
    const execution = { workflowId: generationRunWorkflowId(runId) };
    for (let i = 0; i < 300; i++) {
      const raw = await env.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution });
      if (raw.workflowExecutionInfo?.status !== 1 /* RUNNING */) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} did not close`);
  }

  async function record(name: string, runId: string): Promise<void> {
    // The CLI writes the standard JSON history format (the SDK's own exporter trips over duplicate
    // protobufjs copies in this dependency tree).
    const cli = temporalCliPath();
    if (!cli) throw new Error('the Temporal CLI is not installed; run npm run setup');
    const json = execFileSync(
      cli,
      [
        'workflow',
        'show',
        '--workflow-id',
        generationRunWorkflowId(runId),
        '--address',
        env.address,
        '--namespace',
        'default',
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(path.join(out, `${name}.json`), json);
    console.log(`recorded ${name}`);
  }

  const wanted = new Set(names);
  try {
    if (wanted.has('awaiting-adjudication')) {
      // A potential duplicate of a catalog entry: the run waits (open) for a reviewer's verdict.
      const name = 'City Weather Lookup Tool';
      const own = uniqueTenant('replay-adjudication');
      const ownAuthor = await stack.token(own, ['capability-author'], 'alice');
      await seedActive(own, name);
      openai.script({ kind: 'completion', content: completionFor(intent('Lookup City Weather')) });
      const waiting = await api(stack, 'POST', '/runs', { token: ownAuthor, body: intent('Lookup City Weather') });
      const s = await waitForStatus(stack, ownAuthor, waiting.body.runId, [
        'AWAITING_ADJUDICATION',
        'DRAFT',
        'BLOCKED',
      ]);
      if (s.body.status !== 'AWAITING_ADJUDICATION')
        throw new Error(`expected a wait for adjudication, got ${s.body.status}`);
      await record('awaiting-adjudication', waiting.body.runId);
    }

    if (wanted.has('mid-review')) {
      // Draft, promoted to Review by a reviewer; open, waiting for the next reviewer.
      // A tenant of its own: an open run is an in-flight duplicate candidate for later runs.
      const own = uniqueTenant('replay-review');
      const ownAuthor = await stack.token(own, ['capability-author'], 'alice');
      const ownReviewer = await stack.token(own, ['capability-reviewer'], 'bob');
      openai.script({ kind: 'completion', content: completionFor(intent('Replay Review')) });
      const review = await api(stack, 'POST', '/runs', { token: ownAuthor, body: intent('Replay Review') });
      await waitForStatus(stack, ownAuthor, review.body.runId, ['DRAFT']);
      const r = await api(stack, 'POST', `/runs/${review.body.runId}/promote`, {
        token: ownReviewer,
        body: { targetState: 'Review' },
      });
      if (r.status !== 200) throw new Error(`promotion to Review failed: ${JSON.stringify(r.body)}`);
      await record('mid-review', review.body.runId);
    }

    if (wanted.has('promoted-to-active')) {
      // Draft, then promoted all the way to Active (completes the workflow).
      openai.script({ kind: 'completion', content: completionFor(intent('Replay Active')) });
      const active = await api(stack, 'POST', '/runs', { token: author, body: intent('Replay Active') });
      await waitForStatus(stack, author, active.body.runId, ['DRAFT']);
      for (const [token, targetState] of [
        [reviewer, 'Review'],
        [reviewer, 'Approved'],
        [reviewer, 'Active'],
      ] as const) {
        const r = await api(stack, 'POST', `/runs/${active.body.runId}/promote`, { token, body: { targetState } });
        if (r.status !== 200) throw new Error(`promotion to ${targetState} failed: ${JSON.stringify(r.body)}`);
      }
      await closed(active.body.runId);
      await record('promoted-to-active', active.body.runId);
    }

    if (wanted.has('denied')) {
      // Denied at authority, in the workflow: an author asking for a runtime that is not admitted
      // (a missing role is refused at the API's edge, where no workflow starts).
      const denied = await api(stack, 'POST', '/runs', {
        token: author,
        body: { ...intent('Replay Denied'), targetRuntime: 'cobol85' },
      });
      if (!denied.body.runId) throw new Error(`the denied run did not start: ${JSON.stringify(denied.body)}`);
      await closed(denied.body.runId);
      await record('denied', denied.body.runId);
    }

    if (wanted.has('fallback-then-blocked')) {
      // Provider fallback, then blocked as a duplicate of an Active capability of the same name.
      const own = uniqueTenant('replay-blocked');
      const ownAuthor = await stack.token(own, ['capability-author'], 'alice');
      await seedActive(own, 'Replay Active');
      openai.script({ kind: 'error', status: 401, message: 'bad key' });
      const blocked = await api(stack, 'POST', '/runs', { token: ownAuthor, body: intent('Replay Active') });
      await closed(blocked.body.runId);
      await record('fallback-then-blocked', blocked.body.runId);
    }

    if (wanted.has('cancelled-in-intake')) {
      // Cancelled by an operator while admitRun waits on a lock of the snapshots table
      // (cancel-recovers-trace-only): the run ends FAILED, cancelled, and runs no further step.
      const own = uniqueTenant('replay-cancelled');
      const ownAuthor = await stack.token(own, ['capability-author'], 'alice');
      const locker = new PgClient({ connectionString: TEST_DATABASE_URL });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table execution_snapshots in access exclusive mode');
        openai.script({ kind: 'completion', content: completionFor(intent('Replay Cancelled')) });
        const posted = await api(stack, 'POST', '/runs', { token: ownAuthor, body: intent('Replay Cancelled') });
        for (let i = 0; ; i++) {
          const { rows } = await locker.query<{ waiting: number }>(
            `select count(*)::int as waiting from pg_locks where relation = 'execution_snapshots'::regclass and not granted`,
          );
          if (rows[0]!.waiting > 0) break;
          if (i > 200) throw new Error('admitRun never reached the snapshot step');
          await new Promise((r) => setTimeout(r, 50));
        }
        await env.client.workflow.getHandle(generationRunWorkflowId(posted.body.runId)).cancel();
        await new Promise((r) => setTimeout(r, 500));
        await locker.query('rollback');
        await closed(posted.body.runId);
        await record('cancelled-in-intake', posted.body.runId);
      } finally {
        await locker.end();
      }
    }
  } finally {
    await stack.close();
    await openai.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
