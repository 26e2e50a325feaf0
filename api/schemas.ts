import { z } from 'zod';
import { LIFECYCLE_STATES, RUN_STATUSES } from '../domain/types';
import { BadRequestError } from './errors';

/**
 * Fields a client might try to set that the server alone resolves. They are refused by name, so a
 * caller learns that authority, policy and templates are not theirs to choose.
 */
export const SERVER_RESOLVED_FIELDS = [
  'authority',
  'executionAuthority',
  'roles',
  'role',
  'tenant',
  'tenantId',
  'policy',
  'policyVersion',
  'policyClauses',
  'governanceDecision',
  'governanceDecisionId',
  'approved',
  'admitted',
  'runtimeProvider',
  'provider',
  'model',
  'modelIdentity',
  'allowedRuntimes',
  'prompt',
  'systemPrompt',
  'promptTemplate',
  'template',
  'templateId',
  'templateVersion',
  'status',
  'lifecycleState',
  'executionSnapshotId',
  'capabilityKey',
  'reviewer',
] as const;

const RESOLVED = new Set<string>(SERVER_RESOLVED_FIELDS);

export function parseBody<S extends z.ZodType>(schema: S, body: unknown, allowed: readonly string[] = []): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('request body must be a JSON object (Content-Type: application/json)');
  }
  const forbidden = Object.keys(body).filter((k) => RESOLVED.has(k) && !allowed.includes(k));
  if (forbidden.length > 0) {
    throw new BadRequestError(
      `field${forbidden.length > 1 ? 's' : ''} ${forbidden.map((f) => `"${f}"`).join(', ')} ${forbidden.length > 1 ? 'are' : 'is'} resolved by the server and may not be set by a client`,
      { invalidFields: forbidden.map((f) => ({ field: f, message: 'server-resolved field' })) },
    );
  }
  const nul = pathWithNul(body);
  if (nul !== null) {
    // PostgreSQL can store no NUL character in text or jsonb: refused here, with where it was.
    throw new BadRequestError(`invalid body: body.${nul || '(root)'}: must not contain the NUL character (U+0000)`, {
      invalidFields: [{ field: nul || '(root)', message: 'must not contain the NUL character (U+0000)' }],
    });
  }
  return parseWith(schema, body, 'body');
}

/** The dotted path of the first key or string holding U+0000, or null when there is none. */
function pathWithNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k.replaceAll('\u0000', '\\u0000')].join('.');
    const found = pathWithNul(v, [...path, k]);
    if (found !== null) return found;
  }
  return null;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const invalidFields = parsed.error.issues.map((i) => {
      const unknownKeys = i.code === 'unrecognized_keys' ? i.keys : [];
      const path = [...i.path, ...(unknownKeys.length === 1 ? unknownKeys : [])].join('.');
      return { field: path || '(root)', message: i.message };
    });
    const summary = invalidFields.map((f) => `${where}.${f.field}: ${f.message}`).join('; ');
    throw new BadRequestError(`invalid ${where}: ${summary}`, { invalidFields });
  }
  return parsed.data;
}

const slug = /^[a-z0-9][a-z0-9._-]*$/;

/** Caps on a seed schema, checked before anything walks it (redaction, prompt, validation). */
export const MAX_SEED_SCHEMA_BYTES = 16 * 1024;
export const MAX_SEED_SCHEMA_DEPTH = 16;

/** Depth of a JSON value, counting no deeper than one level past the cap. */
function jsonDepth(v: unknown, depth = 0): number {
  if (depth > MAX_SEED_SCHEMA_DEPTH || v === null || typeof v !== 'object') return depth;
  let max = depth + 1;
  for (const x of Object.values(v)) max = Math.max(max, jsonDepth(x, depth + 1));
  return max;
}

const capabilityKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'a capability key: letters, digits and . _ : / -');

export const startRunBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .refine((s) => /[A-Za-z0-9]/.test(s), 'name must contain a letter or digit'),
    problemStatement: z.string().trim().min(10, 'describe the problem in at least 10 characters').max(4000),
    language: z.string().trim().toLowerCase().regex(slug, 'language must be a lower-case identifier').max(32),
    targetRuntime: z
      .string()
      .trim()
      .regex(slug, 'targetRuntime must be a lower-case identifier such as node20')
      .max(64),
    seedInputSchema: z
      .record(z.string(), z.unknown())
      .refine((v) => JSON.stringify(v).length <= MAX_SEED_SCHEMA_BYTES, {
        message: `seedInputSchema must be at most ${MAX_SEED_SCHEMA_BYTES} bytes of JSON`,
      })
      .refine((v) => jsonDepth(v) <= MAX_SEED_SCHEMA_DEPTH, {
        message: `seedInputSchema must nest at most ${MAX_SEED_SCHEMA_DEPTH} levels deep`,
      })
      .nullable()
      .optional(),
    examples: z.array(z.string().trim().min(1).max(500)).max(10).optional(),
    /** Propose the next version of this Active capability key of the caller's tenant (issue 6). */
    revisionOf: capabilityKeySchema.optional(),
  })
  .strict();
export type StartRunBody = z.infer<typeof startRunBody>;

export const promoteBody = z
  .object({
    targetState: z
      .enum(LIFECYCLE_STATES)
      .refine((s) => s !== 'Draft', 'generated contracts start in Draft; promote to Review, Approved or Active'),
    comment: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();

export const adjudicateBody = z
  .object({
    decision: z.enum(['ACCEPT', 'REJECT']),
    comment: z.string().trim().min(1, 'an audit comment is required').max(2000),
  })
  .strict();

/** An accepted break: the rule ids accepted, a reason, an owner and an expiry (issue 6). */
export const acceptBreakBody = z
  .object({
    ruleIds: z.array(z.string().trim().min(1).max(100)).min(1, 'name the rule ids accepted').max(100),
    reason: z.string().trim().min(1, 'a reason is required').max(2000),
    owner: z.string().trim().min(1, 'an owner is required').max(200),
    expiresAtUtc: z.iso.datetime({ offset: true }),
  })
  .strict();

export const runIdParams = z.object({ runId: z.uuid('runId must be a UUID') }).strict();

export const ledgerQuery = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    capabilityKey: z.string().min(1).max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();
