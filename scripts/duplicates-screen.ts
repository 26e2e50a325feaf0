import { randomUUID } from 'node:crypto';
import { migrateToLatest } from '../db/migrate';
import { createDb } from '../db/database';
import { deleteTenantCatalog } from '../db/repositories/catalog';
import { FourDimensionDetector } from '../domain/duplicates/detector';
import { createEmbedder } from '../providers/embedders';
import { runDuplicateCheck } from '../activities/duplicates';
import { ImportError, importCatalog, readToolFile } from './catalog-import';
import { loadAiGeneration } from '../lib/ai-generation-config';

/**
 * `npm run -s duplicates:screen -- --catalog CATALOG.json --candidates CANDIDATES.json`
 * Imports the catalog into a throwaway tenant, runs the workflow's check for each candidate (one at
 * a time, against the catalog only), prints only the JSON array
 * [{"candidateId","tier","matches":[catalog ids best first]}] and removes the tenant.
 */

/**
 * The deployed `AiGeneration:DuplicateThresholds` (config/ai-generation.json for
 * AI_GENERATION_ENVIRONMENT, then its environment variable), as the workflow's snapshot freezes them.
 */
function deployedThresholds(): { potential: number; blocking: number } {
  const errors: string[] = [];
  const environment = process.env.AI_GENERATION_ENVIRONMENT || process.env.NODE_ENV || 'development';
  const { values } = loadAiGeneration(process.env, environment, errors);
  if (errors.length > 0) throw new Error(`invalid configuration: ${errors.join('; ')}`);
  return values['AiGeneration:DuplicateThresholds'];
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const catalogPath = arg(argv, '--catalog');
  const candidatesPath = arg(argv, '--candidates');
  if (!catalogPath || !candidatesPath) {
    console.error('usage: npm run -s duplicates:screen -- --catalog CATALOG.json --candidates CANDIDATES.json');
    return 2;
  }
  let thresholds;
  try {
    thresholds = deployedThresholds();
  } catch (err) {
    console.error(`duplicates:screen: ${(err as Error).message}`);
    return 2;
  }
  let catalog, candidates;
  try {
    catalog = readToolFile(catalogPath);
    candidates = readToolFile(candidatesPath);
  } catch (err) {
    if (err instanceof ImportError) {
      console.error(`duplicates:screen: malformed input: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus', 4);
  // A fresh database (no `npm run dev` yet) gets the schema first: migrations are idempotent.
  await migrateToLatest(db);
  const tenant = `screen-${randomUUID()}`;
  const embedder = createEmbedder();
  const detector = new FourDimensionDetector();
  try {
    const imported = await importCatalog(db, tenant, catalog, embedder, { screening: true });
    const externalById = new Map(imported.map((e) => [e.id, e.externalId]));
    const vectors = await embedder.embed(candidates);
    const out: Array<{ candidateId: string; tier: string; matches: string[] }> = [];
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      // runDuplicateCheck takes the tenant's lock itself, held until this transaction ends.
      const verdict = await db.transaction().execute(async (trx) =>
        runDuplicateCheck(trx, embedder, detector, {
          tenantId: tenant,
          runId: null,
          candidate: c,
          vector: vectors[i]!,
          thresholds,
          includeInFlight: false,
        }),
      );
      out.push({
        candidateId: c.id ?? c.name,
        tier: verdict.outcome,
        matches: verdict.matches.map(
          (m) => externalById.get(m.neighbour.id) ?? m.neighbour.externalId ?? m.neighbour.capabilityKey,
        ),
      });
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } finally {
    await deleteTenantCatalog(db, tenant).catch(() => undefined);
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`duplicates:screen: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
