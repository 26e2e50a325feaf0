import { readFileSync } from 'node:fs';

/** Percentiles by nearest rank on a sorted copy; NaN for an empty sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    min: samples.length ? Math.min(...samples) : Number.NaN,
    max: samples.length ? Math.max(...samples) : Number.NaN,
  };
}

/** Rounds for the report: 2 decimals under 10, 1 under 100, integers above. */
export function round(n: number | null): number | null {
  if (n === null || !Number.isFinite(n)) return null;
  const digits = Math.abs(n) < 10 ? 100 : Math.abs(n) < 100 ? 10 : 1;
  return Math.round(n * digits) / digits;
}

export function ratio(ours: number | null, reference: number | null): number | null {
  if (ours === null || reference === null || !Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0)
    return null;
  return Math.round((ours / reference) * 1000) / 1000;
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN where unreadable). */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds per named process, for a stretch of work: call, work, call the returned function. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processCpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processCpuSeconds(pid) - start[k]!]));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
