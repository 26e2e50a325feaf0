import { parseArgs } from 'node:util';
import { createBenchDatabase, dropBenchDatabase, machine, note } from './lib/env';
import { startBenchServers, type BenchServers } from './lib/servers';
import { ratio, round } from './lib/stats';
import { emptyReport, renderTable, type Row } from './report';
import { benchPipeline, benchThroughput } from './pipeline';
import { benchLedger } from './ledger';
import { benchDuplicates, benchMemory } from './external';

/**
 * `npm run bench`: every benchmark against real servers, side by side with its reference.
 *   --json           only one JSON object on stdout (the keys of issue 11); progress on stderr
 *   --only a,b       run some parts: pipeline, throughput, duplicates, ledger, memory
 *   --quick          smaller sizes for a quick check (the figures are then not the sizes)
 *   --keep-db        leave the bench database (toolnexus_bench) for inspection
 */

const PARTS = ['pipeline', 'throughput', 'duplicates', 'ledger', 'memory'] as const;
type Part = (typeof PARTS)[number];

const SIZES = {
  full: {
    pipelineRuns: 30,
    pipelineBatch: 5,
    throughputRuns: 500,
    concurrency: 50,
    ledgerRows: 1_000_000,
    ledgerDepth: 300_000,
    ledgerSamples: 100,
    catalog: 100_000,
    dupQueries: 200,
    waiting: 500,
  },
  quick: {
    pipelineRuns: 8,
    pipelineBatch: 4,
    throughputRuns: 60,
    concurrency: 50,
    ledgerRows: 100_000,
    ledgerDepth: 30_000,
    ledgerSamples: 20,
    catalog: 5_000,
    dupQueries: 20,
    waiting: 40,
  },
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
    },
  });
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...PARTS];
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown part(s) ${unknown.join(', ')}; parts are ${PARTS.join(', ')}`);
  const run = (p: Part) => only.includes(p);
  const size = values.quick ? SIZES.quick : SIZES.full;
  if (values.quick) note('--quick: smaller sizes; the figures are a smoke check, not the issue sizes');

  // Only the final JSON object may reach stdout: anything else a library prints goes to stderr.
  const writeStdout = process.stdout.write.bind(process.stdout);
  if (values.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

  const report = emptyReport(machine());
  const extraRows: Row[] = [];
  const began = Date.now();
  let failed: unknown = null;

  note(`machine: ${report.machine}`);
  await createBenchDatabase();
  let servers: BenchServers | null = null;
  /** A part that fails leaves its keys null, says so on stderr, and makes the exit code 1. */
  const partFailures: string[] = [];
  const part = async (name: Part, fn: () => Promise<void>) => {
    if (!run(name)) return;
    try {
      await fn();
    } catch (err) {
      partFailures.push(name);
      note(`part ${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };
  try {
    if (run('pipeline') || run('throughput') || run('ledger')) servers = await startBenchServers();
    await part('pipeline', async () => {
      const r = await benchPipeline(servers!, {
        runs: size.pipelineRuns,
        batch: size.pipelineBatch,
      });
      report.pipeline_p50_ms = round(r.pipeline.p50);
      report.pipeline_p95_ms = round(r.pipeline.p95);
      report.noop_p50_ms = round(r.noop.p50);
      report.noop_p95_ms = round(r.noop.p95);
      report.pipeline_vs_noop_p50 = ratio(r.pipeline.p50, r.noop.p50);
      note(`pipeline: ours ${JSON.stringify(r.pipeline)}; reference ${JSON.stringify(r.noop)}`);
    });
    await part('throughput', async () => {
      const r = await benchThroughput(servers!, {
        runs: size.throughputRuns,
        concurrency: size.concurrency,
      });
      report.throughput_runs_per_s = round(r.runsPerSecond);
      report.noop_throughput_per_s = round(r.noopPerSecond);
      report.throughput_vs_noop = ratio(r.runsPerSecond, r.noopPerSecond);
      report.post_runs_p95_ms_c50 = round(r.post.p95);
      extraRows.push(
        { metric: `POST /runs p50 ms (c${r.concurrency})`, ours: round(r.post.p50), reference: round(r.noopStart.p50) },
        {
          metric: `POST /runs p95 ms vs bare workflow.start (c${r.concurrency})`,
          ours: round(r.post.p95),
          reference: round(r.noopStart.p95),
          ratio: ratio(r.post.p95, r.noopStart.p95),
        },
      );
      note(`throughput: ${JSON.stringify(r)}`);
    });
    await part('ledger', async () => {
      const r = await benchLedger(servers!.api, {
        rows: size.ledgerRows,
        depth: size.ledgerDepth,
        samples: size.ledgerSamples,
      });
      report.ledger_p95_ms_1m = round(r.api.p95);
      report.raw_keyset_p95_ms_1m = round(r.raw.p95);
      report.ledger_vs_raw_1m = ratio(r.api.p95, r.raw.p95);
      extraRows.push({
        metric: 'ledger HTTP floor p95 ms (bare node:http + pg, all pages)',
        ours: round(r.floor.p95),
        reference: round(r.raw.p95),
        ratio: ratio(r.floor.p95, r.raw.p95),
      });
      note(`ledger: the API against the HTTP floor, p95: ${ratio(r.api.p95, r.floor.p95)}`);
      for (const page of r.pages) {
        extraRows.push({
          metric: `ledger ${page.name} p95 ms`,
          ours: round(page.api.p95),
          reference: round(page.raw.p95),
          ratio: ratio(page.api.p95, page.raw.p95),
        });
      }
    });
    if (servers) {
      await servers.close();
      servers = null;
    }
    await part('memory', async () => {
      report.worker_rss_mb_500_waiting = round(await benchMemory({ waiting: size.waiting }));
    });
    await part('duplicates', async () => {
      const r = await benchDuplicates({ catalogSize: size.catalog, queries: size.dupQueries });
      if (r) {
        report.dup_check_p95_ms_100k = round(r.dupCheckP95Ms);
        report.raw_topk_p95_ms_100k = round(r.rawTopkP95Ms);
        report.dup_check_vs_raw_100k = ratio(r.dupCheckP95Ms, r.rawTopkP95Ms);
        report.hnsw_recall_at_10 = r.recallAt10 === null ? null : Math.round(r.recallAt10 * 1000) / 1000;
      }
    });
  } catch (err) {
    failed = err;
  } finally {
    if (servers) await servers.close().catch((e: unknown) => note(`closing servers: ${String(e)}`));
    if (values['keep-db']) note('--keep-db: leaving the bench database in place');
    else await dropBenchDatabase().catch((e: unknown) => note(`dropping the bench database: ${String(e)}`));
  }
  note(`took ${((Date.now() - began) / 1000).toFixed(0)} s`);
  if (failed) {
    note(`FAILED: ${failed instanceof Error ? (failed.stack ?? failed.message) : String(failed)}`);
    return 1;
  }
  if (values.json) writeStdout(`${JSON.stringify(report)}\n`);
  else writeStdout(renderTable(report, extraRows));
  if (partFailures.length > 0) {
    note(`FAILED parts: ${partFailures.join(', ')} (their keys are null)`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    note(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
