/// <reference lib="dom" />
// Page functions run in the browser; their DOM types come from this reference.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { completionFor, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { signToken } from '../../lib/tokens';
import { api, startStack, TEST_JWT, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

/**
 * The admin SPA (ui/, served from dist/ui under /admin) in Debian's Chromium against the whole
 * stack: API, worker, Temporal, PostgreSQL and an OpenAI-shaped server. Locators are accessible
 * names and roles only, the names issue 10 fixes as a contract.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'ui', 'index.html');
const SHOTS = path.join(ROOT, 'test-results', 'ui');

let env: TestWorkflowEnvironment;
let openai: FakeOpenAi;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) {
    throw new Error(`the admin UI bundle is missing (${BUNDLE}): run \`npm run build:ui\` before the browser tests`);
  }
  mkdirSync(SHOTS, { recursive: true });
  env = await startTemporalDevServer();
  openai = await startFakeOpenAi();
  stack = await startStack(env, {
    OPENAI_API_KEY: 'sk-test-fake-key-for-local-server',
    OPENAI_BASE_URL: openai.baseUrl,
    AI_MODEL_PROVIDERS: 'openai,local',
    // Word-overlap collisions of 0.5 and above need a reviewer; only identical identities block.
    AiGeneration__DuplicateThresholds: 'potential=0.5,blocking=0.95',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await openai?.close();
  await env?.teardown();
});

afterEach(() => {
  expect(openai.exhausted).toBe(false);
});

const AUTHOR = ['capability-author'];
const REVIEWER = ['capability-reviewer'];

interface Watched {
  page: Page;
  /** Console errors and CSP violations seen on the page: none are expected. */
  problems: string[];
}

/**
 * Opens /admin. With `noInlineStyles`, the page runs under the server's CSP minus any
 * 'unsafe-inline', to show the bundle needs none.
 */
async function openAdmin(opts: { noInlineStyles?: boolean } = {}): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  if (opts.noInlineStyles) {
    await page.route(
      (url) => url.pathname === '/admin/',
      async (route) => {
        const response = await route.fetch();
        const headers = response.headers();
        const csp = headers['content-security-policy'] ?? "default-src 'self'";
        headers['content-security-policy'] = csp.replace(/\s*'unsafe-inline'/g, '');
        await route.fulfill({ response, headers });
      },
    );
  }
  const problems: string[] = [];
  // A refused API call logs "Failed to load resource" and is shown in the page; anything else
  // logged as an error, any uncaught error and any CSP violation is a problem.
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy/i.test(text)) problems.push(text);
    else if (m.type() === 'error' && !/^Failed to load resource: the server responded/.test(text)) problems.push(text);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const res = await page.goto(`${stack.url}/admin/`);
  expect(res?.status()).toBe(200);
  return { page, problems };
}

