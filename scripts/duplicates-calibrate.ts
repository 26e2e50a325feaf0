import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '../db/database';
import { listVerdicts } from '../db/repositories/duplicates';
import { scorePair } from '../domain/duplicates/detector';
import { cosine } from '../domain/duplicates/embed';
import { extractFeatures } from '../domain/duplicates/features';
import { COMBINATION } from '../domain/duplicates/decision';
import { LocalLexicalEmbedder } from '../providers/embedders/local';
import { DATA_DIR, load, prf, type Label, type Tool } from './eval-duplicates';

/**
 * `npm run duplicates:calibrate`: proposes `AiGeneration:DuplicateThresholds` from the reviewers'
 * recorded verdicts (one per match, next to its per-dimension and combined scores) plus the
 * labelled development sets, with the precision/recall each proposal would give. It only proposes:
 * configuration is never changed here.
 */

interface Observation {
  /** Best combined score of the candidate (or of the adjudicated match). */
  score: number;
  attention: boolean;
  blocking: boolean;
  source: 'verdict' | 'dev-labels' | 'dev-candidates';
}

async function devObservations(): Promise<Observation[]> {
  if (!existsSync(join(DATA_DIR, 'catalog.json'))) return [];
  const embedder = new LocalLexicalEmbedder();
  const catalog = load<Tool[]>('catalog.json');
  const vectors = await embedder.embed(catalog);
  const feats = catalog.map((t) => extractFeatures(t));
  const out: Observation[] = [];
  const thresholds = COMBINATION.anchors;
  const sets: Array<{ source: Observation['source']; labels: Label[]; tools: Tool[]; loso: boolean }> = [
    { source: 'dev-labels', labels: load<Label[]>('dev-labels.json'), tools: catalog, loso: true },
  ];
  if (existsSync(join(DATA_DIR, 'dev-candidates.json'))) {
    sets.push({
      source: 'dev-candidates',
      labels: load<Label[]>('dev-candidates-labels.json'),
      tools: load<Tool[]>('dev-candidates.json'),
      loso: false,
    });
  }
  for (const s of sets) {
    const byId = new Map(s.tools.map((t) => [t.id, t]));
    for (const label of s.labels) {
      const tool = byId.get(label.candidateId)!;
      const [v] = await embedder.embed([tool]);
      const f = extractFeatures(tool);
      let best = 0;
      catalog.forEach((t, i) => {
        if (s.loso && t.server === tool.server) return;
        const m = scorePair(
          f,
          {
            kind: 'CATALOG',
            id: t.id,
            capabilityKey: t.id,
            externalId: t.id,
            features: feats[i]!,
            cosine: cosine(v!, vectors[i]!),
          },
          thresholds,
        );
        best = Math.max(best, m.score);
      });
      out.push({
        score: best,
        attention: label.label !== 'NONE',
        blocking: label.label === 'BLOCKING',
        source: s.source,
      });
    }
  }
  return out;
}

async function verdictObservations(): Promise<Observation[]> {
  const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/toolnexus', 2);
  try {
    const rows = await listVerdicts(db);
    return rows.map((r) => ({
      score: Number(r.scores?.combined ?? r.score),
      // A reviewer who confirmed the duplicate says the match needed attention and blocks.
      attention: true,
      blocking: r.verdict === 'DUPLICATE',
      source: 'verdict' as const,
    }));
  } catch (err) {
    console.error(`duplicates:calibrate: no recorded verdicts read (${(err as Error).message})`);
    return [];
  } finally {
    await db.destroy();
  }
}

function evaluate(obs: Observation[], potential: number, blocking: number) {
  let atp = 0,
    afp = 0,
    afn = 0,
    btp = 0,
    bfp = 0,
    bfn = 0;
  for (const o of obs) {
    const pa = o.score >= potential;
    const pb = o.score >= blocking;
    if (o.attention && pa) atp++;
    else if (pa) afp++;
    else if (o.attention) afn++;
    if (o.blocking && pb) btp++;
    else if (pb) bfp++;
    else if (o.blocking) bfn++;
  }
  return { attentionScore: prf(atp, afp, afn), blockingScore: prf(btp, bfp, bfn) };
}

async function main(): Promise<void> {
  const obs = [...(await verdictObservations()), ...(await devObservations())];
  if (obs.length === 0) {
    console.error('duplicates:calibrate: nothing to calibrate on (no verdicts recorded and no labelled set found)');
    process.exit(2);
  }
  const proposals = [];
  const steps = (from: number, to: number) =>
    Array.from({ length: Math.round((to - from) / 0.025) + 1 }, (_, i) => Math.round((from + i * 0.025) * 1000) / 1000);
  for (const p of steps(0.5, 0.95)) {
    for (const b of steps(Math.max(p, 0.8), 1)) {
      const r = evaluate(obs, p, b);
      proposals.push({
        potential: p,
        blocking: b,
        ...r,
        objective: +((r.attentionScore.f1 + r.blockingScore.f1) / 2).toFixed(3),
      });
    }
  }
  proposals.sort((a, b) => b.objective - a.objective);
  const current = evaluate(obs, COMBINATION.anchors.potential, COMBINATION.anchors.blocking);
  console.log(
    JSON.stringify(
      {
        note: 'proposals only: set AiGeneration:DuplicateThresholds yourself if you adopt one',
        combination: COMBINATION.version,
        observations: {
          verdicts: obs.filter((o) => o.source === 'verdict').length,
          devLabels: obs.filter((o) => o.source === 'dev-labels').length,
          devCandidates: obs.filter((o) => o.source === 'dev-candidates').length,
        },
        default: { potential: COMBINATION.anchors.potential, blocking: COMBINATION.anchors.blocking, ...current },
        proposals: proposals.slice(0, 10),
      },
      null,
      2,
    ),
  );
}

void main();
