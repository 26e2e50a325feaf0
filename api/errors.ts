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
  constructor(message: string) {
    super(403, 'Forbidden', message);
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

export function problemMiddleware(logger: Logger, development: boolean): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const correlationId = res.getHeader('X-Correlation-Id');
    let status = 500;
    let title = 'Internal Server Error';
    let detail = 'an unexpected error occurred';
    let extra: Record<string, unknown> = {};
    if (err instanceof HttpError) {
      ({ status, title, extra } = err);
      detail = err.message;
    } else if (isBodyParserError(err)) {
      status = err.status;
      title = status === 413 ? 'Payload Too Large' : 'Bad Request';
      detail = status === 413 ? 'request body is too large' : `request body is not valid JSON: ${err.message}`;
    }
    if (status >= 500) {
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
        ...(development && status >= 500 && err instanceof Error ? { stack: err.stack } : {}),
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
