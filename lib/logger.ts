import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import { activeTraceIds } from './telemetry';

export type Logger = winston.Logger;

/** What a log line says about the request or run it belongs to. */
export interface LogContext {
  correlationId?: string;
  runId?: string;
  tenantId?: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with these ids on every log line written inside it (API request, activity attempt). */
export function withLogContext<T>(ids: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...ids }, fn);
}

/** Adds ids to the current context (e.g. the correlation id once the middleware has validated it). */
export function addToLogContext(ids: LogContext): void {
  const store = logContext.getStore();
  if (store) Object.assign(store, ids);
}

/** Every line carries the active trace and span ids and the correlation and run ids in scope. */
const contextFormat = winston.format((info) => {
  const ids = { ...logContext.getStore(), ...activeTraceIds() };
  for (const [k, v] of Object.entries(ids)) if (v !== undefined && info[k] === undefined) info[k] = v;
  return info;
});

/** JSON lines to stdout; one logger per process, children carry their component name. */
export function createLogger(level: string, component: string): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(
      contextFormat(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console({ silent: process.env.LOG_SILENT === 'true' })],
  });
}
