import { z } from 'zod';
import { DUPLICATE_OUTCOMES, LIFECYCLE_STATES, RUN_STATUSES } from '../domain/types';
import { CODEC_ROLES, ROUTE_ROLES, type RouteRule } from './authorization';
import { acceptBreakBody, adjudicateBody, ledgerQuery, promoteBody, startRunBody } from './schemas';
import { inboxQuery } from './inbox-router';

/**
 * The API contract: an OpenAPI 3.1 document generated from the same zod schemas the handlers
 * parse with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is), covering every
 * route of the authorization table with the roles it requires (`x-required-roles`) and the
 * problem+json answers it can give. Served at `GET /api/openapi.json`; the OpenAPI test checks
 * real responses against it.
 */

const uuid = z.uuid();
const iso = z.string();
const runStatus = z.enum(RUN_STATUSES);
const lifecycle = z.enum(LIFECYCLE_STATES);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string(),
    correlationId: z.string().nullable(),
    runId: uuid.optional(),
    executionSnapshotId: uuid.nullable().optional(),
    invalidFields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    retryAfterSeconds: z.number().int().optional(),
    /** On a POST /runs refused for a role: the recorded attempt's status and decision. */
    runStatus: runStatus.optional(),
    governanceDecisionId: uuid.optional(),
    reasonCode: z.string().optional(),
  })
  .loose();

const runAccepted = z
  .object({
    runId: uuid,
    workflowId: z.string(),
    status: z.literal('REQUESTED'),
    executionSnapshotId: z.null(),
    correlationId: z.string(),
  })
  .loose();

const ledgerItem = z
  .object({
    runId: uuid,
    executionSnapshotId: uuid.nullable(),
    status: runStatus,
    lifecycleState: lifecycle.nullable(),
    capabilityKey: z.string(),
    capabilityName: z.string(),
    requestedBy: z.string(),
    createdAtUtc: iso,
  })
  .loose();

const ledgerPage = z.object({ items: z.array(ledgerItem), nextCursor: z.string().nullable() }).loose();

const runDetail = z
  .object({
    runId: uuid,
    tenantId: z.string(),
    correlationId: z.string(),
    executionSnapshotId: uuid.nullable(),
    status: runStatus,
    lifecycleState: lifecycle.nullable().optional(),
    capabilityKey: z.string().optional(),
    governanceDecisions: z.array(z.object({ id: uuid, kind: z.string(), decision: z.string() }).loose()).optional(),
    telemetry: z.array(z.object({ id: uuid, eventType: z.string(), outcome: z.string() }).loose()).optional(),
    pending: z.boolean().optional(),
  })
  .loose();

const aboutRun = z.object({ runId: uuid, executionSnapshotId: uuid.nullable() }).loose();

const duplicates = aboutRun.extend({
  outcome: z.enum(DUPLICATE_OUTCOMES).nullable(),
  checks: z.array(z.object({ id: uuid, outcome: z.enum(DUPLICATE_OUTCOMES) }).loose()),
});

const promotionResult = aboutRun.extend({
  promotionId: uuid,
  governanceDecisionId: uuid,
  fromState: lifecycle,
  toState: lifecycle,
  status: runStatus,
});

const adjudicationResult = aboutRun.extend({
  status: runStatus,
  duplicateOutcome: z.enum(DUPLICATE_OUTCOMES).nullable(),
});

const anyObject = z.object({}).loose();

const codecPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});

/** Success schema and status of each route; routes not listed answer a JSON object. */
const RESPONSES: Record<string, { status: number; schema: z.ZodType }> = {
  'POST /runs': { status: 202, schema: runAccepted },
  'GET /runs': { status: 200, schema: ledgerPage },
  'GET /runs/:runId': { status: 200, schema: runDetail },
  'GET /runs/:runId/duplicates': { status: 200, schema: duplicates },
  'GET /runs/:runId/contracts': { status: 200, schema: aboutRun },
  'POST /runs/:runId/promote': { status: 200, schema: promotionResult },
  'POST /runs/:runId/adjudicate': { status: 200, schema: adjudicationResult },
};

