import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { validateTelemetryEvent } from '../../domain/telemetry-event-schema';
import { draftRuntimeClass } from '../../db/repositories/runtime-class';
import { listPromptArtifactsForRun, listPromptRunsForRun } from '../../db/repositories/prompts';
import { listTelemetryForRun } from '../../db/repositories/telemetry';
import { tokenCounterFor } from '../../providers/model/tokenizer';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, TEST_JWT, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { signDecision } from '../../lib/decision-signing';
import { generationRunWorkflowId } from '../../workflows/ids';
import { promoteUpdate } from '../../workflows/messages';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * Honest model runtimes against the fake OpenAI server, in production-like environments (neither
 * development nor test): the chain is exactly what is configured, every attempt is on the record
 * with its token usage and its true retry flag, malformed output is a recorded non-retryable
 * failure that falls back, and a development runtime's draft stops at Review.
 */

const intent = (name: string) => ({
  name,
  problemStatement: `Look up the ${name.toLowerCase()} for a city and return it in metric units.`,
  language: 'typescript',
  targetRuntime: 'node20',
});

let env: TestWorkflowEnvironment;
let openai: FakeOpenAi;
/** A key and nothing else configured: the chain is openai alone. */
let openaiOnly: Stack;
/** openai with the local development runtime configured explicitly behind it. */
let withLocal: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  openai = await startFakeOpenAi();
  const common = { OPENAI_API_KEY: 'sk-test-fake-key-for-local-server', OPENAI_BASE_URL: openai.baseUrl };
  openaiOnly = await startStack(env, { ...common, AI_GENERATION_ENVIRONMENT: `prod-${randomUUID().slice(0, 6)}` });
  withLocal = await startStack(env, {
    ...common,
    AI_GENERATION_ENVIRONMENT: `prod-${randomUUID().slice(0, 6)}`,
    AI_MODEL_PROVIDERS: 'openai,local',
  });
});

afterAll(async () => {
  await withLocal?.close();
  await openaiOnly?.close();
  await openai?.close();
  await env?.teardown();
});

afterEach(() => {
  expect(openai.exhausted).toBe(false);
});

