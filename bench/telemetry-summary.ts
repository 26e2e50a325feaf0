import { Pool } from 'pg';
import { createDb } from '../db/database';
import { telemetrySummary, type SummaryGroupBy } from '../db/repositories/telemetry';
import { createBenchDatabase, dropBenchDatabase, machine, note } from './lib/env';
import { summarize } from './lib/stats';

/**
 * `npm run bench:summary [-- <rows>]`: the telemetry summary (GET …/telemetry/summary) at a
 * million runs (default), seeded with generate_series into the bench's own database over a year:
 * 60% of runs in one tenant, the rest spread over 40 tenants. Times the repository query for a
 * 30-day window grouped by capability and by day (one tenant), and by tenant (platform-wide), and
 * prints each plan's shape, so the covering indexes of migration 2026-11-24T0500 can be seen at
 * work. Figures go to stdout as one JSON object.
 */

const BIG = 'bench-summary-big';
/** The seeded runs spread evenly over a year; the summary asks for its last 30 days. */
const SPAN_SECONDS = 365 * 86_400;
const URL = process.env.BENCH_SUMMARY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus_bench_summary';

async function seed(pool: Pool, rows: number): Promise<number> {
  const started = Date.now();
  const c = await pool.connect();
  try {
    await c.query('set synchronous_commit = off');
    await c.query(
      `insert into ai_generation_runs (
         id, tenant_id, correlation_id, workflow_id, requested_by, capability_key, capability_name,
         language, target_runtime, intent, status, fallback_used, duplicate_outcome,
         contract_validation_outcome, created_at_utc, updated_at_utc, completed_at_utc)
       select id, tenant, 'corr-' || g, 'ai-generation-run/' || id, 'author-' || (g % 50),
              'capability-' || ((g * 7) % 500), 'Capability ' || ((g * 7) % 500), 'typescript', 'node20',
              '{}'::jsonb, status, g % 13 = 0,
              case when status in ('DENIED', 'FAILED') then null
                   else (array['NONE','NONE','NONE','POTENTIAL','BLOCKING'])[1 + g % 5] end,
              case when status = 'DENIED' then null when g % 17 = 0 then 'FAILED' else 'PASSED' end,
              at, at + (g % 900) * interval '100 milliseconds',
              case when status in ('DENIED','FAILED','BLOCKED','REJECTED') then at + (g % 900) * interval '100 milliseconds' end
         from (select g, md5('bench-summary-' || g)::uuid as id,
                      case when g % 5 < 3 then '${BIG}' else 'bench-summary-' || (g % 40) end as tenant,
                      (array['DRAFT','DRAFT','DRAFT','BLOCKED','FAILED','REVIEW','ACTIVE',
                             'AWAITING_ADJUDICATION','DENIED','REJECTED'])[1 + (g / 5) % 10] as status,
                      timestamptz '2026-01-01T00:00:00Z' + g * $2::float8 * interval '1 second' as at
                 from generate_series(1, $1::int) g) s`,
      [rows, SPAN_SECONDS / rows],
    );
    await c.query('vacuum analyze ai_generation_runs');
  } finally {
    c.release();
  }
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  note(`creating ${URL}`);
  await createBenchDatabase(URL);
  const pool = new Pool({ connectionString: URL, max: 1 });
  const db = createDb(URL, 1);
  try {
    note(`seeding ${rows} runs`);
    const seedSeconds = await seed(pool, rows);
    const to = new Date(Date.parse('2026-01-01T00:00:00Z') + SPAN_SECONDS * 1000);
    const from = new Date(to.getTime() - 30 * 86_400_000);
    const cases: Array<{ name: string; tenantId: string | null; groupBy: SummaryGroupBy }> = [
      { name: 'one tenant by capability', tenantId: BIG, groupBy: 'capability' },
      { name: 'one tenant by day', tenantId: BIG, groupBy: 'day' },
      { name: 'all tenants by tenant', tenantId: null, groupBy: 'tenant' },
    ];
    const results = [];
    for (const c of cases) {
      const samples: number[] = [];
      let groups = 0;
      let runs = 0;
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        const out = await telemetrySummary(db, { tenantId: c.tenantId, groupBy: c.groupBy, from, to });
        samples.push(performance.now() - t0);
        groups = out.length;
        runs = out.reduce((n, g) => n + g.runs, 0);
      }
      const where = c.tenantId ? `tenant_id = '${c.tenantId}' and ` : '';
      const plan = await pool.query(
        `explain (format text) select count(*) filter (where fallback_used), status from ai_generation_runs
          where ${where}created_at_utc >= $1 and created_at_utc < $2 group by status`,
        [from, to],
      );
      const shape = plan.rows
        .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
        .filter((l: string) => /Scan|Aggregate/.test(l))
        .map((l: string) => l.trim().replace(/\s+\(cost.*$/, ''));
      results.push({ ...c, groups, runs, ms: summarize(samples.slice(2)), plan: shape });
      note(`${c.name}: ${groups} groups, ${runs} runs, p50 ${summarize(samples.slice(2)).p50.toFixed(1)} ms`);
    }
    process.stdout.write(
      `${JSON.stringify({ bench: 'telemetry-summary', ...machine(), rows, seedSeconds, window: { from, to }, results }, null, 2)}\n`,
    );
  } finally {
    await db.destroy();
    await pool.end();
    await dropBenchDatabase(URL);
  }
}

main().catch((err: unknown) => {
  console.error('bench:summary failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
