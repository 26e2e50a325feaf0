import type { ColumnType, JSONColumnType } from 'kysely';

/** Written by the database (default now()); read back as a Date. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json<T extends object | null> = JSONColumnType<T>;
export type JsonObject = Record<string, unknown>;
