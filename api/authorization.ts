import type { RequestHandler } from 'express';
import { ROLES } from '../domain/lifecycle';
import { principalOf } from './auth';
import { ForbiddenError } from './errors';

/**
 * The one authorization table: every route of the API and the roles it requires, reads included.
 * A route missing here is refused (403), so a new endpoint is closed until someone decides who may
 * call it. `recordDenial` routes are not refused here: their handler records the denied attempt
 * (plan §3.1) and answers 403 itself.
 */

export interface RouteRule {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path below the API base, `:param` for a segment. */
  path: string;
  roles: readonly string[];
  summary: string;
  recordDenial?: boolean;
}

const READERS = [ROLES.admin, ROLES.author, ROLES.reviewer] as const;
const AUTHORS = [ROLES.admin, ROLES.author] as const;
const REVIEWERS = [ROLES.admin, ROLES.reviewer] as const;
const OPERATORS = [ROLES.admin] as const;
const CONFIG_ADMINS = [ROLES.admin, ROLES.platformAdmin] as const;

export const ROUTE_ROLES: readonly RouteRule[] = [
  { method: 'POST', path: '/runs', roles: AUTHORS, summary: 'Start a generation run', recordDenial: true },
  { method: 'GET', path: '/runs', roles: READERS, summary: 'The run ledger (keyset-paginated)' },
  { method: 'GET', path: '/runs/:runId', roles: READERS, summary: 'One run with its decisions and telemetry' },
  { method: 'GET', path: '/runs/:runId/duplicates', roles: READERS, summary: "A run's duplicate checks" },
  { method: 'GET', path: '/runs/:runId/contracts', roles: READERS, summary: "A run's contract drafts" },
  { method: 'POST', path: '/runs/:runId/promote', roles: REVIEWERS, summary: 'Promote the contract one step' },
  { method: 'POST', path: '/runs/:runId/adjudicate', roles: REVIEWERS, summary: 'Adjudicate a potential duplicate' },
  {
    method: 'POST',
    path: '/runs/:runId/accept-break',
    roles: REVIEWERS,
    summary: 'Accept the breaking changes of a revision (rule ids, reason, owner, expiry)',
  },
  { method: 'GET', path: '/inbox', roles: READERS, summary: 'What waits for a human, oldest first' },
  { method: 'GET', path: '/prompts/:runId', roles: READERS, summary: "A run's prompt lineage" },
  { method: 'GET', path: '/catalog', roles: READERS, summary: 'The capability catalog (keyset-paged, searchable)' },
  { method: 'GET', path: '/catalog/:capabilityKey', roles: READERS, summary: 'One catalog entry with its versions' },
  { method: 'GET', path: '/config', roles: CONFIG_ADMINS, summary: 'Effective configuration, secrets masked' },
  { method: 'GET', path: '/config/audit', roles: CONFIG_ADMINS, summary: 'The configuration audit trail' },
  { method: 'PUT', path: '/config/:key', roles: CONFIG_ADMINS, summary: 'Change a tunable key (reason required)' },
  {
    method: 'GET',
    path: '/telemetry/summary',
    roles: CONFIG_ADMINS,
    summary: 'Trends: counts, fallback rate, duplicate mix, p50/p95 duration',
  },
];

/** Routes outside the admin API base that also need a principal (the Temporal Web UI codec). */
export const CODEC_ROLES: readonly string[] = OPERATORS;

interface CompiledRule extends RouteRule {
  regex: RegExp;
}

const COMPILED: CompiledRule[] = ROUTE_ROLES.map((r) => ({
  ...r,
  regex: new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`),
}));

export function ruleFor(method: string, path: string): RouteRule | null {
  const m = method === 'HEAD' ? 'GET' : method;
  return COMPILED.find((r) => r.method === m && r.regex.test(path)) ?? null;
}

export function hasRequiredRole(roles: readonly string[], rule: Pick<RouteRule, 'roles'>): boolean {
  return roles.some((r) => rule.roles.includes(r));
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set on `recordDenial` routes when the caller lacks the role; the handler records the denial. */
    authorizationDenied?: string;
  }
}

/** Looks the route up in the table and checks the verified principal's roles against it. */
export const authorize: RequestHandler = (req, _res, next) => {
  const rule = ruleFor(req.method, req.path);
  if (!rule) {
    // Closed by default: a route nobody listed is nobody's to call.
    return next(new ForbiddenError(`no authorization rule for ${req.method} ${req.path} (api/authorization.ts)`));
  }
  const principal = principalOf(req);
  if (hasRequiredRole(principal.roles, rule)) return next();
  const reason = `${rule.method} ${rule.path} requires one of the roles ${rule.roles.join(', ')}`;
  if (rule.recordDenial) {
    req.authorizationDenied = reason;
    return next();
  }
  next(new ForbiddenError(reason));
};
