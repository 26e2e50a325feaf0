/// <reference lib="dom" />
// Page functions run in the browser; their DOM types come from this reference.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { api, startStack, uniqueTenant, waitForStatus, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let env: TestWorkflowEnvironment;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
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
  await env?.teardown();
});

describe('the admin UI', () => {
  it('shows the ledger and, for a run, its authority, snapshot, duplicate, contract and prompt panels without changing the shell', async () => {
    const tenant = uniqueTenant();
    const token = await stack.token(tenant, ['capability-author']);
    const started = await api(stack, 'POST', '/runs', {
      token,
      body: {
        name: 'Weather Lookup',
        problemStatement: 'Return the current weather for a city.',
        language: 'typescript',
        targetRuntime: 'node20',
      },
    });
    const run = await waitForStatus(stack, token, started.body.runId, ['DRAFT']);

    const page = await browser.newPage();
    await page.goto(`${stack.url}/admin/`);
    const shell = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('body > *, main > section')).map((e) => `${e.tagName}#${e.id}`),
      );
    const before = await shell();
    await page.fill('#token', token);
    await page.click('#load');
    await page.waitForSelector('tr.run');
    expect(await page.textContent('#runs')).toContain('weather-lookup');
    await page.click('tr.run');
    await page.waitForFunction(() =>
      document.querySelector('#prompt-panel .body')?.textContent?.includes('capability-generation@1'),
    );
    expect(await page.textContent('#run-summary')).toContain(run.body.executionSnapshotId);
    expect(await page.textContent('#run-summary')).toContain('ADMIT');
    expect(await page.textContent('#duplicates-panel')).toContain('NONE');
    expect(await page.textContent('#contracts-panel')).toContain('runtime-admitted');
    expect(await page.textContent('#telemetry-panel')).toContain('RUN_DRAFT');
    expect(await shell()).toEqual(before);
    await page.close();
  });
});
