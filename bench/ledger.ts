import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createDb } from '../db/database';
import { encodeCursor, LEDGER_COLUMNS, ledgerPageQuery, type LedgerFilter } from '../db/repositories/runs';
import { BENCH_DATABASE_URL, note } from './lib/env';
import { request } from './lib/http';
import { freePort, type ApiEndpoint } from './lib/servers';
import { summarize, type Summary } from './lib/stats';
import { ServiceProcess } from '../tests/helpers/processes';
import { waitUntil } from '../scripts/dev/wait';

/**
 * The run ledger at a million runs, seeded with generate_series (not through the workflow), 60% in
 * one tenant. Three pages of that tenant — the first, a filtered one (status, deep inside the
 * filtered set) and one 300,000 rows deep — through the API (HTTP, token, zod, repository, JSON)
 * against the best raw keyset SQL for the same page: a row-value comparison on the composite
 * index, as a prepared statement. A third side is the HTTP floor (bench/ledger-floor.ts): the raw
 * statements behind a bare node:http server, what HTTP and JSON alone cost over the raw query.
 * Samples rotate the three sides' order so drift hits all alike, after a warm-up of each.
 */

export const BIG_TENANT = 'bench-ledger-big';
const PAGE = 25;
/** Rounds of all three pages on every side before sampling. */
const WARM_UP_ROUNDS = 50;

export interface LedgerResult {
  rows: number;
  seedSeconds: number;
  api: Summary;
  raw: Summary;
  /** Bare node:http + pg serving the raw statements: the floor of any HTTP API here. */
  floor: Summary;
  pages: Array<{ name: string; api: Summary; raw: Summary; floor: Summary }>;
  plans: string;
}

/** One million rows (or `rows`): tenant, status, capability and time spread; pairs share a timestamp. */
async function seed(pool: Pool, rows: number): Promise<number> {
  const started = Date.now();
  const c = await pool.connect();
  try {
    await c.query('set synchronous_commit = off');
    await c.query(
      `insert into ai_generation_runs (
         id, tenant_id, correlation_id, workflow_id, requested_by, capability_key, capability_name,
         language, target_runtime, intent, status, lifecycle_state, runtime_provider, model_identity,
         fallback_used, duplicate_outcome, contract_validation_outcome, created_at_utc, updated_at_utc)
       select id, tenant, 'corr-' || g, 'ai-generation-run/' || id, 'author-' || (g % 50),
              'capability-' || ((g * 7) % 500), 'Capability ' || ((g * 7) % 500),
              'typescript', 'node20',
              jsonb_build_object('name', 'Capability ' || ((g * 7) % 500), 'language', 'typescript',
                'targetRuntime', 'node20', 'problemStatement',
                'Return a deterministic summary of record ' || g || ' for the reporting pipeline of the tenant',
                'seedInputSchema', null, 'examples', jsonb_build_array()),
              status,
              case status when 'DRAFT' then 'Draft' when 'REVIEW' then 'Review' when 'ACTIVE' then 'Active'
                          when 'AWAITING_ADJUDICATION' then 'Draft' else null end,
              'local', 'local-deterministic', false, 'NONE', 'PASSED', at, at
         from (select g,
                      md5('bench-ledger-' || g)::uuid as id,
                      case when g % 5 < 3 then '${BIG_TENANT}' else 'bench-ledger-' || (g % 41) end as tenant,
                      (array['DRAFT','DRAFT','DRAFT','BLOCKED','FAILED','REVIEW','ACTIVE',
                             'AWAITING_ADJUDICATION','DENIED','REJECTED'])[1 + (g / 5) % 10] as status,
                      timestamptz '2026-01-01T00:00:00Z' + (g / 2) * interval '3 seconds' as at
                 from generate_series(1, $1::int) g) s`,
      [rows],
    );
    await c.query('vacuum analyze ai_generation_runs');
  } finally {
    c.release();
  }
  return (Date.now() - started) / 1000;
}

interface PageCase {
  name: string;
  filter: LedgerFilter;
  cursor: { createdAt: string; id: string } | null;
  raw: { name: string; text: string; values: unknown[] };
}

// The columns the page shows, as the API reads them: the same page, not a wider or narrower one.
const RAW_COLUMNS = LEDGER_COLUMNS.join(', ');
const ORDER = 'order by created_at_utc desc, id desc limit 26';

