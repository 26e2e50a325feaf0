/**
 * Records workflow histories for the replay test: `npx tsx tests/replay/record-histories.ts`.
 * Re-record only on purpose (a deliberate, versioned workflow change); the replay test exists to
 * catch changes that would break runs already in flight.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { temporalCliPath } from '../../lib/tools';
import path from 'node:path';
import { completionFor, startFakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, uniqueTenant, waitForStatus } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { ensureDatabase, TEST_DATABASE_URL } from '../helpers/db';
import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { generationRunWorkflowId } from '../../workflows/ids';

async function main(): Promise<void> {
  process.env.LOG_SILENT = 'true';
  await ensureDatabase(TEST_DATABASE_URL);
  const migrator = createDb(TEST_DATABASE_URL, 1);
  await migrateToLatest(migrator);
  await migrator.destroy();

  const env = await startTemporalDevServer();
  const openai = await startFakeOpenAi();
  const stack = await startStack(env, { OPENAI_API_KEY: 'sk-test-recording', OPENAI_BASE_URL: openai.baseUrl });
  const tenant = uniqueTenant('replay');
  const author = await stack.token(tenant, ['capability-author', 'capability-reviewer'], 'alice');
  const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
  const intent = (name: string) => ({
    name,
    problemStatement: `Do the job of ${name} well.`,
    language: 'typescript',
    targetRuntime: 'node20',
  });
  const out = path.join(__dirname, 'histories');

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

  try {
    // Draft, then promoted all the way to Active (completes the workflow).
    openai.script({ kind: 'completion', content: completionFor(intent('Replay Active')) });
    const active = await api(stack, 'POST', '/runs', { token: author, body: intent('Replay Active') });
    await waitForStatus(stack, author, active.body.runId, ['DRAFT']);
    for (const [token, targetState] of [
      [author, 'Review'],
      [reviewer, 'Approved'],
      [reviewer, 'Active'],
    ] as const) {
      const r = await api(stack, 'POST', `/runs/${active.body.runId}/promote`, { token, body: { targetState } });
      if (r.status !== 200) throw new Error(`promotion to ${targetState} failed: ${JSON.stringify(r.body)}`);
    }
    await env.client.workflow.getHandle(generationRunWorkflowId(active.body.runId)).result();
    await record('promoted-to-active', active.body.runId);

    // Denied at authority.
    const denied = await api(stack, 'POST', '/runs', {
      token: await stack.token(tenant, ['viewer']),
      body: intent('Replay Denied'),
    });
    await env.client.workflow.getHandle(generationRunWorkflowId(denied.body.runId)).result();
    await record('denied', denied.body.runId);

    // Provider fallback, then blocked as a duplicate of the Active capability.
    openai.script({ kind: 'error', status: 401, message: 'bad key' });
    const blocked = await api(stack, 'POST', '/runs', { token: author, body: intent('Replay Active') });
    await env.client.workflow.getHandle(generationRunWorkflowId(blocked.body.runId)).result();
    await record('fallback-then-blocked', blocked.body.runId);
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
