/**
 * The bench's report: the JSON object of issue 11 (exactly these keys, numbers or null; ratios are
 * ours ÷ the reference) and the readable table with the targets.
 */
export interface BenchReport {
  machine: string;
  cpus: number;
  pipeline_p50_ms: number | null;
  noop_p50_ms: number | null;
  pipeline_vs_noop_p50: number | null;
  pipeline_p95_ms: number | null;
  noop_p95_ms: number | null;
  throughput_runs_per_s: number | null;
  noop_throughput_per_s: number | null;
  throughput_vs_noop: number | null;
  post_runs_p95_ms_c50: number | null;
  dup_check_p95_ms_100k: number | null;
  raw_topk_p95_ms_100k: number | null;
  dup_check_vs_raw_100k: number | null;
  hnsw_recall_at_10: number | null;
  ledger_p95_ms_1m: number | null;
  raw_keyset_p95_ms_1m: number | null;
  ledger_vs_raw_1m: number | null;
  worker_rss_mb_500_waiting: number | null;
}

/** The keys, in the order: `--json` prints exactly these. */
export const REPORT_KEYS = [
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
] as const satisfies ReadonlyArray<keyof BenchReport>;

/** Every figure null until its part has run. */
export function emptyReport(m: { machine: string; cpus: number }): BenchReport {
  const report = Object.fromEntries(REPORT_KEYS.map((k) => [k, null])) as unknown as BenchReport;
  report.machine = m.machine;
  report.cpus = m.cpus;
  return report;
}

/** A row of the readable table: what, ours, the reference, ratio, the target. */
export interface Row {
  metric: string;
  ours: number | null;
  reference?: number | null;
  ratio?: number | null;
  target?: string;
  met?: boolean | null;
}

function mark(value: number | null, ok: (v: number) => boolean): boolean | null {
  return value === null ? null : ok(value);
}

export function tableRows(r: BenchReport, extra: Row[]): Row[] {
  return [
    {
      metric: 'pipeline p50 ms (request → Draft)',
      ours: r.pipeline_p50_ms,
      reference: r.noop_p50_ms,
      ratio: r.pipeline_vs_noop_p50,
      target: 'ratio ≤ 0.4',
      met: mark(r.pipeline_vs_noop_p50, (v) => v <= 0.4),
    },
    { metric: 'pipeline p95 ms', ours: r.pipeline_p95_ms, reference: r.noop_p95_ms },
    {
      metric: 'throughput runs/s (c50)',
      ours: r.throughput_runs_per_s,
      reference: r.noop_throughput_per_s,
      ratio: r.throughput_vs_noop,
      target: 'ratio ≥ 2',
      met: mark(r.throughput_vs_noop, (v) => v >= 2),
    },
    {
      metric: 'POST /runs p95 ms (c50)',
      ours: r.post_runs_p95_ms_c50,
      target: '≤ 100',
      met: mark(r.post_runs_p95_ms_c50, (v) => v <= 100),
    },
    {
      metric: 'duplicate check p95 ms (100k)',
      ours: r.dup_check_p95_ms_100k,
      reference: r.raw_topk_p95_ms_100k,
      ratio: r.dup_check_vs_raw_100k,
      target: 'ratio ≤ 2',
      met: mark(r.dup_check_vs_raw_100k, (v) => v <= 2),
    },
    {
      metric: 'HNSW recall@10',
      ours: r.hnsw_recall_at_10,
      target: '≥ 0.98',
      met: mark(r.hnsw_recall_at_10, (v) => v >= 0.98),
    },
    {
      metric: 'ledger p95 ms (1M runs, all pages)',
      ours: r.ledger_p95_ms_1m,
      reference: r.raw_keyset_p95_ms_1m,
      ratio: r.ledger_vs_raw_1m,
      target: 'ratio ≤ 1.5',
      met: mark(r.ledger_vs_raw_1m, (v) => v <= 1.5),
    },
    {
      metric: 'worker RSS MB (500 waiting)',
      ours: r.worker_rss_mb_500_waiting,
      target: '≤ 300',
      met: mark(r.worker_rss_mb_500_waiting, (v) => v <= 300),
    },
    ...extra,
  ];
}

export function renderTable(r: BenchReport, extra: Row[]): string {
  const fmt = (v: number | null | undefined) => (v === undefined ? '' : v === null ? '—' : String(v));
  const lines = tableRows(r, extra).map((row) => [
    row.metric,
    fmt(row.ours),
    fmt(row.reference),
    fmt(row.ratio),
    row.target ?? '',
    row.met === undefined || row.met === null ? '' : row.met ? 'yes' : 'NO',
  ]);
  const header = ['metric', 'ours', 'reference', 'ours/ref', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `machine: ${r.machine} (${r.cpus} cpus)`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(line),
    '',
  ].join('\n');
}