async function cursorAt(pool: Pool, depth: number, status?: string): Promise<{ createdAt: string; id: string }> {
  const { rows } = await pool.query<{ created_at: string; id: string }>(
    `select to_char(created_at_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at, id
       from ai_generation_runs where tenant_id = $1 ${status ? 'and status = $3' : ''}
      order by created_at_utc desc, id desc offset $2 limit 1`,
    status ? [BIG_TENANT, depth - 1, status] : [BIG_TENANT, depth - 1],
  );
  if (!rows[0]) throw new Error(`the ledger has fewer than ${depth} rows`);
  return { createdAt: rows[0].created_at, id: rows[0].id };
}

function pageCases(
  deep: { createdAt: string; id: string },
  filtered: { createdAt: string; id: string },
  depth: number,
): PageCase[] {
  return [
    {
      name: 'first page',
      filter: {},
      cursor: null,
      raw: {
        name: 'bench-raw-first',
        text: `select ${RAW_COLUMNS} from ai_generation_runs where tenant_id = $1 ${ORDER}`,
        values: [BIG_TENANT],
      },
    },
    {
      name: `status=BLOCKED page ${depth / 10} deep`,
      filter: { status: 'BLOCKED' },
      cursor: filtered,
      raw: {
        name: 'bench-raw-filtered',
        text: `select ${RAW_COLUMNS} from ai_generation_runs where tenant_id = $1 and status = $2
                 and (created_at_utc, id) < ($3::timestamptz, $4::uuid) ${ORDER}`,
        values: [BIG_TENANT, 'BLOCKED', filtered.createdAt, filtered.id],
      },
    },
    {
      name: `page ${depth} deep`,
      filter: {},
      cursor: deep,
      raw: {
        name: 'bench-raw-deep',
        text: `select ${RAW_COLUMNS} from ai_generation_runs where tenant_id = $1
                 and (created_at_utc, id) < ($2::timestamptz, $3::uuid) ${ORDER}`,
        values: [BIG_TENANT, deep.createdAt, deep.id],
      },
    },
  ];
}

function apiPath(p: PageCase): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (p.filter.status) q.set('status', p.filter.status);
  if (p.cursor) q.set('cursor', encodeCursor(p.cursor));
  return `/api/admin/ai-generation/runs?${q.toString()}`;
}

/** A process's log so far ('' until its file is opened). */
function logOf(p: ServiceProcess): string {
  try {
    return readFileSync(p.logFile, 'utf8');
  } catch {
    return '';
  }
}

