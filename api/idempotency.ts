import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { canonicalJson, deterministicUuid } from '../domain/deterministic-id';
import { BadRequestError, ConflictError } from './errors';

/**
 * `Idempotency-Key` on `POST /runs`. The run id is derived from tenant + key, so a retry names the
 * same run (and the workflow start attaches to it); the first answer is stored and given again. A
 * key reused with a different body is a 409. Only an HMAC of the body is kept, never the body.
 */

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!KEY.test(header)) {
    throw new BadRequestError('Idempotency-Key must be 8-128 characters of letters, digits, ".", "_", ":" or "-"');
  }
  return header;
}

export function runIdForKey(tenantId: string, key: string): string {
  return deterministicUuid('idempotency', tenantId, key);
}

export function requestHmac(secret: string, body: unknown): string {
  return createHmac('sha256', secret).update(canonicalJson(body)).digest('base64url');
}

export type Claim =
  | { kind: 'new' }
  /** Seen before with the same body; `response` is null while the first request is still in flight. */
  | { kind: 'retry'; status: number | null; response: Record<string, unknown> | null };

export async function claimIdempotencyKey(
  db: Db,
  row: { tenantId: string; key: string; runId: string; requestHmac: string },
): Promise<Claim> {
  const inserted = await sql<{ run_id: string }>`
    insert into api_idempotency_keys (tenant_id, idempotency_key, run_id, request_hmac)
    values (${row.tenantId}, ${row.key}, ${row.runId}, ${row.requestHmac})
    on conflict (tenant_id, idempotency_key) do nothing
    returning run_id`.execute(db);
  if (inserted.rows.length > 0) return { kind: 'new' };
  const existing = await sql<{
    request_hmac: string;
    status_code: number | null;
    response: Record<string, unknown> | null;
  }>`
    select request_hmac, status_code, response from api_idempotency_keys
    where tenant_id = ${row.tenantId} and idempotency_key = ${row.key}`.execute(db);
  const found = existing.rows[0];
  if (!found) return { kind: 'new' };
  if (found.request_hmac !== row.requestHmac) {
    throw new ConflictError('Idempotency-Key was already used with a different request body', {
      runId: row.runId,
    });
  }
  return { kind: 'retry', status: found.status_code, response: found.response };
}

export async function recordIdempotentAnswer(
  db: Db,
  tenantId: string,
  key: string,
  status: number,
  response: Record<string, unknown>,
): Promise<void> {
  await sql`
    update api_idempotency_keys set status_code = ${status}, response = ${JSON.stringify(response)}::jsonb
    where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(db);
}
