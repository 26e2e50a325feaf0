import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMBINATION_VERSION, DETECTOR_VERSION, scorePair, type ScoredMatch } from '../domain/duplicates/detector';
import { extractFeatures, type ToolRecord } from '../domain/duplicates/features';
import { screenInMemory, type IndexedTool } from '../domain/duplicates/screen';
import type { DuplicateOutcome } from '../domain/types';
import { LocalLexicalEmbedder } from '../providers/embedders/local';
import { cosine } from '../domain/duplicates/embed';

/**
 * `npm run eval:duplicates`: the detector on the two labelled development sets in
 * ../shared/data/mcp-tools (never the held-out candidates.json). Prints, per set, the confusion
 * matrix, BLOCKING and attention precision/recall/F1 and match recall@3, for the combined decision
 * and for each dimension alone (its best single threshold, and recall@3 ranking by it).
 */

export const DATA_DIR = process.env.MCP_TOOLS_DIR ?? join(__dirname, '..', '..', 'shared', 'data', 'mcp-tools');
const THRESHOLDS = { potential: 0.8, blocking: 0.95 };
const TIERS: DuplicateOutcome[] = ['NONE', 'POTENTIAL', 'BLOCKING'];

export interface Label {
  candidateId: string;
  label: DuplicateOutcome;
  matches: string[];
  kind: string;
}
export type Tool = ToolRecord & { id: string; server: string };

export function load<T>(file: string): T {
  return JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8')) as T;
}

export function prf(tp: number, fp: number, fn: number) {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return { precision: +p.toFixed(3), recall: +r.toFixed(3), f1: +f1.toFixed(3) };
}

export interface SetResult {
  set: string;
  n: number;
  confusion: Record<string, Record<string, number>>;
  blocking: ReturnType<typeof prf>;
  attention: ReturnType<typeof prf>;
  recallAt3: number;
  exact: number;
  errors: string[];
}

function summarize(set: string, rows: Array<{ label: Label; tier: DuplicateOutcome; ranked: string[] }>): SetResult {
  const confusion: Record<string, Record<string, number>> = {};
  for (const t of TIERS) confusion[t] = Object.fromEntries(TIERS.map((p) => [p, 0]));
  let btp = 0,
    bfp = 0,
    bfn = 0,
    atp = 0,
    afp = 0,
    afn = 0,
    hits = 0,
    needing = 0,
    exact = 0;
  const errors: string[] = [];
  for (const { label, tier, ranked } of rows) {
    confusion[label.label]![tier]! += 1;
    if (label.label === tier) exact += 1;
    else
      errors.push(
        `${label.candidateId}: want ${label.label} got ${tier} [${ranked.slice(0, 3).join(', ')}] want [${label.matches.slice(0, 3).join(', ')}]`,
      );
    const lb = label.label === 'BLOCKING',
      pb = tier === 'BLOCKING';
    if (lb && pb) btp++;
    else if (pb) bfp++;
    else if (lb) bfn++;
    const la = label.label !== 'NONE',
      pa = tier !== 'NONE';
    if (la && pa) atp++;
    else if (pa) afp++;
    else if (la) afn++;
    if (la) {
      needing++;
      if (ranked.slice(0, 3).some((id) => label.matches.includes(id))) hits++;
    }
  }
  return {
    set,
    n: rows.length,
    confusion,
    blocking: prf(btp, bfp, bfn),
    attention: prf(atp, afp, afn),
    recallAt3: +(needing === 0 ? 0 : hits / needing).toFixed(3),
    exact: +(exact / rows.length).toFixed(3),
    errors,
  };
}

type Dim = 'identity' | 'contract' | 'semantic' | 'runtime';
const DIMS: Dim[] = ['identity', 'contract', 'semantic', 'runtime'];

