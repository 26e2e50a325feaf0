import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef, useState } from 'react';
import { request } from './api';
import type { Session } from './auth';
import { GenericTable, rowsOf } from './Generic';
import { useLoad } from './hooks';
import { NotAvailable, ProblemMessage } from './Problem';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#b83280', '#6b46c1', '#718096', '#d69e2e', '#319795'];

type Row = Record<string, unknown>;

/** Label of a summary group, whatever the server calls its key. */
function labelOf(r: Row): string {
  for (const k of ['key', 'group', 'capabilityKey', 'capability', 'day', 'tenantId', 'tenant']) {
    if (typeof r[k] === 'string' || typeof r[k] === 'number') return String(r[k]);
  }
  return '?';
}

/** Numeric figures of a group, one level of nesting flattened (`byStatus.DRAFT`). */
function figuresOf(r: Row): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number') out[k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Row)) if (typeof v2 === 'number') out[`${k}.${k2}`] = v2;
    }
  }
  return out;
}

/** Counts (not rates or durations) are what stack meaningfully on one axis. */
function countKeys(rows: Row[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(figuresOf(r))) keys.add(k);
  return [...keys].filter((k) => !/rate|ms|p50|p95|duration|ratio/i.test(k)).slice(0, 8);
}

function TrendChart({ rows, kind, label }: { rows: Row[]; kind: 'bar' | 'line'; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const figures = rows.map(figuresOf);
    const has = (k: string) => figures.some((f) => k in f);
    // Per capability: the status mix, stacked. Per day: runs against denied, failed and fallbacks.
    const statusKeys = countKeys(rows).filter((k) => k.startsWith('byStatus.'));
    const keys =
      kind === 'bar' && statusKeys.length > 0
        ? statusKeys
        : ['runs', 'denied', 'failed', 'fallbackRuns'].every(has)
          ? ['runs', 'denied', 'failed', 'fallbackRuns']
          : countKeys(rows);
    const stacked = kind === 'bar' && statusKeys.length > 0;
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels: rows.map(labelOf),
        datasets: keys.map((k, i) => ({
          label: k.replace(/^byStatus\./, ''),
          data: figures.map((f) => f[k] ?? 0),
          backgroundColor: PALETTE[i % PALETTE.length],
          borderColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [rows, kind]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

function Summary({
  session,
  groupBy,
  title,
  kind,
  days,
}: {
  session: Session;
  groupBy: string;
  title: string;
  kind: 'bar' | 'line';
  days: number;
}) {
  // Whole minutes, so the key (and the request) is stable across re-renders.
  const from = new Date(Math.floor(Date.now() / 60_000) * 60_000 - days * 86_400_000).toISOString();
  const path = `/telemetry/summary?${new URLSearchParams({ groupBy, from }).toString()}`;
  const [loaded] = useLoad<unknown>(`${session.token}:${path}`, () => request(session.token, 'GET', path));
  const id = `trend-${groupBy}`;
  return (
    <section className="region" aria-labelledby={id}>
      <h4 id={id}>{title}</h4>
      {loaded.state === 'unavailable' ? <NotAvailable what="The telemetry summary" error={loaded.error} /> : null}
      {loaded.state === 'error' ? <ProblemMessage error={loaded.error} prefix="Could not read the summary" /> : null}
      {loaded.state === 'ok'
        ? (() => {
            const rows = rowsOf(loaded.data);
            if (rows.length === 0) return <p>No runs in this period.</p>;
            return (
              <>
                <TrendChart rows={rows} kind={kind} label={title} />
                <details>
                  <summary>{title} as a table</summary>
                  <GenericTable
                    label={`${title} figures`}
                    rows={rows.map((r) => ({ group: labelOf(r), ...figuresOf(r) }))}
                  />
                </details>
              </>
            );
          })()
        : null}
    </section>
  );
}

/** Trends from the telemetry summary: per capability and per day. */
export function Trends({ session }: { session: Session }) {
  const [days, setDays] = useState(30);
  return (
    <section className="region" aria-labelledby="trends-heading">
      <h3 id="trends-heading">Trends</h3>
      <div className="filters">
        <div className="field">
          <label htmlFor="trends-period">Period</label>
          <select id="trends-period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={1}>last 24 hours</option>
            <option value={7}>last 7 days</option>
            <option value={30}>last 30 days</option>
            <option value={90}>last 90 days</option>
          </select>
        </div>
      </div>
      <Summary session={session} groupBy="capability" title="Runs per capability" kind="bar" days={days} />
      <Summary session={session} groupBy="day" title="Runs per day" kind="line" days={days} />
    </section>
  );
}
