import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database';
import { listCapabilityVersions, listCatalogPage, type CapabilityRow } from '../db/repositories/catalog';
import { listAcceptedBreaksForKey, type GovernanceDecisionRow } from '../db/repositories/governance';
import { principalOf } from './auth';
import { NotFoundError } from './errors';
import { parseWith } from './schemas';

const catalogQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    state: z.enum(['Draft', 'Review', 'Approved', 'Active', 'Superseded', 'Retired']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(400).optional(),
  })
  .strict();

const keyParams = z.object({ capabilityKey: z.string().min(1).max(200) }).strict();

function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof v.k === 'string' && v.k.length > 0) return v.k;
  } catch {
    /* fall through */
  }
  return parseWith(z.never(), cursor, 'query.cursor');
}

function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

function presentVersion(r: CapabilityRow) {
  return {
    id: r.id,
    capabilityKey: r.capability_key,
    version: r.version,
    name: r.name,
    description: r.description,
    inputSchema: r.input_schema,
    outputSchema: r.output_schema,
    annotations: r.annotations,
    runtime: r.runtime,
    lifecycleState: r.lifecycle_state,
    source: r.source,
    provenance: r.provenance,
    externalId: r.external_id,
    sourceRunId: r.source_run_id,
    // Version history (issue 6): the pinned definition, the activation, supersession, accepted break.
    definitionHash: r.definition_hash,
    promotionId: r.promotion_id,
    supersedesId: r.supersedes_id,
    supersededAtUtc: iso(r.superseded_at_utc),
    acceptedBreak: null as AcceptedBreakView | null,
    createdAtUtc: iso(r.created_at_utc),
    updatedAtUtc: iso(r.updated_at_utc),
  };
}

interface AcceptedBreakView {
  governanceDecisionId: string;
  ruleIds: string[];
  reason: string;
  owner: string | null;
  expiresAtUtc: string | null;
  acceptedBy: string;
  decidedAtUtc: string | null;
}

function acceptedBreakView(d: GovernanceDecisionRow): AcceptedBreakView {
  return {
    governanceDecisionId: d.id,
    ruleIds: (d.details.ruleIds as string[] | undefined) ?? [],
    reason: d.reason,
    owner: (d.details.owner as string | undefined) ?? null,
    expiresAtUtc: (d.details.expiresAtUtc as string | undefined) ?? null,
    acceptedBy: d.subject,
    decidedAtUtc: iso(d.decided_at_utc),
  };
}

/** The tenant's capability catalog: a keyset-paged, searchable list and one entry with its versions. */
export function catalogRouter(deps: { db: Db }): Router {
  const router = Router();

  router.get('/catalog', async (req, res) => {
    const principal = principalOf(req);
    const query = parseWith(catalogQuery, req.query, 'query');
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await listCatalogPage(deps.db, {
      tenantId: principal.tenantId,
      q: query.q,
      state: query.state,
      limit: query.limit + 1,
      after,
    });
    const page = rows.slice(0, query.limit);
    res.json({
      items: page.map(presentVersion),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.capability_key) : null,
    });
  });

  router.get('/catalog/:capabilityKey', async (req, res) => {
    const principal = principalOf(req);
    const { capabilityKey } = parseWith(keyParams, req.params, 'path');
    const versions = await listCapabilityVersions(deps.db, principal.tenantId, capabilityKey);
    if (versions.length === 0) throw new NotFoundError(`capability ${capabilityKey} not found`);
    const active = versions.find((v) => v.lifecycle_state === 'Active') ?? null;
    const breaks = new Map(
      (await listAcceptedBreaksForKey(deps.db, principal.tenantId, capabilityKey)).map((d) => [d.id, d]),
    );
    const withBreak = (r: CapabilityRow) => {
      const d = r.accepted_break_decision_id ? breaks.get(r.accepted_break_decision_id) : undefined;
      return { ...presentVersion(r), acceptedBreak: d ? acceptedBreakView(d) : null };
    };
    res.json({
      capabilityKey,
      activeVersion: active?.version ?? null,
      entry: withBreak(active ?? versions[0]!),
      versions: versions.map(withBreak),
    });
  });

  return router;
}
