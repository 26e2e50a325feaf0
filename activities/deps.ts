import type { Db } from '../db/database';
import type { AppConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { ModelRuntime } from '../providers/model/runtime';
import type { TelemetryEmitter } from './telemetry/emitter';

/** Everything activities touch, bound once in worker.ts (and replaced by fakes in tests). */
export interface ActivityDeps {
  db: Db;
  config: AppConfig;
  /** Model adapters by provider name; the snapshot's provider chain names which run. */
  models: Record<string, ModelRuntime>;
  telemetry: TelemetryEmitter;
  logger: Logger;
  /** The time activities stamp on rows; injected so tests can fix it. */
  clock: Clock;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
