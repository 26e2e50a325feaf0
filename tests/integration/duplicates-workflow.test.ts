import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { importCatalog, readToolFile, SAMPLE_CATALOG } from '../../scripts/catalog-import';
import { LocalLexicalEmbedder } from '../../providers/embedders/local';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * The duplicate gate in the workflow, against the project's own sample catalog imported into the
 * run's tenant: another vendor's equivalent blocks for good; a sibling waits for a reviewer.
 */

let env: TestWorkflowEnvironment;
let openai: FakeOpenAi;
let stack: Stack;
const sample = readToolFile(SAMPLE_CATALOG);

beforeAll(async () => {
  env = await startTemporalDevServer();
  openai = await startFakeOpenAi();
  stack = await startStack(env, {
    OPENAI_API_KEY: 'sk-test-fake-key-for-local-server',
    OPENAI_BASE_URL: openai.baseUrl,
    AI_MODEL_PROVIDERS: 'openai',
  });
});

afterAll(async () => {
  await stack?.close();
  await openai?.close();
  await env?.teardown();
});

function intentFor(name: string, problemStatement: string) {
  return { name, problemStatement, language: 'typescript', targetRuntime: 'node20' };
}

function scripted(
  intent: ReturnType<typeof intentFor>,
  description: string,
  properties: Record<string, unknown>,
  required: string[],
) {
  return completionFor(intent, {
    manifest: {
      name: intent.name,
      description,
      version: '1.0.0',
      runtime: intent.targetRuntime,
      language: intent.language,
      tags: ['scripted'],
    },
    inputSchema: { type: 'object', properties, required },
  });
}

describe('the duplicate gate against an imported catalog', () => {
  it('a run that does the same job as another vendor’s imported tool is BLOCKING and can never be promoted', async () => {
    const tenant = uniqueTenant();
    await importCatalog(stack.db, tenant, sample, new LocalLexicalEmbedder());
    const author = await stack.token(tenant, ['capability-author']);
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'reviewer-1');
    const intent = intentFor('Internet Search', 'Search the internet for a query and return the best result links.');
    openai.script({
      kind: 'completion',
      content: scripted(
        intent,
        'Search the internet for a query and return ranked result links with snippets.',
        { query: { type: 'string', description: 'What to search for' } },
        ['query'],
      ),
    });
    const started = await api(stack, 'POST', '/runs', { token: author, body: intent });
    const done = await waitForStatus(stack, author, started.body.runId, [
      'BLOCKED',
      'DRAFT',
      'AWAITING_ADJUDICATION',
      'FAILED',
    ]);
    expect(done.body.status).toBe('BLOCKED');
    expect(done.body.duplicateOutcome).toBe('BLOCKING');
    expect(done.body.failureReason).toContain('acme-web-web-search');
    const dup = await api(stack, 'GET', `/runs/${started.body.runId}/duplicates`, { token: author });
    expect(dup.body.checks[0].matches[0]).toEqual(
      expect.objectContaining({ capabilityKey: 'acme-web-web-search', tier: 'BLOCKING' }),
    );
    for (const targetState of ['Review', 'Approved', 'Active']) {
      const promote = await api(stack, 'POST', `/runs/${started.body.runId}/promote`, {
        token: reviewer,
        body: { targetState },
      });
      expect(promote.status).toBe(409);
    }
  });

  it('a sibling operation (the same operation on another system) waits for adjudication', async () => {
    const tenant = uniqueTenant();
    await importCatalog(stack.db, tenant, sample, new LocalLexicalEmbedder());
    const author = await stack.token(tenant, ['capability-author']);
    const intent = intentFor('Jira Create Issue', 'Open a new issue in Jira with a summary and a description.');
    openai.script({
      kind: 'completion',
      content: scripted(
        intent,
        'Create a new issue in a Jira project with a summary and a description.',
        {
          summary: { type: 'string', description: 'One-line summary' },
          description: { type: 'string', description: 'Details' },
          project: { type: 'string', description: 'Project key' },
        },
        ['summary', 'project'],
      ),
    });
    const started = await api(stack, 'POST', '/runs', { token: author, body: intent });
    const done = await waitForStatus(stack, author, started.body.runId, [
      'BLOCKED',
      'DRAFT',
      'AWAITING_ADJUDICATION',
      'FAILED',
    ]);
    expect(done.body.status).toBe('AWAITING_ADJUDICATION');
    expect(done.body.duplicateOutcome).toBe('POTENTIAL');
    const dup = await api(stack, 'GET', `/runs/${started.body.runId}/duplicates`, { token: author });
    expect(dup.body.checks[0].matches[0].capabilityKey).toBe('trackly-create-ticket');
  });
});

describe('GET /catalog', () => {
  it('lists the tenant’s entries keyset-paged and searchable, and reads one entry with its versions', async () => {
    const tenant = uniqueTenant();
    const other = uniqueTenant();
    await importCatalog(stack.db, tenant, sample, new LocalLexicalEmbedder());
    await importCatalog(stack.db, other, sample.slice(0, 3), new LocalLexicalEmbedder());
    const token = await stack.token(tenant, ['capability-reviewer']);
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof api>> = await api(
        stack,
        'GET',
        `/catalog?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      expect(page.status).toBe(200);
      keys.push(...page.body.items.map((i: { capabilityKey: string }) => i.capabilityKey));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(keys).toHaveLength(sample.length);
    expect([...keys].sort()).toEqual(keys);

    const found = await api(stack, 'GET', '/catalog?q=weather', { token });
    expect(found.body.items.map((i: { externalId: string }) => i.externalId).sort()).toEqual([
      'skywatch/current_weather',
      'skywatch/forecast',
    ]);

    const one = await api(stack, 'GET', '/catalog/acme-web-web-search', { token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(
      expect.objectContaining({
        capabilityKey: 'acme-web-web-search',
        activeVersion: '1.0.0',
        versions: [expect.objectContaining({ version: '1.0.0', source: 'IMPORTED', lifecycleState: 'Active' })],
      }),
    );
    const otherToken = await stack.token(other, ['capability-reviewer']);
    expect((await api(stack, 'GET', '/catalog/skywatch-forecast', { token: otherToken })).status).toBe(404);
    expect((await api(stack, 'GET', '/catalog?cursor=not-a-cursor', { token })).status).toBe(400);
  });
});
