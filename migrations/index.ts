import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-23T0000_initial-schema';

/** Every migration, in order, listed explicitly (no directory scanning: the bundle is the truth). */
export const migrations: Record<string, Migration> = {
  '2026-11-23T0000_initial-schema': initialSchema,
};
