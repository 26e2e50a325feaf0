import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToLatest } from '../db/migrate';
import { createDb, type Db } from '../db/database';
import { countCatalog, upsertCapability, upsertDuplicateFeatures, upsertEmbedding } from '../db/repositories/catalog';
import { importedFeatures } from '../activities/duplicates';
import { FEATURES_VERSION } from '../domain/duplicates/stored-features';
import { capabilityKeyFor } from '../domain/duplicates/normalize';
import { identityKey, type ToolRecord } from '../domain/duplicates/features';
import { deterministicUuid } from '../domain/deterministic-id';
import type { Embedder } from '../domain/duplicates/detector';
import { createEmbedder } from '../providers/embedders';

/**
 * `npm run catalog:import -- --tenant T FILE`: imports an MCP `tools/list` result ({"tools": [...]})
 * or a JSON array of tool records into the tenant's catalog as Active, IMPORTED entries (version
 * 1.0.0 unless the record says otherwise), with one vector from the configured embedder.
 * Idempotent: a record's key and id derive from its own id (or name), so importing again updates.
 */

export interface ImportRecord extends ToolRecord {
  id?: string;
  version?: string;
  source?: unknown;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

/** Validates and returns the tool records of a parsed file; throws ImportError naming the problem. */
export function parseToolRecords(value: unknown, what = 'input'): ImportRecord[] {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { tools?: unknown }).tools)
      ? (value as { tools: unknown[] }).tools
      : null;
  if (!list)
    throw new ImportError(`${what}: want a JSON array of tool records or an MCP tools/list result {"tools": [...]}`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ImportError(`${what}[${i}]: not an object`);
    const r = raw as Record<string, unknown>;
    if (typeof r.name !== 'string' || r.name.trim() === '')
      throw new ImportError(`${what}[${i}]: "name" must be a non-empty string`);
    if (r.description !== undefined && typeof r.description !== 'string')
      throw new ImportError(`${what}[${i}]: "description" must be a string`);
    if (r.id !== undefined && typeof r.id !== 'string') throw new ImportError(`${what}[${i}]: "id" must be a string`);
    for (const k of ['inputSchema', 'outputSchema', 'annotations'] as const) {
      if (r[k] !== undefined && r[k] !== null && (typeof r[k] !== 'object' || Array.isArray(r[k]))) {
        throw new ImportError(`${what}[${i}]: "${k}" must be an object`);
      }
    }
    const id =
      (r.id as string | undefined) ?? (typeof r.server === 'string' ? `${r.server}/${r.name}` : (r.name as string));
    if (seen.has(id)) throw new ImportError(`${what}[${i}]: duplicate id "${id}"`);
    seen.add(id);
    return {
      id,
      name: r.name as string,
      description: (r.description as string | undefined) ?? '',
      inputSchema: (r.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
      outputSchema: (r.outputSchema as Record<string, unknown> | undefined) ?? null,
      annotations: (r.annotations as Record<string, unknown> | undefined) ?? {},
      server: typeof r.server === 'string' ? r.server : null,
      version: typeof r.version === 'string' && /^\d+\.\d+\.\d+/.test(r.version) ? r.version : '1.0.0',
      source: r.source,
    };
  });
}

export interface ImportedEntry {
  id: string;
  externalId: string;
  capabilityKey: string;
}

export async function importCatalog(
  db: Db,
  tenantId: string,
  records: ImportRecord[],
  embedder: Embedder,
  provenance: Record<string, unknown> = {},
): Promise<ImportedEntry[]> {
  const out: ImportedEntry[] = [];
  const batch = 200;
  for (let start = 0; start < records.length; start += batch) {
    const slice = records.slice(start, start + batch);
    const vectors = await embedder.embed(slice);
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < slice.length; i++) {
        const r = slice[i]!;
        const externalId = r.id ?? r.name;
        const capabilityKey = capabilityKeyFor(externalId);
        const version = r.version ?? '1.0.0';
        const id = deterministicUuid('catalog-import', tenantId, capabilityKey, version);
        await upsertCapability(trx, {
          id,
          tenant_id: tenantId,
          capability_key: capabilityKey,
          version,
          name: r.name,
          normalized_name: capabilityKeyFor(r.name),
          description: r.description,
          runtime: r.runtime ?? 'mcp',
          input_schema: JSON.stringify(r.inputSchema ?? {}),
          output_schema: r.outputSchema ? JSON.stringify(r.outputSchema) : null,
          manifest: JSON.stringify({ name: r.name, description: r.description }),
          lifecycle_state: 'Active',
          source: 'IMPORTED',
          source_run_id: null,
          embedding: null,
          embedding_model: null,
          annotations: JSON.stringify(r.annotations ?? {}),
          provenance: JSON.stringify({
            ...provenance,
            server: r.server ?? null,
            recordId: externalId,
            source: r.source ?? null,
          }),
          external_id: externalId,
          identity_key: identityKey(r.name, r.server),
        });
        await upsertEmbedding(trx, {
          capabilityId: id,
          tenantId,
          embedderId: embedder.id,
          embedderVersion: embedder.version,
          vector: vectors[i]!,
        });
        // Derived from the entry as stored, exactly as a check would derive them from its row.
        await upsertDuplicateFeatures(trx, {
          capabilityId: id,
          tenantId,
          version: FEATURES_VERSION,
          features: importedFeatures(r),
        });
        out.push({ id, externalId, capabilityKey });
      }
    });
  }
  return out;
}

export function readToolFile(path: string): ImportRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ImportError(`${path}: cannot read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ImportError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseToolRecords(parsed, path);
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--tenant');
  const tenant = i >= 0 ? argv[i + 1] : undefined;
  const files = argv.filter((a, j) => a !== '--tenant' && j !== i + 1);
  if (!tenant || !/^[A-Za-z0-9._-]{1,100}$/.test(tenant) || files.length !== 1) {
    console.error('usage: npm run catalog:import -- --tenant TENANT FILE.json');
    process.exit(2);
  }
  const records = readToolFile(files[0]!);
  const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus', 4);
  // A fresh database (no `npm run dev` yet) gets the schema first: migrations are idempotent.
  await migrateToLatest(db);
  try {
    const embedder = createEmbedder();
    const done = await importCatalog(db, tenant, records, embedder, { importedFrom: files[0] });
    console.log(`imported ${done.length} tools into tenant "${tenant}" (embedder ${embedder.id}@${embedder.version})`);
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`catalog:import: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

export const SAMPLE_CATALOG = join(__dirname, '..', 'data', 'sample-catalog.json');

/**
 * `npm run dev`: when the demo tenant's catalog is empty, import the project's sample catalog (or
 * the file named by DEMO_CATALOG) so a new user sees duplicates at once. Returns what it did.
 */
export async function seedDemoCatalog(
  db: Db,
  file: string = process.env.DEMO_CATALOG || SAMPLE_CATALOG,
): Promise<string> {
  const tenant = 'demo';
  if ((await countCatalog(db, tenant)) > 0) return `catalog of tenant "${tenant}" already has entries: not seeded`;
  const done = await importCatalog(db, tenant, readToolFile(file), createEmbedder(), { seededFrom: file });
  return `catalog of tenant "${tenant}" was empty: seeded ${done.length} tools from ${file}`;
}
