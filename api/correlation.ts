import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { BadRequestError } from './errors';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `X-Correlation-Id` is required on mutating requests and echoed on every response (reads without
 * one get a fresh id, so every log line and problem body still has one).
 */
export const correlationId: RequestHandler = (req, res, next) => {
  const given = req.get('x-correlation-id');
  if (given !== undefined && !CORRELATION_ID.test(given)) {
    res.setHeader('X-Correlation-Id', randomUUID());
    return next(
      new BadRequestError('X-Correlation-Id must be 8-128 characters of letters, digits, ".", "_", ":" or "-"'),
    );
  }
  if (given === undefined && MUTATING.has(req.method)) {
    res.setHeader('X-Correlation-Id', randomUUID());
    return next(new BadRequestError('X-Correlation-Id header is required on mutating requests'));
  }
  const id = given ?? randomUUID();
  req.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};
