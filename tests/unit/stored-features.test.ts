import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFeatures, type ToolRecord } from '../../domain/duplicates/features';
import { fromStoredFeatures, toStoredFeatures } from '../../domain/duplicates/stored-features';

const sample = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'data', 'sample-catalog.json'), 'utf8')) as {
    tools: ToolRecord[];
  }
).tools;

describe('stored duplicate features', () => {
  it.each(sample.map((t) => [t.name, t] as const))('%s survives the trip through JSON unchanged', (_name, tool) => {
    const features = extractFeatures(tool);
    const back = fromStoredFeatures(JSON.parse(JSON.stringify(toStoredFeatures(features))));
    expect(back).toEqual(features);
    expect(back.terms).toBeInstanceOf(Map);
    expect([...back.terms.entries()]).toEqual([...features.terms.entries()]);
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
});