describe('honest model runtimes', () => {
  it('never adds the local runtime implicitly: an OpenAI outage fails the run, with retry flags from the real policy', async () => {
    expect(openaiOnly.config.modelProviders).toEqual(['openai']);
    const tenant = uniqueTenant();
    const token = await openaiOnly.token(tenant, ['capability-author']);
    const before = openai.requests.length;
    // A 500 is retryable (Model:Unavailable); a 401 is not (Model:AuthFailed, listed non-retryable).
    openai.script(
      { kind: 'error', status: 500, message: 'overloaded' },
      { kind: 'error', status: 401, message: 'bad key' },
    );
    const started = await api(openaiOnly, 'POST', '/runs', { token, body: intent('Weather Lookup') });
    const done = await waitForStatus(openaiOnly, token, started.body.runId, ['FAILED']);
    expect(openai.requests.length - before).toBe(2);
    expect(done.body.runtime).toBeNull();

    const events = await listTelemetryForRun(openaiOnly.db, tenant, started.body.runId);
    const attempts = events.filter((e) => e.event_type === 'MODEL_ATTEMPT_FAILED');
    expect(
      attempts.map((e) => ({
        attempt: e.fields.attempt,
        outcome: e.outcome,
        willRetry: e.fields.details.willRetry,
        type: e.fields.error?.type,
      })),
    ).toEqual([
      { attempt: 1, outcome: 'RETRYING', willRetry: true, type: 'Model:Unavailable' },
      { attempt: 2, outcome: 'FAILED', willRetry: false, type: 'Model:AuthFailed' },
    ]);
    const artifacts = await listPromptArtifactsForRun(openaiOnly.db, tenant, started.body.runId);
    expect(artifacts.map((a) => a.runtime_provider)).toEqual(['openai', 'openai']);
    expect(events.some((e) => e.fields.runtimeIdentity?.provider === 'local')).toBe(false);
  });

  it('asks for structured output, records the answering model, and counts tokens per attempt', async () => {
    const tenant = uniqueTenant();
    const token = await openaiOnly.token(tenant, ['capability-author']);
    openai.script({ kind: 'completion', content: completionFor(intent('Humidity Lookup')) });
    const started = await api(openaiOnly, 'POST', '/runs', { token, body: intent('Humidity Lookup') });
    await waitForStatus(openaiOnly, token, started.body.runId, ['DRAFT']);
    const request = openai.requests[openai.requests.length - 1]!;
    expect(request.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'capability_candidate', strict: false },
    });

    const [promptRun] = await listPromptRunsForRun(openaiOnly.db, tenant, started.body.runId);
    expect(promptRun).toMatchObject({
      answered_provider: 'openai',
      answered_model: 'gpt-4o-mini',
      token_counter: 'o200k_base',
    });
    // The prompt's count is the real tokenizer's, section by section.
    const counter = tokenCounterFor('gpt-4o-mini');
    const sections = promptRun!.prompt_sections as Array<{ text: string }>;
    expect(promptRun!.token_estimate).toBe(sections.reduce((n, s) => n + counter.count(s.text), 0));

    const [artifact] = await listPromptArtifactsForRun(openaiOnly.db, tenant, started.body.runId);
    expect(artifact).toMatchObject({
      kind: 'COMPLETION',
      prompt_tokens: 100,
      completion_tokens: 50,
      usage_source: 'provider',
    });
    expect(await draftRuntimeClass(openaiOnly.db, tenant, started.body.runId)).toBe('production');
  });

  it('records malformed output as a non-retryable failure that falls back, and stops a development runtime at Review', async () => {
    const tenant = uniqueTenant();
    const author = await withLocal.token(tenant, ['capability-author'], 'alice');
    const reviewer = await withLocal.token(tenant, ['capability-reviewer'], 'bob');
    const before = openai.requests.length;
    openai.script({ kind: 'completion', content: 'Sure! Here is your capability: {"manifest": ' });
    const started = await api(withLocal, 'POST', '/runs', { token: author, body: intent('Pressure Lookup') });
    const runId = started.body.runId;
    const done = await waitForStatus(withLocal, author, runId, ['DRAFT']);
    // One request: malformed output is not retried against the same provider.
    expect(openai.requests.length - before).toBe(1);
    expect(done.body.runtime).toEqual({ provider: 'local', model: 'local-deterministic-v1' });
    expect(done.body.fallbackUsed).toBe(true);

    const events = await listTelemetryForRun(withLocal.db, tenant, runId);
    const failed = events.find((e) => e.event_type === 'MODEL_ATTEMPT_FAILED')!;
    expect(failed).toMatchObject({ outcome: 'FAILED' });
    expect(failed.fields.error?.type).toBe('Model:InvalidOutput');
    expect(failed.fields.details.willRetry).toBe(false);
    expect(events.map((e) => e.event_type)).toContain('MODEL_FALLBACK');

    const artifacts = await listPromptArtifactsForRun(withLocal.db, tenant, runId);
    expect(artifacts.map((a) => [a.kind, a.runtime_provider, a.error_type])).toEqual([
      ['FAILED_ATTEMPT', 'openai', 'Model:InvalidOutput'],
      ['COMPLETION', 'local', null],
    ]);
    // The local runtime has no provider to report usage: our tokenizer counted it, and says so.
    expect(artifacts[1]).toMatchObject({ usage_source: 'tokenizer' });
    expect(artifacts[1]!.prompt_tokens).toBeGreaterThan(0);
    const [promptRun] = await listPromptRunsForRun(withLocal.db, tenant, runId);
    expect(promptRun).toMatchObject({
      runtime_provider: 'openai',
      answered_provider: 'local',
      answered_model: 'local-deterministic-v1',
    });

    // Marked as a development runtime's draft, and in this (production-like) environment it stops at Review.
    expect(await draftRuntimeClass(withLocal.db, tenant, runId)).toBe('development');
    const review = await api(withLocal, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Review' },
    });
    expect(review.status).toBe(200);
    const approve = await api(withLocal, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Approved' },
    });
    expect(approve.status).toBe(409);
    expect(approve.body.detail).toContain('development runtime');
    expect((await api(withLocal, 'GET', `/runs/${runId}`, { token: author })).body.status).toBe('REVIEW');

    // Behind the API, the promotion step refuses it too (a correctly signed update straight to Temporal).
    const request = signDecision(
      withLocal.config.decisionSigningKey,
      { runId, action: 'promote', ttlSeconds: 300, now: new Date() },
      {
        targetState: 'Approved' as const,
        comment: null,
        reviewer: { subject: 'bob', tenantId: tenant, roles: ['capability-reviewer'], issuer: TEST_JWT.issuer },
        correlationId: `${tenant}/corr-direct-update`,
      },
    );
    await expect(
      withLocal.client.workflow
        .getHandle(generationRunWorkflowId(runId))
        .executeUpdate(promoteUpdate, { args: [request] }),
    ).rejects.toThrow();
    const refused = (await listTelemetryForRun(withLocal.db, tenant, runId)).find(
      (e) => e.event_type === 'PROMOTION_REFUSED',
    );
    expect(refused?.fields.error?.type).toBe('Promotion:DevelopmentRuntime');
    expect((await api(withLocal, 'GET', `/runs/${runId}`, { token: author })).body.status).toBe('REVIEW');
  });

  it('emitted only complete events, failures and fallbacks included', () => {
    const events = [...openaiOnly.emitted, ...withLocal.emitted];
    const types = new Set(events.map((e) => e.eventType));
    for (const t of [
      'MODEL_ATTEMPT_FAILED',
      'MODEL_FALLBACK',
      'RUN_FAILED',
      'MODEL_CALL_SUCCEEDED',
      'DUPLICATE_CHECKED',
    ]) {
      expect(types).toContain(t);
    }
    for (const e of events) {
      expect({ event: e.eventType, problems: validateTelemetryEvent(e) }).toEqual({
        event: e.eventType,
        problems: null,
      });
    }
  });
});
