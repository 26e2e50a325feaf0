import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFeatures, type ToolFeatures, type ToolRecord } from '../../domain/duplicates/features';
import { FEATURES_VERSION, fromStoredFeatures, toStoredFeatures } from '../../domain/duplicates/stored-features';

const sample = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'data', 'sample-catalog.json'), 'utf8')) as {
    tools: ToolRecord[];
  }
).tools;

/**
 * The features themselves, every field by name (Maps as `{ $map: entries }`): the keyed form rows
 * were stored in before the compact one, and what the fingerprints below are taken of, whatever
 * the stored form.
 */
function keyed(features: ToolFeatures): string {
  return JSON.stringify(features, (_key, v: unknown) => (v instanceof Map ? { $map: [...v.entries()] } : v));
}

describe('stored duplicate features', () => {
  it.each(sample.map((t) => [t.name, t] as const))('%s survives the trip through JSON unchanged', (_name, tool) => {
    const features = extractFeatures(tool);
    const back = fromStoredFeatures(JSON.parse(JSON.stringify(toStoredFeatures(features))));
    expect(back).toEqual(features);
    expect(back.terms).toBeInstanceOf(Map);
    expect([...back.terms.entries()]).toEqual([...features.terms.entries()]);
  });

  it.each(sample.map((t) => [t.name, t] as const))(
    '%s is still read from the keyed form earlier rows were stored in',
    (_name, tool) => {
      const features = extractFeatures(tool);
      // jsonb keeps an object's keys sorted by length, then bytes: not in the order they were written.
      const stored = JSON.parse(keyed(features)) as Record<string, unknown>;
      const reordered = Object.fromEntries(
        Object.entries(stored).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)),
      );
      const back = fromStoredFeatures(reordered);
      expect(back).toEqual(features);
      expect([...back.terms.entries()]).toEqual([...features.terms.entries()]);
    },
  );

  it('are stored in at most 60% of the bytes of the keyed form (a check reads 48 of them)', () => {
    const all = sample.map((t) => extractFeatures(t));
    const compact = all.reduce((n, f) => n + JSON.stringify(toStoredFeatures(f)).length, 0);
    const keyedBytes = all.reduce((n, f) => n + keyed(f).length, 0);
    expect(compact / keyedBytes).toBeLessThanOrEqual(0.6);
  });

  it('does not depend on the order of a schema’s properties (jsonb reorders keys)', () => {
    const a = extractFeatures({
      name: 'create_issue',
      description: 'Create an issue.',
      inputSchema: { type: 'object', properties: { title: { type: 'string' }, body: { type: 'string' } } },
    });
    const b = extractFeatures({
      name: 'create_issue',
      description: 'Create an issue.',
      inputSchema: { type: 'object', properties: { body: { type: 'string' }, title: { type: 'string' } } },
    });
    expect(toStoredFeatures(b)).toEqual(toStoredFeatures(a));
  });

  /**
   * Stored features are read back by the detector version that wrote them. If feature extraction
   * changes (features.ts, the lexicon, the stemmer, WordNet), stored ones would silently disagree
   * with what the code derives: bump DETECTOR_VERSION and record the new fingerprint here.
   */
  const FINGERPRINTS: Record<string, string> = {
    'four-dimension/6': 'bd21c82e20e266760c2faa49888e69ee1165d5efdd3988748018033d86c83253',
    'four-dimension/7': '2fb6ce896cf61c006087dd20fb170be261151864e2a5fe042675341551ae9cec',
    'four-dimension/8': '3529419eeecfe7a006bfcdce77e0e0736f402e857c27ce107059c09fb0df7203',
    'four-dimension/9': 'bfdb877c2e1cf50ecf599708b85ae20966f77ccf15822d96cf35303ce08d3b12',
  };

  it('are what this detector version has always derived from the sample catalog', () => {
    const fingerprint = createHash('sha256')
      .update(`[${sample.map((t) => keyed(extractFeatures(t))).join(',')}]`)
      .digest('hex');
    expect({ version: FEATURES_VERSION, fingerprint }).toEqual({
      version: FEATURES_VERSION,
      fingerprint: FINGERPRINTS[FEATURES_VERSION] ?? 'no fingerprint recorded for this version',
    });
  });
});
