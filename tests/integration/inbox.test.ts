import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';
import { insertCityWeatherLookup } from '../helpers/catalog-fixtures';

/**
 * The review inbox through the API: what waits for a person in the caller's tenant, oldest wait
 * first, with how long it waited, when its window closes and who may act; nothing of another
 * tenant, nothing that ended.
 */

let env: TestWorkflowEnvironment;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporalDevServer();
  // Only exact doubles block, so the near match below waits for an adjudication.
  stack = await startStack(env, { AiGeneration__DuplicateThresholds: 'potential=0.8,blocking=0.999' });
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const DAY = 86_400_000;
const city = { type: 'string', description: 'City name' };

const body = (name: string, seedInputSchema: object, revisionOf?: string) => ({
  name,
  problemStatement: `${name}: a capability for the inbox test, doing one distinct job.`,
  language: 'typescript',
  targetRuntime: 'node20',
  seedInputSchema,
  ...(revisionOf ? { revisionOf } : {}),
});

describe('GET /inbox', () => {
  it('lists what waits for a person, oldest first, with its wait, its expiry and who may act', async () => {
    const tenant = uniqueTenant('inbox');
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const start = async (b: object) => {
      const r = await api(stack, 'POST', '/runs', { token: author, body: b });
      expect(r.status).toBe(202);
      return r.body.runId as string;
    };
    const promote = async (runId: string, targetState: string) => {
      const r = await api(stack, 'POST', `/runs/${runId}/promote`, { token: reviewer, body: { targetState } });
      expect(r.status).toBe(200);
    };

    // An Active capability to revise (it leaves the inbox once Active).
    const base = await start(body('Weather Now', { type: 'object', properties: { city }, required: ['city'] }));
    const baseRun = await waitForStatus(stack, author, base, ['DRAFT']);
    for (const s of ['Review', 'Approved', 'Active']) await promote(base, s);
    const key = baseRun.body.capabilityKey as string;

    // 1. a Draft waiting for review
    const draft = await start(
      body('Translate Text', { type: 'object', properties: { text: city }, required: ['text'] }),
    );
    await waitForStatus(stack, author, draft, ['DRAFT']);
    // 2. a breaking revision waiting for an accepted break
    const breaking = await start(
      body('Weather Now', { type: 'object', properties: { city, units: city }, required: ['city', 'units'] }, key),
    );
    await waitForStatus(stack, author, breaking, ['BLOCKED']);
    // 3. a potential duplicate waiting for an adjudication
    await insertCityWeatherLookup(stack.db, tenant);
    const potential = await start({
      ...body('Lookup City Weather', { type: 'object', properties: { city }, required: ['city'] }),
      problemStatement: 'Weather for a city by name.',
    });
    await waitForStatus(stack, author, potential, ['AWAITING_ADJUDICATION']);
    // 4. a run in Review waiting for approval (its wait starts at the promotion, so it is the newest)
    const inReview = await start(body('Convert Currency', { type: 'object', properties: { amount: city } }));
    await waitForStatus(stack, author, inReview, ['DRAFT']);
    await promote(inReview, 'Review');

    // Another tenant's waiting run never shows.
    const otherTenant = uniqueTenant('inbox');
    const otherAuthor = await stack.token(otherTenant, ['capability-author'], 'carol');
    const other = await api(stack, 'POST', '/runs', {
      token: otherAuthor,
      body: body('Send Email', { type: 'object', properties: { to: city }, required: ['to'] }),
    });
    expect((await waitForStatus(stack, otherAuthor, other.body.runId, ['DRAFT', 'BLOCKED'])).body.status).toBe('DRAFT');

    const inbox = await api(stack, 'GET', '/inbox', { token: reviewer });
    expect(inbox.status).toBe(200);
    const items = inbox.body.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(items.map((i) => [i.kind, i.runId])).toEqual([
      ['REVIEW', draft],
      ['ACCEPTED_BREAK', breaking],
      ['ADJUDICATION', potential],
      ['APPROVAL', inReview],
    ]);
    const since = items.map((i) => Date.parse(i.waitingSinceUtc));
    expect([...since].sort((a, b) => a - b)).toEqual(since);
    const [review, acceptBreak, adjudication, approval] = items;
    expect(adjudication).toMatchObject({
      status: 'AWAITING_ADJUDICATION',
      action: { path: `/runs/${potential}/adjudicate` },
    });
    expect(Date.parse(adjudication!.expiresAtUtc) - Date.parse(adjudication!.waitingSinceUtc)).toBe(14 * DAY);
    expect(Date.parse(review!.expiresAtUtc) - Date.parse(review!.waitingSinceUtc)).toBe(30 * DAY);
    expect(Date.parse(acceptBreak!.expiresAtUtc) - Date.parse(acceptBreak!.waitingSinceUtc)).toBe(14 * DAY);
    expect(review!.waitedMs).toBeGreaterThanOrEqual(0);
    expect(acceptBreak).toMatchObject({
      status: 'BLOCKED',
      revisionOf: key,
      capabilityVersion: '2.0.0',
      reason: expect.stringMatching(/required-added/),
      action: { method: 'POST', path: `/runs/${breaking}/accept-break` },
    });
    expect(approval).toMatchObject({
      status: 'REVIEW',
      requestedBy: 'alice',
      mayAct: { roles: ['admin', 'capability-reviewer'], notSubject: 'alice' },
      action: { method: 'POST', path: `/runs/${inReview}/promote`, body: { targetState: 'Approved' } },
    });
    expect(items.some((i) => i.runId === base)).toBe(false);

    // Filtered by kind, and paged by a cursor in the same order.
    const approvals = await api(stack, 'GET', '/inbox?kind=APPROVAL', { token: author });
    expect(approvals.body.items.map((i: { runId: string }) => i.runId)).toEqual([inReview]);
    const first = await api(stack, 'GET', '/inbox?limit=2', { token: reviewer });
    expect(first.body.items.map((i: { runId: string }) => i.runId)).toEqual([draft, breaking]);
    const middle = await api(stack, 'GET', `/inbox?limit=1&cursor=${first.body.nextCursor}`, { token: reviewer });
    expect(middle.body.items.map((i: { runId: string }) => i.runId)).toEqual([potential]);
    const second = await api(stack, 'GET', `/inbox?limit=2&cursor=${middle.body.nextCursor}`, { token: reviewer });
    expect(second.body).toEqual({ items: [expect.objectContaining({ runId: inReview })], nextCursor: null });
    const adjudications = await api(stack, 'GET', '/inbox?kind=ADJUDICATION', { token: reviewer });
    expect(adjudications.body.items.map((i: { runId: string }) => i.runId)).toEqual([potential]);
    expect((await api(stack, 'GET', '/inbox?cursor=nonsense', { token: reviewer })).status).toBe(400);

    const theirs = await api(stack, 'GET', '/inbox', { token: otherAuthor });
    expect(theirs.body.items.map((i: { runId: string }) => i.runId)).toEqual([other.body.runId]);
  });
});
