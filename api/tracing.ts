import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { addToLogContext, withLogContext } from '../lib/logger';
import { ruleFor } from './authorization';

const tracer = trace.getTracer('toolnexus-ai-generation-api');

/**
 * One SERVER span per API request, the root of the run's trace: the Temporal client interceptor
 * starts the workflow inside it, so `POST /runs`, the workflow and every activity share one trace.
 * Span names use the route template from the authorization table (bounded: never an id).
 */
export function requestTracing(basePath: string): RequestHandler {
  return (req, res, next) => {
    const template = ruleFor(req.method, req.path)?.path ?? '(unmatched)';
    const route = `${basePath}${template}`;
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': req.originalUrl.split('?')[0] },
    });
    res.on('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (req.correlationId) span.setAttribute('ai_generation.correlation_id', req.correlationId);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    withLogContext({}, () => context.with(trace.setSpan(context.active(), span), next));
  };
}

/** After the correlation middleware: the validated id joins the span and every log line. */
export const correlationToTrace: RequestHandler = (req, _res, next) => {
  if (req.correlationId) {
    trace.getActiveSpan()?.setAttribute('ai_generation.correlation_id', req.correlationId);
    addToLogContext({ correlationId: req.correlationId });
  }
  next();
};