async function signIn(page: Page, token: string, subject: string): Promise<void> {
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${subject}`).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('Signed out').waitFor();
}

/** The fixed shell: landmarks and panels, by tag and accessible name, in document order. */
async function shell(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const name = (e: Element) => {
      const by = e.getAttribute('aria-labelledby');
      return by ? (document.getElementById(by)?.textContent ?? '') : (e.getAttribute('aria-label') ?? '');
    };
    const root = document.getElementById('root')!;
    return Array.from(root.querySelectorAll(':scope > div > *, main > section')).map(
      (e) => `${e.tagName.toLowerCase()}[${name(e)}]`,
    );
  });
}

async function shot(target: Page | Locator, name: string): Promise<void> {
  await target.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const runStatus = (page: Page) => page.getByRole('status', { name: 'Run status' });

async function fillStartForm(
  page: Page,
  v: { name: string; problemStatement: string; language?: string; targetRuntime?: string },
): Promise<void> {
  await page.getByLabel('Name', { exact: true }).fill(v.name);
  await page.getByLabel('Problem statement').fill(v.problemStatement);
  await page.getByLabel('Language').fill(v.language ?? 'typescript');
  await page.getByLabel('Target runtime').fill(v.targetRuntime ?? 'node20');
}

/** Waits until the output panel's status reads one of `statuses`; returns every status it showed. */
async function watchStatus(page: Page, statuses: string[], timeoutMs = 60_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = (await runStatus(page).textContent())?.trim() ?? '';
    if (seen[seen.length - 1] !== s) seen.push(s);
    if (statuses.includes(s)) return seen;
    await page.waitForTimeout(50);
  }
  throw new Error(`the output panel never showed ${statuses.join('/')}; it showed ${seen.join(' → ')}`);
}

function ledgerRows(page: Page): Locator {
  // Body rows only: the header row holds column headers, not cells.
  return page
    .getByRole('table', { name: 'Run ledger' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

async function openRun(page: Page, runId: string): Promise<void> {
  await page.getByRole('link', { name: 'Run ledger', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(runId) }).click();
  await region(page, 'Authority').waitFor();
}

async function startByApi(token: string, name: string, problemStatement = `Provide ${name} by name.`): Promise<string> {
  openai.script({
    kind: 'completion',
    content: completionFor({ name, targetRuntime: 'node20', language: 'typescript' }),
  });
  const started = await api(stack, 'POST', '/runs', {
    token,
    body: {
      name,
      problemStatement,
      language: 'typescript',
      targetRuntime: 'node20',
    },
  });
  expect(started.status).toBe(202);
  return started.body.runId as string;
}

describe('the admin UI', () => {
  it('starts a run from the input panel and shows its lifecycle live until Draft, inside an unchanged shell', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR, 'ada');
    const { page, problems } = await openAdmin();
    const before = await shell(page);
    expect(before).toEqual([
      'header[]',
      'nav[Sections]',
      'main[]',
      'section[Input]',
      'section[Output]',
      'section[Workspace]',
    ]);
    await shot(page, 'signed-out');

    // A token the API refuses is reported with the server's problem+json detail.
    const forged = await signToken(
      { subject: 'ada', tenantId: tenant, roles: AUTHOR },
      { ...TEST_JWT, secret: 'not-the-server-secret-0123456789-abcdefgh' },
    );
    await page.getByLabel('Bearer token').fill(forged);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Sign-in failed' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('401 Unauthorized');
    expect(await page.getByText('Signed out').count()).toBe(1);
    expect(await shell(page)).toEqual(before);

    await signIn(page, token, 'ada');
    expect(await shell(page)).toEqual(before);

    const intent = { name: 'Weather Lookup', problemStatement: 'Return the current weather for a city by name.' };
    openai.script({
      kind: 'completion',
      content: completionFor({ ...intent, targetRuntime: 'node20', language: 'typescript' }),
    });
    await fillStartForm(page, intent);
    await page.getByRole('button', { name: 'Start run' }).click();

    // During the run: inputs locked, values kept, shell unchanged.
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Problem statement').inputValue()).toBe(intent.problemStatement);
    const during = await shell(page);
    const seen = await watchStatus(page, ['DRAFT', 'FAILED', 'DENIED', 'BLOCKED']);
    expect(seen[seen.length - 1]).toBe('DRAFT');
    expect(seen.length).toBeGreaterThan(1); // it showed the run before it settled

    // After: the same shell, the same values, unlocked again.
    expect(during).toEqual(before);
    expect(await shell(page)).toEqual(before);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(intent.name);
    expect(await page.getByLabel('Target runtime').inputValue()).toBe('node20');
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(false);

    const output = page.getByRole('region', { name: 'Output', exact: true });
    const steps = await output.getByRole('list', { name: 'Steps' }).textContent();
    for (const step of [
      'RUN_REQUESTED',
      'AUTHORITY_RESOLVED',
      'SNAPSHOT_FROZEN',
      'PROMPT_ASSEMBLED',
      'CONTRACT_VALIDATED',
    ]) {
      expect(steps).toContain(step);
    }
    expect(await page.getByRole('status', { name: 'Retries' }).textContent()).toBe('0');
    expect(await page.getByRole('status', { name: 'Fallbacks' }).textContent()).toBe('none');

    // The workspace opened the run: one region per concern.
    const runId = (await api(stack, 'GET', '/runs', { token })).body.items[0].runId as string;
    const run = await waitForStatus(stack, token, runId, ['DRAFT']);
    // The workspace polls the run too: once it shows Draft, its evidence was read after the fact.
    await page.getByRole('heading', { level: 3, name: /^Run weather-lookup .* DRAFT$/ }).waitFor();
    await region(page, 'Prompt lineage').getByText('capability-generation').first().waitFor();
    expect(await region(page, 'Authority').textContent()).toContain('ADMIT');
    expect(await region(page, 'Authority').textContent()).toContain(run.body.executionSnapshotId);
    expect(await region(page, 'Duplicates').textContent()).toContain('NONE');
    expect(await region(page, 'Contracts').textContent()).toContain('runtime-admitted');
    expect(await region(page, 'Telemetry').textContent()).toContain('RUN_DRAFT');
    expect(await shell(page)).toEqual(before);

    await shot(page, 'run-draft');
    await shot(page.getByRole('region', { name: 'Input', exact: true }), 'panel-input');
    await shot(output, 'panel-output');
    for (const name of ['Authority', 'Duplicates', 'Contracts', 'Prompt lineage', 'Telemetry']) {
      await shot(region(page, name), `region-${name.toLowerCase().replace(/ /g, '-')}`);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a denied run and a fallback run as such, in the output panel and in the ledger', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR, 'dora');
    const { page, problems } = await openAdmin();
    await signIn(page, token, 'dora');

    await fillStartForm(page, {
      name: 'Mainframe Export',
      problemStatement: 'Export records from the mainframe as CSV.',
      targetRuntime: 'cobol85',
    });
    await page.getByRole('button', { name: 'Start run' }).click();
    await watchStatus(page, ['DENIED', 'DRAFT', 'FAILED']);
    expect(await runStatus(page).textContent()).toBe('DENIED');
    const why = await page.getByRole('status', { name: 'Why' }).textContent();
    expect(why).toContain('Denied by authority (RUNTIME_NOT_ADMITTED)');
    await region(page, 'Authority').getByText('DENY', { exact: true }).first().waitFor();
    await shot(page, 'run-denied');

    openai.script({ kind: 'error', status: 401, message: 'invalid api key' });
    await fillStartForm(page, { name: 'Currency Convert', problemStatement: 'Convert an amount between currencies.' });
    await page.getByRole('button', { name: 'Start run' }).click();
    await watchStatus(page, ['DRAFT', 'FAILED', 'DENIED']);
    expect(await runStatus(page).textContent()).toBe('DRAFT');
    const fallbacks = await page.getByRole('status', { name: 'Fallbacks' }).textContent();
    expect(fallbacks).toContain('openai → local');
    expect(fallbacks).toContain('Model:AuthFailed');
    await region(page, 'Telemetry').getByText('MODEL_FALLBACK').first().waitFor();
    await region(page, 'Authority').getByText('fallback used').waitFor();
    await shot(page, 'run-fallback');

    // A transient failure is retried visibly on the same provider.
    openai.script(
      { kind: 'error', status: 503, message: 'overloaded' },
      {
        kind: 'completion',
        content: completionFor({ name: 'Stock Quote', targetRuntime: 'node20', language: 'typescript' }),
      },
    );
    await fillStartForm(page, { name: 'Stock Quote', problemStatement: 'Quote the latest price of a stock.' });
    await page.getByRole('button', { name: 'Start run' }).click();
    await watchStatus(page, ['DRAFT', 'FAILED', 'DENIED']);
    expect(await runStatus(page).textContent()).toBe('DRAFT');
    expect(await page.getByRole('status', { name: 'Retries' }).textContent()).toBe('1');
    expect(await page.getByRole('status', { name: 'Fallbacks' }).textContent()).toBe('none');
    await region(page, 'Telemetry').getByText('MODEL_ATTEMPT_FAILED').first().waitFor();

    await page.getByRole('link', { name: 'Run ledger', exact: true }).click();
    const rows = ledgerRows(page);
    await rows.nth(1).waitFor();
    const byKey = async (key: string) => (await rows.filter({ hasText: key }).textContent()) ?? '';
    expect(await byKey('currency-convert')).toContain('fallback used');
    expect(await byKey('currency-convert')).toContain('local/local-deterministic-v1');
    expect(await byKey('mainframe-export')).toContain('DENIED');
    expect(await byKey('mainframe-export')).toContain('DENY');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a hostile problem statement as text, never as markup', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR, 'hal');
    const { page, problems } = await openAdmin();
    await signIn(page, token, 'hal');
    const hostile = '<img src=x onerror="window.__pwned=1"> Fetch the weather for a city.';
    openai.script({
      kind: 'completion',
      content: completionFor({ name: 'Hostile Weather', targetRuntime: 'node20', language: 'typescript' }),
    });
    await fillStartForm(page, { name: 'Hostile Weather', problemStatement: hostile });
    await page.getByRole('button', { name: 'Start run' }).click();
    await watchStatus(page, ['DRAFT', 'FAILED', 'DENIED', 'BLOCKED']);
    const lineage = region(page, 'Prompt lineage');
    await lineage.getByText('Sections (redacted)').click();
    await lineage.getByText('<img src=x', { exact: false }).first().waitFor();
    expect(await page.getByRole('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(lineage, 'region-prompt-lineage-hostile');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('promotes to Active one step at a time by two reviewers other than the requester, who sees why not', async () => {
    const tenant = uniqueTenant();
    const alice = await stack.token(tenant, [...AUTHOR, ...REVIEWER], 'alice');
    const bob = await stack.token(tenant, REVIEWER, 'bob');
    const carol = await stack.token(tenant, REVIEWER, 'carol');
    const runId = await startByApi(alice, 'Postal Code Lookup');
    await waitForStatus(stack, alice, runId, ['DRAFT']);

    const { page, problems } = await openAdmin();
    await signIn(page, alice, 'alice');
    await openRun(page, runId);
    const contracts = region(page, 'Contracts');
    // Four eyes: the requester (a reviewer too) may promote nothing, and each control says why.
    for (const target of ['Review', 'Approved', 'Active']) {
      expect(await contracts.getByRole('button', { name: `Promote to ${target}` }).isDisabled()).toBe(true);
    }
    const review = contracts.getByRole('button', { name: 'Promote to Review' });
    const why = await page.evaluate(
      (id) => document.getElementById(id ?? '')?.textContent ?? '',
      await review.getAttribute('aria-describedby'),
    );
    expect(why).toContain('Four eyes');
    expect(why).toContain('requester');
    await shot(contracts, 'region-contracts-four-eyes');
    await signOut(page);

    await signIn(page, bob, 'bob');
    await openRun(page, runId);
    // One step at a time: only the next state is offered.
    expect(await contracts.getByRole('button', { name: 'Promote to Approved' }).isDisabled()).toBe(true);
    await contracts.getByRole('button', { name: 'Promote to Review' }).click();
    await contracts.getByText('Promoted to Review.').waitFor();
    await contracts.getByText('Draft → Review').waitFor();
    await contracts.getByRole('button', { name: 'Promote to Approved' }).click();
    await contracts.getByText('Promoted to Approved.').waitFor();
    await signOut(page);

    await signIn(page, carol, 'carol');
    await openRun(page, runId);
    await region(page, 'Contracts').getByRole('button', { name: 'Promote to Active' }).click();
    await region(page, 'Contracts').getByText('Promoted to Active.').waitFor();
    await region(page, 'Contracts').getByText('Approved → Active').waitFor();
    expect(await region(page, 'Contracts').getByRole('button', { name: 'Promote to Active' }).isDisabled()).toBe(true);

    const promotions = await api(stack, 'GET', `/runs/${runId}/contracts`, { token: carol });
    expect(
      promotions.body.promotions.map((p: { toState: string; requestedBy: string }) => [p.toState, p.requestedBy]),
    ).toEqual([
      ['Review', 'bob'],
      ['Approved', 'bob'],
      ['Active', 'carol'],
    ]);
    expect((await api(stack, 'GET', `/runs/${runId}`, { token: carol })).body.status).toBe('ACTIVE');

    // The Active capability is in the catalog, generated by this run.
    await page.getByRole('link', { name: 'Catalog', exact: true }).click();
    const entries = page.getByRole('table', { name: 'Catalog entries' });
    await entries.getByRole('link', { name: 'postal-code-lookup' }).click();
    const versions = page.getByRole('table', { name: 'Versions of postal-code-lookup' });
    await versions.waitFor();
    expect(await versions.textContent()).toContain('Active');
    expect(await versions.textContent()).toContain('GENERATED');
    await shot(page.getByRole('region', { name: 'Workspace', exact: true }), 'panel-catalog');
    await versions.getByRole('link', { name: /Generating run/ }).click();
    await region(page, 'Authority').waitFor();
    expect(page.url()).toContain(runId);

    // A breaking revision of it (a new required input) waits for an accepted break, given in the UI.
    openai.script({
      kind: 'completion',
      content: completionFor(
        { name: 'Postal Code Lookup', targetRuntime: 'node20', language: 'typescript' },
        {
          inputSchema: {
            type: 'object',
            properties: {
              city: { type: 'string', description: 'City name' },
              units: { type: 'string', description: 'Units' },
            },
            required: ['city', 'units'],
          },
        },
      ),
    });
    const revision = await api(stack, 'POST', '/runs', {
      token: alice,
      body: {
        name: 'Postal Code Lookup',
        problemStatement: 'Provide Postal Code Lookup by name, in the units asked for.',
        language: 'typescript',
        targetRuntime: 'node20',
        revisionOf: 'postal-code-lookup',
      },
    });
    expect(revision.status).toBe(202);
    const held = await waitForStatus(stack, alice, revision.body.runId, ['BLOCKED', 'DRAFT', 'FAILED']);
    expect([held.body.status, held.body.failureReason]).toEqual(['BLOCKED', expect.stringMatching(/required-added/)]);
    await page.getByRole('link', { name: 'Review inbox', exact: true }).click();
    await page
      .getByRole('table', { name: 'Waiting items' })
      .getByRole('row')
      .filter({ hasText: 'ACCEPTED_BREAK' })
      .getByRole('link')
      .click();
    const revised = region(page, 'Contracts');
    await revised.getByRole('table', { name: 'Compatibility findings' }).getByText('required-added').waitFor();
    const promoteRevision = revised.getByRole('button', { name: 'Promote to Review' });
    expect(await promoteRevision.isDisabled()).toBe(true);
    expect(
      await page.evaluate(
        (id) => document.getElementById(id ?? '')?.textContent ?? '',
        await promoteRevision.getAttribute('aria-describedby'),
      ),
    ).toContain('accept the break');
    await revised.getByLabel('Reason', { exact: true }).fill('Units must be explicit.');
    await revised.getByLabel('Owner', { exact: true }).fill('geo-team');
    await revised.getByRole('button', { name: 'Accept break' }).click();
    await revised.getByText(/Break accepted; the run is now DRAFT as version 2\.0\.0/).waitFor();
    await revised.getByRole('table', { name: 'Accepted breaks' }).getByText('geo-team').waitFor();
    await shot(revised, 'region-contracts-accepted-break');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lets a reviewer adjudicate a potential duplicate, with the comment required', async () => {
    const tenant = uniqueTenant();
    const author = await stack.token(tenant, AUTHOR, 'ann');
    const reviewer = await stack.token(tenant, REVIEWER, 'rob');
    // A run in flight (Draft) for a sibling operation on the same resource: a potential duplicate.
    const first = await startByApi(author, 'Get Calendar Event', 'Read one calendar event by its id.');
    await waitForStatus(stack, author, first, ['DRAFT']);
    const runId = await startByApi(author, 'Delete Calendar Event', 'Delete one calendar event by its id.');
    const waiting = await waitForStatus(stack, author, runId, ['AWAITING_ADJUDICATION', 'DRAFT', 'BLOCKED']);
    expect(waiting.body.status).toBe('AWAITING_ADJUDICATION');

    const { page, problems } = await openAdmin();
    await signIn(page, author, 'ann');
    await openRun(page, runId);
    const duplicates = region(page, 'Duplicates');
    expect(await duplicates.textContent()).toContain('POTENTIAL');
    // Authors see no adjudication controls.
    expect(await duplicates.getByRole('button', { name: 'Accept duplicate' }).count()).toBe(0);
    await signOut(page);

    await signIn(page, reviewer, 'rob');
    // The reviewer finds it in the review inbox, oldest first, with its wait and its deadline.
    await page.getByRole('link', { name: 'Review inbox', exact: true }).click();
    const waitingItems = page.getByRole('table', { name: 'Waiting items' });
    await waitingItems.waitFor();
    const item = waitingItems.getByRole('row').filter({ hasText: 'delete-calendar-event' });
    expect(await item.textContent()).toContain('ADJUDICATION');
    expect(await item.textContent()).toContain('not ann');
    const kinds = await waitingItems
      .getByRole('row')
      .filter({ has: page.getByRole('cell') })
      .allTextContents();
    expect(kinds.findIndex((k) => k.includes('get-calendar-event'))).toBeLessThan(
      kinds.findIndex((k) => k.includes('delete-calendar-event')),
    );
    await shot(page.getByRole('region', { name: 'Workspace', exact: true }), 'panel-inbox');
    await item.getByRole('link').click();
    await region(page, 'Duplicates').waitFor();
    expect(await duplicates.textContent()).toContain('get-calendar-event');
    await shot(duplicates, 'region-duplicates-potential');
    await duplicates.getByRole('button', { name: 'Accept duplicate' }).click();
    await duplicates.getByText('A comment is required').waitFor();
    expect((await api(stack, 'GET', `/runs/${runId}`, { token: reviewer })).body.status).toBe('AWAITING_ADJUDICATION');

    await duplicates.getByLabel('Comment').fill('Different data source: a separate capability.');
    await duplicates.getByRole('button', { name: 'Accept duplicate' }).click();
    await duplicates.getByText('Recorded accepted').waitFor();
    await duplicates.getByText('Different data source: a separate capability.').waitFor();
    await page.getByRole('heading', { level: 3, name: /Run delete-calendar-event .* DRAFT$/ }).waitFor();
    const after = await api(stack, 'GET', `/runs/${runId}/duplicates`, { token: reviewer });
    expect(after.body.checks[0].adjudication).toMatchObject({
      adjudicatedBy: 'rob',
      comment: 'Different data source: a separate capability.',
    });
    expect((await api(stack, 'GET', `/runs/${runId}`, { token: reviewer })).body.status).toBe('DRAFT');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('disables promotion of a run blocked by a duplicate, and says why', async () => {
    const tenant = uniqueTenant();
    const author = await stack.token(tenant, AUTHOR, 'bea');
    const reviewer = await stack.token(tenant, REVIEWER, 'ben');
    const first = await startByApi(author, 'Weather Forecast', 'Return the weather forecast for a city.');
    await waitForStatus(stack, author, first, ['DRAFT']);
    const runId = await startByApi(author, 'City Weather Forecast', 'Return the weather forecast for a given city.');
    const blocked = await waitForStatus(stack, author, runId, ['BLOCKED', 'AWAITING_ADJUDICATION', 'DRAFT']);
    expect(blocked.body.duplicateOutcome).toBe('BLOCKING');

    const { page, problems } = await openAdmin();
    await signIn(page, reviewer, 'ben');
    await openRun(page, runId);
    const contracts = region(page, 'Contracts');
    const review = contracts.getByRole('button', { name: 'Promote to Review' });
    expect(await review.isDisabled()).toBe(true);
    const why = await page.evaluate(
      (id) => document.getElementById(id ?? '')?.textContent ?? '',
      await review.getAttribute('aria-describedby'),
    );
    expect(why).toContain('blocking duplicate');
    expect(await region(page, 'Duplicates').textContent()).toContain('BLOCKING');
    await shot(page, 'run-blocked');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is usable with the keyboard alone: sign in, start a run, open it from the ledger', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR, 'kim');
    const { page, problems } = await openAdmin();
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement;
        const label = e?.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : null;
        return `${e?.tagName.toLowerCase()}:${label ?? e?.textContent ?? ''}`;
      });
    async function tabTo(target: string): Promise<void> {
      for (let i = 0; i < 150; i++) {
        if ((await focused()) === target) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${target}; focus is on ${await focused()}`);
    }
    await tabTo('input:Bearer token');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as kim').waitFor();

    openai.script({
      kind: 'completion',
      content: completionFor({ name: 'Sunrise Times', targetRuntime: 'node20', language: 'typescript' }),
    });
    await tabTo('input:Name');
    await page.keyboard.type('Sunrise Times');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Return sunrise and sunset times for a place.');
    await tabTo('button:Start run');
    await page.keyboard.press('Enter');
    await watchStatus(page, ['DRAFT', 'FAILED', 'DENIED', 'BLOCKED']);
    expect(await runStatus(page).textContent()).toBe('DRAFT');

    await tabTo('a:Run ledger');
    await page.keyboard.press('Enter');
    await ledgerRows(page).first().waitFor();
    // The ledger's first run link: its text is the run id's first eight hex digits.
    for (let i = 0; i < 60 && !/^a:[0-9a-f]{8}$/.test(await focused()); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await region(page, 'Authority').waitFor();
    await page.getByRole('heading', { level: 3, name: /^Run sunrise-times / }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters the ledger by status, capability key and time, and pages it by cursor', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, AUTHOR, 'lee');
    const denied: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await api(stack, 'POST', '/runs', {
        token,
        body: {
          name: `Legacy Job ${i}`,
          problemStatement: 'Run a legacy batch job.',
          language: 'typescript',
          targetRuntime: 'cobol85',
        },
      });
      denied.push(r.body.runId);
    }
    const drafted = await startByApi(token, 'Tide Tables');
    await waitForStatus(stack, token, drafted, ['DRAFT']);
    for (const id of denied) await waitForStatus(stack, token, id, ['DENIED']);

    const { page, problems } = await openAdmin();
    await signIn(page, token, 'lee');
    const rows = ledgerRows(page);
    await rows.nth(7).waitFor();
    expect(await rows.count()).toBe(8);

    await page.getByLabel('Page size').selectOption('5');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1: 5 runs').waitFor();
    expect(await rows.count()).toBe(5);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2: 3 runs').waitFor();
    expect(await rows.count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1: 5 runs').waitFor();

    await page.getByLabel('Status', { exact: true }).selectOption('DRAFT');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1: 1 run').waitFor();
    expect(await rows.first().textContent()).toContain('tide-tables');
    await shot(page.getByRole('region', { name: 'Workspace', exact: true }), 'panel-ledger');

    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Capability key').fill('legacy-job-3');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The previous filter also showed one run: wait for the new row itself, not the page label.
    await rows.filter({ hasText: 'legacy-job-3' }).waitFor();
    await page.getByText('Page 1: 1 run').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('legacy-job-3');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    const future = new Date(Date.now() + 3_600_000);
    const local = new Date(future.getTime() - future.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('From', { exact: true }).fill(local);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1: 0 runs').waitFor();
    expect(await rows.count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the review inbox, the catalog and the trends inside the same shell, under a CSP with no violations', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, ['admin'], 'ivy');
    const runId = await startByApi(token, 'Moon Phase');
    await waitForStatus(stack, token, runId, ['DRAFT']);
    const { page, problems } = await openAdmin({ noInlineStyles: true });
    const res = await page.request.get(`${stack.url}/admin/`);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const before = await shell(page);
    await signIn(page, token, 'ivy');

    await page.getByRole('link', { name: 'Review inbox', exact: true }).click();
    await region(page, 'Review inbox').getByRole('table', { name: 'Waiting items' }).getByText('moon-phase').waitFor();
    await shot(page.getByRole('region', { name: 'Workspace', exact: true }), 'panel-inbox-review');
    await page.getByRole('link', { name: 'Catalog', exact: true }).click();
    await region(page, 'Catalog').getByText('The catalog is empty.').waitFor();
    await page.getByRole('link', { name: 'Trends', exact: true }).click();
    await region(page, 'Trends').waitFor();
    await page.getByRole('img', { name: 'Runs per capability' }).waitFor();
    await page.getByRole('img', { name: 'Runs per day' }).waitFor();
    await shot(page.getByRole('region', { name: 'Workspace', exact: true }), 'panel-trends');
    expect(await shell(page)).toEqual(before);

    // Keyboard alone: tab from the token box to the sign-out button and to navigation.
    await page.getByLabel('Bearer token').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign out');
    expect(problems).toEqual([]);
    await page.close();
  });
});
