import { sql } from 'kysely';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Payload } from '@temporalio/common';
import { createOpenTelemetryEmitter } from '../../activities/telemetry/emitter';
import { createLogger } from '../../lib/logger';
import { dataConverterFor } from '../../lib/payload-codec';
import { generationRunWorkflowId } from '../../workflows/ids';
import { api, startStack, uniqueTenant, waitForStatus, type ApiResponse, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { PLANTED_SECRETS } from '../unit/redact-secrets';

/**
 * The planted-secret sweep: one run whose name, problem statement, seed schema, examples and
 * reviewer comments carry every kind of secret the redaction covers. Afterwards no table, log
 * line, emitted telemetry event (spans, metrics and logs carry the same fields), Temporal history
 * (fetched with the client and decrypted) or API response may contain any of them.
 */

let env: TestWorkflowEnvironment;
let stack: Stack;
const logged: string[] = [];
const restore: Array<() => void> = [];

/** Records every chunk a stream is given (and still writes it). */
function tap(stream: { write: (...a: unknown[]) => boolean } | undefined): void {
  if (!stream) return;
  const original = stream.write;
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return original.call(stream, chunk, ...rest);
  };
  restore.push(() => (stream.write = original));
}

beforeAll(async () => {
  // Every line any component writes, as an operator's log pipeline would collect it: the process
  // streams, and the console's own streams (winston's Console transport writes there under jest).
  type Writable = { write: (...a: unknown[]) => boolean };
  const c = console as unknown as { _stdout?: Writable; _stderr?: Writable };
  const out = process.stdout as unknown as Writable;
  const err = process.stderr as unknown as Writable;
  tap(out);
  tap(err);
  if (c._stdout && c._stdout !== out) tap(c._stdout);
  if (c._stderr && c._stderr !== err) tap(c._stderr);
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[m];
    // Kept, not echoed: the run's debug lines would flood the test output.
    console[m] = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    restore.push(() => (console[m] = original));
  }
  // Tests run with LOG_SILENT=true (global setup); this one reads the lines, so it lets them out.
  const silent = process.env.LOG_SILENT;
  process.env.LOG_SILENT = 'false';
  restore.push(() => (process.env.LOG_SILENT = silent));
  env = await startTemporalDevServer();
  // The production emitter too: every telemetry event becomes a span, metrics and a log line.
  stack = await startStack(
    env,
    { LOG_LEVEL: 'debug' },
    { emitter: createOpenTelemetryEmitter(createLogger('debug', 'sweep')) },
  );
});

afterAll(async () => {
  for (const r of restore.reverse()) r();
  await stack?.close();
  await env?.teardown();
});

const byKind = new Map(PLANTED_SECRETS.map((p, i) => [i, p]));
const pick = (...idx: number[]) => idx.map((i) => byKind.get(i)!.text);

/** Every payload in a history, decrypted with the API's codec and decoded as text. */
async function historyText(runId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(generationRunWorkflowId(runId)).fetchHistory();
  const codec = dataConverterFor(stack.config.payloadCodecKey)!.payloadCodecs[0]!;
  const payloads: Payload[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    if (v instanceof Uint8Array) return;
    const o = v as Record<string, unknown>;
    if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') {
      payloads.push(o as Payload);
      return;
    }
    for (const x of Object.values(o)) walk(x);
  };
  walk(history);
  expect(payloads.length).toBeGreaterThan(10);
  const decoded = await codec.decode(payloads);
  const raw = JSON.stringify(history, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
  return raw + decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

async function everyTableText(): Promise<Array<{ table: string; text: string }>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(stack.db);
  const out: Array<{ table: string; text: string }> = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ t: string }>`select t::text as t from ${sql.table(table_name)} t`.execute(stack.db);
    out.push({ table: table_name, text: rows.rows.map((r) => r.t).join('\n') });
  }
  return out;
}