/** The HTTP floor (bench/ledger-floor.ts) on a free port, serving the raw reference's statements. */
async function startFloor(cases: PageCase[]): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'toolnexus-ledger-floor-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: BENCH_DATABASE_URL,
    PORT: String(port),
    LEDGER_FLOOR_CASES: JSON.stringify(cases.map((c) => c.raw)),
  };
  const server = ServiceProcess.node('ledger-floor', 'bench/ledger-floor.ts', env, path.join(dir, 'floor.log'));
  const close = async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  server.start();
  try {
    await waitUntil(
      'the ledger HTTP floor to listen',
      async () => {
        if (server.exits.length > 0) throw new Error(`the HTTP floor exited:\n${logOf(server)}`);
        return /ledger floor listening/.test(logOf(server));
      },
      60_000,
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, close };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the API's own query, the raw reference, and the old OR condition. */
async function explainAll(pool: Pool, cases: PageCase[]): Promise<string> {
  const db = createDb(BENCH_DATABASE_URL, 1);
  const out: string[] = [];
  const explain = async (title: string, text: string, values: readonly unknown[]) => {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${text}`,
      values as unknown[],
    );
    out.push(`-- ${title}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  };
  try {
    for (const p of cases) {
      const compiled = ledgerPageQuery(db, BIG_TENANT, p.filter, {
        limit: PAGE,
        cursor: p.cursor ?? undefined,
      }).compile();
      await explain(`${p.name}: the API's query (db/repositories/runs.ts)`, compiled.sql, compiled.parameters);
      await explain(`${p.name}: raw keyset reference`, p.raw.text, p.raw.values);
    }
    // A small tenant (about 1% of the rows): the planner picks the tenant's composite index there.
    for (const filter of [{}, { status: 'REVIEW' }, { capabilityKey: 'capability-7' }] as LedgerFilter[]) {
      const compiled = ledgerPageQuery(db, 'bench-ledger-7', filter, { limit: PAGE }).compile();
      await explain(
        `small tenant, filter ${JSON.stringify(filter)}: the API's query`,
        compiled.sql,
        compiled.parameters,
      );
    }
    const deep = cases[2]!;
    await explain(
      `${deep.name}: the condition the ledger used before (created_at < X OR (created_at = X AND id < Y))`,
      `select * from ai_generation_runs where tenant_id = $1
         and (created_at_utc < $2::timestamptz or (created_at_utc = $2::timestamptz and id < $3::uuid)) ${ORDER}`,
      deep.raw.values,
    );
  } finally {
    await db.destroy();
  }
  return out.join('\n\n');
}

export async function benchLedger(
  api: ApiEndpoint,
  opts: { rows: number; depth: number; samples: number },
): Promise<LedgerResult> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: 1 });
  try {
    note(`ledger: seeding ${opts.rows.toLocaleString('en')} runs with generate_series`);
    const seedSeconds = await seed(pool, opts.rows);
    const { rows: counted } = await pool.query<{ n: string }>(
      'select count(*) as n from ai_generation_runs where tenant_id = $1',
      [BIG_TENANT],
    );
    note(`ledger: seeded in ${seedSeconds.toFixed(1)} s; ${counted[0]!.n} runs in ${BIG_TENANT}`);

    const cases = pageCases(
      await cursorAt(pool, opts.depth),
      await cursorAt(pool, opts.depth / 10, 'BLOCKED'),
      opts.depth,
    );
    const token = await api.token(BIG_TENANT, ['capability-reviewer'], 'bench-ledger-reader');
    const get = async (p: PageCase): Promise<number> => {
      const started = performance.now();
      const res = await request(`${api.url}${apiPath(p)}`, { headers: { authorization: `Bearer ${token}` } });
      const body = JSON.parse(res.text) as { items?: unknown[] };
      const ms = performance.now() - started;
      if (res.status !== 200 || body.items?.length !== PAGE) {
        throw new Error(`GET ${apiPath(p)} answered ${res.status} with ${JSON.stringify(body).slice(0, 300)}`);
      }
      return ms;
    };
    const raw = async (p: PageCase): Promise<number> => {
      const started = performance.now();
      const res = await pool.query(p.raw);
      const ms = performance.now() - started;
      if (res.rows.length !== PAGE + 1) throw new Error(`raw ${p.name} returned ${res.rows.length} rows`);
      return ms;
    };

    const floorServer = await startFloor(cases);
    const floor = async (p: PageCase, i: number): Promise<number> => {
      const started = performance.now();
      const res = await request(`${floorServer.url}/${i}`);
      const body = JSON.parse(res.text) as { items?: unknown[] };
      const ms = performance.now() - started;
      if (res.status !== 200 || body.items?.length !== PAGE) {
        throw new Error(`the HTTP floor's ${p.name} answered ${res.status}: ${res.text.slice(0, 300)}`);
      }
      return ms;
    };

    const samples = cases.map(() => ({ api: [] as number[], raw: [] as number[], floor: [] as number[] }));
    try {
      // Warm-up of every side (JIT, prepared statements, buffers): the figures are steady state.
      for (let w = 0; w < WARM_UP_ROUNDS; w++) {
        for (const [i, p] of cases.entries()) {
          await get(p);
          await raw(p);
          await floor(p, i);
        }
      }
      for (let s = 0; s < opts.samples; s++) {
        for (const [i, p] of cases.entries()) {
          const sides: Array<[keyof (typeof samples)[number], () => Promise<number>]> = [
            ['api', () => get(p)],
            ['raw', () => raw(p)],
            ['floor', () => floor(p, i)],
          ];
          // Each side goes first, second and third equally often.
          for (let k = 0; k < sides.length; k++) {
            const [side, measure] = sides[(s + k) % sides.length]!;
            samples[i]![side].push(await measure());
          }
        }
      }
    } finally {
      await floorServer.close();
    }
    const plans = await explainAll(pool, cases);
    note(`ledger: query plans\n${plans}`);
    const pages = cases.map((p, i) => ({
      name: p.name,
      api: summarize(samples[i]!.api),
      raw: summarize(samples[i]!.raw),
      floor: summarize(samples[i]!.floor),
    }));
    for (const p of pages) {
      note(
        `ledger ${p.name}: api ${JSON.stringify(p.api)} raw ${JSON.stringify(p.raw)} floor ${JSON.stringify(p.floor)}`,
      );
    }
    return {
      rows: opts.rows,
      seedSeconds,
      api: summarize(samples.flatMap((s) => s.api)),
      raw: summarize(samples.flatMap((s) => s.raw)),
      floor: summarize(samples.flatMap((s) => s.floor)),
      pages,
      plans,
    };
  } finally {
    await pool.end();
  }
}
