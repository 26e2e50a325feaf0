import winston from 'winston';

export type Logger = winston.Logger;

/** JSON lines to stdout; one logger per process, children carry their component name. */
export function createLogger(level: string, component: string): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console({ silent: process.env.LOG_SILENT === 'true' })],
  });
}