describe('a run carrying twenty-odd kinds of secret', () => {
  it('leaves none of them in any table, log line, telemetry event, Temporal history or API response', async () => {
    const tenant = uniqueTenant('sweep');
    const author = await stack.token(tenant, ['capability-author'], 'sweep-author');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'sweep-reviewer');
    const responses: ApiResponse[] = [];
    const call = async (...args: Parameters<typeof api>) => {
      const res = await api(...args);
      responses.push(res);
      return res;
    };

    // 0: name; 1-13: problem statement; 14-19: seed schema; 20-21: examples; 22-25: comments.
    const body = {
      name: `Rotate key ${PLANTED_SECRETS[0]!.text}`,
      problemStatement: `Rotate the credentials found in these notes:\n${pick(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13).join('\n')}\nthen report which were rotated.`,
      language: 'typescript',
      targetRuntime: 'node20',
      seedInputSchema: {
        type: 'object',
        description: `Connection details, e.g. ${pick(14)[0]}`,
        properties: {
          header: { type: 'string', description: 'Auth header', default: pick(15)[0] },
          bearer: { type: 'string', description: 'Bearer token', examples: [pick(16)[0]] },
          key: { type: 'string', description: pick(17)[0] },
          pgp: { type: 'string', description: pick(18)[0] },
          dsn: { type: 'string', description: 'Database URL', default: pick(19)[0] },
        },
      },
      examples: pick(20, 21),
    };
    const started = await call(stack, 'POST', '/runs', { token: author, body });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const draft = await waitForStatus(stack, author, runId, ['DRAFT', 'BLOCKED', 'FAILED', 'DENIED']);
    expect(draft.body.status).toBe('DRAFT');
    responses.push(draft);

    const comments = pick(22, 23, 24, 25);
    for (const [targetState, comment] of [
      ['Review', `ok, but ${comments[0]} was pasted in the ticket`],
      ['Approved', `approved; revoke ${comments[1]} and ${comments[2]}`],
      ['Active', `ship it (${comments[3]})`],
    ] as const) {
      const res = await call(stack, 'POST', `/runs/${runId}/promote`, {
        token: reviewer,
        body: { targetState, comment },
      });
      expect(res.status).toBe(200);
    }
    await waitForStatus(stack, author, runId, ['ACTIVE']);
    for (const path of [
      `/runs/${runId}`,
      `/runs/${runId}/duplicates`,
      `/runs/${runId}/contracts`,
      `/prompts/${runId}`,
    ]) {
      const res = await call(stack, 'GET', path, { token: author });
      expect(res.status).toBe(200);
    }
    await call(stack, 'GET', '/runs', { token: author });
    await call(stack, 'GET', '/catalog', { token: author });
    await env.client.workflow.getHandle(generationRunWorkflowId(runId)).result();

    // The capability key is derived from the redacted name.
    expect(draft.body.capabilityKey).not.toContain(PLANTED_SECRETS[0]!.needle.toLowerCase());
    expect(draft.body.capabilityName).toContain('[REDACTED:api-key]');

    const places: Array<{ place: string; text: string }> = [
      ...(await everyTableText()).map((t) => ({ place: `table ${t.table}`, text: t.text })),
      { place: 'log lines', text: logged.join('') },
      { place: 'telemetry (spans, metrics, logs)', text: JSON.stringify(stack.emitted) },
      { place: 'Temporal history', text: await historyText(runId) },
      { place: 'API responses', text: JSON.stringify(responses.map((r) => r.body)) },
    ];
    // The sweep looks where the run went: the run row, its snapshot and history hold its text,
    // and the log lines are the run's own (debug level).
    expect(logged.join('').includes(runId)).toBe(true);
    expect(places.find((p) => p.place === 'table ai_generation_runs')!.text).toContain(runId);
    expect(places.find((p) => p.place === 'Temporal history')!.text).toContain('[REDACTED:');

    const leaks: string[] = [];
    for (const { place, text } of places) {
      for (const secret of PLANTED_SECRETS) {
        if (text.includes(secret.needle)) leaks.push(`${secret.kind} (${secret.needle}) in ${place}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(new Set(PLANTED_SECRETS.map((p) => p.kind)).size).toBeGreaterThanOrEqual(20);
  });
});