const BODIES: Record<string, z.ZodType> = {
  'POST /runs': startRunBody,
  'POST /runs/:runId/promote': promoteBody,
  'POST /runs/:runId/adjudicate': adjudicateBody,
  'POST /runs/:runId/accept-break': acceptBreakBody,
};

const QUERIES: Record<string, z.ZodObject> = {
  'GET /runs': ledgerQuery as unknown as z.ZodObject,
  'GET /inbox': inboxQuery as unknown as z.ZodObject,
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const PROBLEM_STATUSES: Record<number, string> = {
  400: 'Invalid request (problem+json names the fields)',
  401: 'Missing or invalid bearer token',
  403: 'The token lacks a role this route requires (POST /runs records the denied attempt)',
  404: 'No such run in the caller’s tenant',
  409: 'Refused by the lifecycle, four eyes or idempotency',
  413: 'Body too large',
  429: 'Rate limit or runs-in-flight cap reached (Retry-After)',
  503: 'A dependency or the workers did not answer in time (Retry-After)',
};

function problemResponses(rule: Pick<RouteRule, 'method' | 'path'>): Record<string, unknown> {
  const codes = [400, 401, 403, 503];
  // A revision (`revisionOf`) of a key the tenant has no Active version of is a 404 too.
  if (rule.path.includes(':') || (rule.method === 'POST' && rule.path === '/runs')) codes.push(404);
  if (rule.method !== 'GET') codes.push(409, 413);
  if (rule.method === 'POST' && rule.path === '/runs') codes.push(429);
  const problem = { 'application/problem+json': { schema: jsonSchema(problemSchema) } };
  return Object.fromEntries(
    codes.sort().map((c) => [String(c), { description: PROBLEM_STATUSES[c], content: problem }]),
  );
}

function operation(rule: RouteRule, basePath: string): [string, string, Record<string, unknown>] {
  const key = `${rule.method} ${rule.path}`;
  const openapiPath = basePath + rule.path.replace(/:([A-Za-z]+)/g, '{$1}');
  const params = [...rule.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: m[1] === 'runId' ? { type: 'string', format: 'uuid' } : { type: 'string' },
  }));
  const headers = [
    {
      name: 'X-Correlation-Id',
      in: 'header',
      required: rule.method !== 'GET',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
    },
  ];
  if (rule.method === 'POST') {
    headers.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
    });
  }
  const query = QUERIES[key];
  const queryParams = query
    ? Object.entries(jsonSchema(query, 'input').properties as Record<string, unknown>).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema,
      }))
    : [];
  const success = RESPONSES[key] ?? { status: rule.method === 'POST' ? 200 : 200, schema: anyObject };
  const body = BODIES[key];
  const op: Record<string, unknown> = {
    operationId: `${rule.method.toLowerCase()}${rule.path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    summary: rule.summary,
    'x-required-roles': [...rule.roles],
    security: [{ bearer: [] }],
    parameters: [...params, ...headers, ...queryParams],
    responses: {
      [String(success.status)]: {
        description: 'Success',
        content: { 'application/json': { schema: jsonSchema(success.schema) } },
      },
      ...problemResponses(rule),
    },
  };
  if (rule.method !== 'GET') {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: body ? jsonSchema(body, 'input') : { type: 'object' } } },
    };
  }
  return [openapiPath, rule.method.toLowerCase(), op];
}

export function openApiDocument(basePath: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const rule of ROUTE_ROLES) {
    const [p, method, op] = operation(rule, basePath);
    (paths[p] ??= {})[method] = op;
  }
  for (const op of ['encode', 'decode']) {
    paths[`/codec/${op}`] = {
      post: {
        operationId: `codec${op[0]!.toUpperCase()}${op.slice(1)}`,
        summary: `Temporal Web UI remote codec: ${op} payloads`,
        'x-required-roles': [...CODEC_ROLES],
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(codecPayloads) } } },
        responses: {
          '200': { description: 'Success', content: { 'application/json': { schema: jsonSchema(codecPayloads) } } },
          ...problemResponses({ method: 'POST', path: '/codec' }),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'ToolNexus AI Generation admin API',
      version: '1.0.0',
      description:
        'Governed capability generation. Every route needs a bearer JWT (exp, iat, iss, aud) whose roles include one of `x-required-roles`. Errors are RFC 9457 problem+json.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
