import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ROUTE_ROLES } from '../../api/authorization';
import { api, startStack, uniqueTenant, waitForStatus, type ApiResponse, type Stack } from '../helpers/stack';
import { startTemporalDevServer } from '../helpers/temporal';

const BASE = '/api/admin/ai-generation';
let env: TestWorkflowEnvironment;
let stack: Stack;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
addFormats(ajv);

beforeAll(async () => {
  env = await startTemporalDevServer();
  stack = await startStack(env);
  const res = await fetch(`${stack.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const checked = new Set<string>();

/** Validates a real response against the document's schema for its route, method and status. */
function conforms(method: string, path: string, res: ApiResponse): void {
  const op = doc.paths[`${BASE}${path}`]?.[method.toLowerCase()];
  expect({ route: `${method} ${path}`, documented: Boolean(op) }).toEqual({
    route: `${method} ${path}`,
    documented: true,
  });
  const response = op.responses[String(res.status)];
  expect({ route: `${method} ${path}`, status: res.status, documented: Boolean(response) }).toEqual({
    route: `${method} ${path}`,
    status: res.status,
    documented: true,
  });
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
  const media = response.content[type];
  expect({ route: `${method} ${path}`, status: res.status, type, documented: Boolean(media) }).toEqual({
    route: `${method} ${path}`,
    status: res.status,
    type,
    documented: true,
  });
  const validate = ajv.compile(media.schema);
  const ok = validate(res.body);
  expect({ route: `${method} ${path}`, status: res.status, errors: ok ? null : validate.errors }).toEqual({
    route: `${method} ${path}`,
    status: res.status,
    errors: null,
  });
  checked.add(`${method} ${path} ${res.status}`);
}

describe('the OpenAPI 3.1 document', () => {
  it('is OpenAPI 3.1 and lists every route of the authorization table with its roles and problem responses', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const rule of ROUTE_ROLES) {
      const p = `${BASE}${rule.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const op = doc.paths[p]?.[rule.method.toLowerCase()];
      expect({ route: `${rule.method} ${rule.path}`, roles: op?.['x-required-roles'] }).toEqual({
        route: `${rule.method} ${rule.path}`,
        roles: [...rule.roles],
      });
      for (const status of ['400', '401', '403', '503']) {
        expect(op.responses[status].content['application/problem+json'].schema).toBeDefined();
      }
      // Every schema in it compiles.
      for (const r of Object.values(op.responses) as Array<{ content: Record<string, { schema: object }> }>) {
        for (const m of Object.values(r.content)) expect(() => ajv.compile(m.schema)).not.toThrow();
      }
    }
    expect(doc.paths['/codec/decode'].post['x-required-roles']).toEqual(['admin']);
  });

  it('describes what the routes really answer', async () => {
    const tenant = uniqueTenant();
    const author = await stack.token(tenant, ['capability-author'], 'alice');
    const reviewer = await stack.token(tenant, ['capability-reviewer'], 'bob');
    const body = {
      name: 'Conformance Probe',
      problemStatement: 'Return the opening hours of a shop by its id.',
      language: 'typescript',
      targetRuntime: 'node20',
    };

    const started = await api(stack, 'POST', '/runs', { token: author, body });
    conforms('POST', '/runs', started);
    const runId = started.body.runId as string;
    await waitForStatus(stack, author, runId, ['DRAFT']);

    conforms('GET', '/runs', await api(stack, 'GET', '/runs?limit=1', { token: author }));
    conforms('GET', '/runs/{runId}', await api(stack, 'GET', `/runs/${runId}`, { token: author }));
    conforms(
      'GET',
      '/runs/{runId}/duplicates',
      await api(stack, 'GET', `/runs/${runId}/duplicates`, { token: author }),
    );
    conforms('GET', '/runs/{runId}/contracts', await api(stack, 'GET', `/runs/${runId}/contracts`, { token: author }));
    conforms('GET', '/prompts/{runId}', await api(stack, 'GET', `/prompts/${runId}`, { token: author }));
    const promoted = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Review' },
    });
    conforms('POST', '/runs/{runId}/promote', promoted);
    const skip = await api(stack, 'POST', `/runs/${runId}/promote`, {
      token: reviewer,
      body: { targetState: 'Active' },
    });
    expect(skip.status).toBe(409);
    conforms('POST', '/runs/{runId}/promote', skip);
    const notWaiting = await api(stack, 'POST', `/runs/${runId}/adjudicate`, {
      token: reviewer,
      body: { decision: 'ACCEPT', comment: 'fine' },
    });
    expect(notWaiting.status).toBe(409);
    conforms('POST', '/runs/{runId}/adjudicate', notWaiting);

    conforms('GET', '/runs', await api(stack, 'GET', '/runs?cursor=broken', { token: author }));
    conforms('GET', '/runs', await api(stack, 'GET', '/runs'));
    conforms('POST', '/runs', await api(stack, 'POST', '/runs', { token: reviewer, body }));
    conforms(
      'POST',
      '/runs',
      await api(stack, 'POST', '/runs', { token: author, body: { ...body, roles: ['admin'] } }),
    );
    conforms('GET', '/runs/{runId}', await api(stack, 'GET', `/runs/${randomUUID()}`, { token: author }));
    conforms(
      'POST',
      '/runs/{runId}/promote',
      await api(stack, 'POST', `/runs/${runId}/promote`, { token: author, body: { targetState: 'Approved' } }),
    );

    expect([...checked].sort()).toEqual(
      expect.arrayContaining([
        'GET /runs 200',
        'GET /runs 400',
        'GET /runs 401',
        'POST /runs 202',
        'POST /runs 400',
        'POST /runs 403',
        'GET /runs/{runId} 200',
        'GET /runs/{runId} 404',
        'POST /runs/{runId}/promote 200',
        'POST /runs/{runId}/promote 409',
        'POST /runs/{runId}/promote 403',
      ]),
    );
  });
});
