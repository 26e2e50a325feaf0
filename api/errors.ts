import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../lib/logger';

/** Named errors; one middleware maps them to problem+json. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  override name = 'BadRequestError';
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(400, 'Bad Request', message, extra);
  }
}

export class UnauthorizedError extends HttpError {
  override name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, 'Unauthorized', message);
  }
}

export class ForbiddenError extends HttpError {
  override name = 'ForbiddenError';
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(403, 'Forbidden', message, extra);
  }
}

export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'Not Found', message);
  }
}

export class ConflictError extends HttpError {
  override name = 'ConflictError';
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(409, 'Conflict', message, extra);
  }
}

export class ServiceUnavailableError extends HttpError {
  override name = 'ServiceUnavailableError';
  constructor(message: string) {
    super(503, 'Service Unavailable', message);
  }
}

/** Seconds a client should wait before retrying while a dependency is down. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export type Dependency = 'postgresql' | 'temporal';

/**
 * A dependency (PostgreSQL or Temporal) is unreachable or restarting: a 503 with `Retry-After`,
 * never a 500. Raised by `dependencyOutage` from the drivers' own errors, in the one middleware.
 */
export class DependencyUnavailableError extends HttpError {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: Dependency,
    message: string,
    readonly retryAfterSeconds = OUTAGE_RETRY_AFTER_SECONDS,
  ) {
    super(503, 'Service Unavailable', message, { dependency });
  }
}

/** Socket-level failures, as Node reports them (pg surfaces them as they are). */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server that is going away or not yet accepting: admin/crash shutdown, starting up, full. */
const PG_OUTAGE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg and pg-pool say when a connection dies or cannot be had in time. */
const PG_OUTAGE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed|connection timeout/i;
/** gRPC status codes meaning "the server did not answer": CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE. */
const GRPC_OUTAGE_CODES = new Set([1, 4, 14]);
const TEMPORAL_OUTAGE_NAMES = new Set(['WorkflowUpdateRPCTimeoutOrCancelledError', 'TransportError']);

function causes(err: unknown): object[] {
  const seen: object[] = [];
  const queue = [err];
  while (queue.length > 0 && seen.length < 10) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.includes(e)) continue;
    seen.push(e);
    const { cause, errors } = e as { cause?: unknown; errors?: unknown };
    if (cause) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return seen;
}

function isGrpcError(e: object): e is { code: number; details: unknown } {
  return typeof (e as { code?: unknown }).code === 'number' && 'details' in e;
}

/** The dependency outage behind an error (following `cause` and AggregateError chains), or null. */
export function dependencyOutage(err: unknown): DependencyUnavailableError | null {
  for (const e of causes(err)) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (isGrpcError(e)) {
      if (GRPC_OUTAGE_CODES.has(e.code)) return new DependencyUnavailableError('temporal', 'Temporal is unavailable');
      continue;
    }
    if (typeof name === 'string' && TEMPORAL_OUTAGE_NAMES.has(name)) {
      return new DependencyUnavailableError('temporal', 'Temporal did not answer in time');
    }
    if (
      typeof code === 'string' &&
      (NETWORK_ERROR_CODES.has(code) || PG_OUTAGE_SQLSTATES.has(code) || code.startsWith('08'))
    ) {
      return new DependencyUnavailableError('postgresql', 'the database is unavailable');
    }
    if (typeof message === 'string' && PG_OUTAGE_MESSAGES.test(message)) {
      return new DependencyUnavailableError('postgresql', 'the database is unavailable');
    }
  }
  return null;
}

export function problemMiddleware(logger: Logger, development: boolean): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const correlationId = res.getHeader('X-Correlation-Id');
    let status = 500;
    let title = 'Internal Server Error';
    let detail = 'an unexpected error occurred';
    let extra: Record<string, unknown> = {};
    const outage = err instanceof HttpError ? null : dependencyOutage(err);
    const known = err instanceof HttpError ? err : outage;
    if (known) {
      ({ status, title, extra } = known);
      detail = known.message;
      if (status === 503) {
        const seconds =
          known instanceof DependencyUnavailableError ? known.retryAfterSeconds : OUTAGE_RETRY_AFTER_SECONDS;
        res.setHeader('Retry-After', String(seconds));
      }
      if (status === 429 && typeof extra.retryAfterSeconds === 'number') {
        res.setHeader('Retry-After', String(extra.retryAfterSeconds));
      }
    } else if (isBodyParserError(err)) {
      status = err.status;
      title = status === 413 ? 'Payload Too Large' : 'Bad Request';
      detail = status === 413 ? 'request body is too large' : `request body is not valid JSON: ${err.message}`;
    }
    if (outage) {
      // An outage is not a defect: one warning line, not a stack per request.
      logger.warn('dependency unavailable', {
        method: req.method,
        path: req.path,
        correlationId,
        dependency: outage.dependency,
        error: err instanceof Error ? err.message : String(err),
      });
    } else if (status >= 500) {
      logger.error('request failed', {
        method: req.method,
        path: req.path,
        correlationId,
        error: err instanceof Error ? err.stack : String(err),
      });
    }
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title,
        status,
        detail,
        instance: req.originalUrl,
        correlationId: correlationId ?? null,
        ...extra,
        ...(development && status >= 500 && !outage && err instanceof Error ? { stack: err.stack } : {}),
      });
  };
}

function isBodyParserError(err: unknown): err is { status: number; message: string; type: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { status?: unknown }).status === 'number' &&
    typeof (err as { type?: unknown }).type === 'string'
  );
}
