import { emptyReport, renderTable, REPORT_KEYS } from '../../bench/report';
import { mapConcurrent, percentile, ratio, round, summarize } from '../../bench/lib/stats';

/** The bench's contract (`npm run bench -- --json`) and its arithmetic; the bench itself is never run here. */

const ISSUE_11_KEYS = [
  'machine',
  'cpus',
  'pipeline_p50_ms',
  'noop_p50_ms',
  'pipeline_vs_noop_p50',
  'pipeline_p95_ms',
  'noop_p95_ms',
  'throughput_runs_per_s',
  'noop_throughput_per_s',
  'throughput_vs_noop',
  'post_runs_p95_ms_c50',
  'dup_check_p95_ms_100k',
  'raw_topk_p95_ms_100k',
  'dup_check_vs_raw_100k',
  'hnsw_recall_at_10',
  'ledger_p95_ms_1m',
  'raw_keyset_p95_ms_1m',
  'ledger_vs_raw_1m',
  'worker_rss_mb_500_waiting',
];

describe('bench report', () => {
  it('has exactly the JSON keys issue 11 names, in its order, every figure null until measured', () => {
    const report = emptyReport({ machine: 'test box', cpus: 2 });
    expect(Object.keys(report)).toEqual(ISSUE_11_KEYS);
    expect([...REPORT_KEYS]).toEqual(ISSUE_11_KEYS);
    expect(report.machine).toBe('test box');
    expect(report.cpus).toBe(2);
    const figures = Object.entries(report).filter(([k]) => k !== 'machine' && k !== 'cpus');
    expect(figures.every(([, v]) => v === null)).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("marks each target met or not from the ratios, and leaves parts that didn't run blank", () => {
    const report = {
      ...emptyReport({ machine: 'test box', cpus: 2 }),
      pipeline_p50_ms: 150,
      noop_p50_ms: 450,
      pipeline_vs_noop_p50: 0.333,
      throughput_runs_per_s: 6,
      noop_throughput_per_s: 12,
      throughput_vs_noop: 0.5,
      worker_rss_mb_500_waiting: 267,
    };
    const lines = renderTable(report, []).split('\n');
    const row = (metric: string) => lines.find((l) => l.startsWith(`| ${metric}`))!;
    expect(lines[0]).toBe('machine: test box (2 cpus)');
    expect(row('pipeline p50')).toMatch(/\| 150 +\| 450 +\| 0\.333 +\| ratio ≤ 0\.4 +\| yes +\|$/);
    expect(row('throughput')).toMatch(/\| 0\.5 +\| ratio ≥ 2 +\| NO +\|$/);
    expect(row('worker RSS')).toMatch(/\| 267 .*\| ≤ 300 +\| yes +\|$/);
    expect(row('ledger p95')).toMatch(/\| — +\| — +\| — +\| ratio ≤ 1\.5 +\| +\|$/);
  });
});

describe('bench arithmetic', () => {
  it('takes percentiles by nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([3, 1, 2])).toEqual({ n: 3, p50: 2, p95: 3, min: 1, max: 3 });
  });

  it('gives ratios as ours ÷ reference, null when either side is missing', () => {
    expect(ratio(150, 450)).toBe(0.333);
    expect(ratio(null, 450)).toBeNull();
    expect(ratio(150, 0)).toBeNull();
    expect(ratio(Number.NaN, 1)).toBeNull();
    expect(round(0.12345)).toBe(0.12);
    expect(round(12.345)).toBe(12.3);
    expect(round(1234.5)).toBe(1235);
    expect(round(null)).toBeNull();
  });

  it('runs at most the given number at once and keeps results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapConcurrent(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async (x) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, (x * 7) % 5));
        inFlight--;
        return x * 2;
      },
    );
    expect(most).toBe(4);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