/** One dimension alone: rank by it; attention at its best threshold; recall@3. */
function perDimension(cases: Array<{ label: Label; pairs: ScoredMatch[] }>) {
  const out: Record<string, unknown> = {};
  for (const dim of DIMS) {
    const best = cases.map(({ label, pairs }) => {
      const sorted = [...pairs].sort((a, b) => b.dimensions[dim].score - a.dimensions[dim].score);
      return { label, top: sorted[0]?.dimensions[dim].score ?? 0, ranked: sorted.map((m) => m.neighbour.id) };
    });
    let bestF1 = { threshold: 0, ...prf(0, 0, 1) };
    for (let th = 0.05; th <= 1.0001; th += 0.05) {
      let tp = 0,
        fp = 0,
        fn = 0;
      for (const b of best) {
        const la = b.label.label !== 'NONE',
          pa = b.top >= th;
        if (la && pa) tp++;
        else if (pa) fp++;
        else if (la) fn++;
      }
      const r = prf(tp, fp, fn);
      if (r.f1 > bestF1.f1) bestF1 = { threshold: +th.toFixed(2), ...r };
    }
    const needing = best.filter((b) => b.label.label !== 'NONE');
    const hits = needing.filter((b) => b.ranked.slice(0, 3).some((id) => b.label.matches.includes(id))).length;
    out[dim] = { attentionAtBestThreshold: bestF1, recallAt3: +(hits / Math.max(1, needing.length)).toFixed(3) };
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA_DIR, 'catalog.json'))) {
    console.error(`eval:duplicates: ${DATA_DIR}/catalog.json not found (set MCP_TOOLS_DIR)`);
    process.exit(2);
  }
  const embedder = new LocalLexicalEmbedder();
  const catalog = load<Tool[]>('catalog.json');
  const vectors = await embedder.embed(catalog);
  const indexed: IndexedTool[] = catalog.map((t, i) => ({
    id: t.id,
    record: t,
    features: extractFeatures(t),
    vector: vectors[i]!,
  }));
  const verbose = process.argv.includes('--errors');

  const sets: Array<{ name: string; labels: Label[]; tools: Map<string, Tool>; loso: boolean }> = [
    {
      name: 'dev-labels (leave one server out)',
      labels: load<Label[]>('dev-labels.json'),
      tools: new Map(catalog.map((t) => [t.id, t])),
      loso: true,
    },
  ];
  if (existsSync(join(DATA_DIR, 'dev-candidates.json'))) {
    const c = load<Tool[]>('dev-candidates.json');
    sets.push({
      name: 'dev-candidates (whole catalog)',
      labels: load<Label[]>('dev-candidates-labels.json'),
      tools: new Map(c.map((t) => [t.id, t])),
      loso: false,
    });
  }
  const report: Record<string, unknown>[] = [];
  for (const s of sets) {
    const rows: Array<{ label: Label; tier: DuplicateOutcome; ranked: string[] }> = [];
    const cases: Array<{ label: Label; pairs: ScoredMatch[] }> = [];
    for (const label of s.labels) {
      const tool = s.tools.get(label.candidateId)!;
      const [vector] = await embedder.embed([tool]);
      const pool = s.loso ? indexed.filter((t) => t.record.server !== tool.server) : indexed;
      const verdict = screenInMemory({ record: tool, vector: vector! }, pool, THRESHOLDS);
      rows.push({ label, tier: verdict.outcome, ranked: verdict.matches.map((m) => m.neighbour.id) });
      const f = extractFeatures(tool);
      cases.push({
        label,
        pairs: pool.map((t) =>
          scorePair(
            f,
            {
              kind: 'CATALOG',
              id: t.id,
              capabilityKey: t.id,
              externalId: t.id,
              features: t.features,
              cosine: cosine(vector!, t.vector),
            },
            THRESHOLDS,
          ),
        ),
      });
    }
    const combined = summarize(s.name, rows);
    const { errors, ...rest } = combined;
    report.push({ ...rest, perDimension: perDimension(cases) });
    if (verbose) for (const e of errors) console.error(e);
  }
  console.log(
    JSON.stringify(
      {
        detector: DETECTOR_VERSION,
        combination: COMBINATION_VERSION,
        embedder: `${embedder.id}@${embedder.version}`,
        thresholds: THRESHOLDS,
        sets: report,
      },
      null,
      2,
    ),
  );
}

if (require.main === module) void main();
