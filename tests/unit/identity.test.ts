import {
  classifyScore,
  detectIdentityCollisions,
  overallOutcome,
  type CatalogIdentity,
  type DuplicateFinding,
} from '../../domain/duplicates/identity';
import { normalizeName } from '../../domain/duplicates/normalize';

const thresholds = { potential: 0.5, blocking: 0.9 };

function entry(id: string, capabilityKey: string, name: string): CatalogIdentity {
  return { id, capabilityKey, name, normalizedName: normalizeName(name) };
}

describe('classifyScore', () => {
  it.each([
    [0, 'NONE'],
    [0.49, 'NONE'],
    [0.5, 'POTENTIAL'],
    [0.89, 'POTENTIAL'],
    [0.9, 'BLOCKING'],
    [1, 'BLOCKING'],
  ] as const)('classifies %d as %s with potential=0.5, blocking=0.9', (score, tier) => {
    expect(classifyScore(score, thresholds)).toBe(tier);
  });

  it('treats equal thresholds as blocking, never potential', () => {
    expect(classifyScore(0.8, { potential: 0.8, blocking: 0.8 })).toBe('BLOCKING');
    expect(classifyScore(0.79, { potential: 0.8, blocking: 0.8 })).toBe('NONE');
  });
});

describe('overallOutcome', () => {
  const finding = (tier: DuplicateFinding['tier']): DuplicateFinding => ({
    capabilityId: tier,
    capabilityKey: tier,
    dimension: 'IDENTITY',
    score: 0,
    tier,
    rationale: '',
  });

  it.each([
    [[], 'NONE'],
    [['POTENTIAL'], 'POTENTIAL'],
    [['POTENTIAL', 'BLOCKING', 'POTENTIAL'], 'BLOCKING'],
    [['BLOCKING', 'POTENTIAL'], 'BLOCKING'],
  ] as const)('is the worst tier of %j: %s', (tiers, outcome) => {
    expect(overallOutcome(tiers.map(finding))).toBe(outcome);
  });
});

describe('detectIdentityCollisions', () => {
  it('blocks with score 1 when the capability key already exists, whatever the name', () => {
    const findings = detectIdentityCollisions(
      { capabilityKey: 'get-weather', name: 'Completely Different' },
      [entry('c1', 'get-weather', 'Weather Lookup')],
      thresholds,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        capabilityId: 'c1',
        capabilityKey: 'get-weather',
        dimension: 'IDENTITY',
        score: 1,
        tier: 'BLOCKING',
      }),
    ]);
    expect(findings[0]!.rationale).toMatch(/capability key "get-weather"/);
  });

  it('blocks with score 1 when the name normalizes the same under a different key', () => {
    const findings = detectIdentityCollisions(
      { capabilityKey: 'get-weather-v2', name: 'get_weather' },
      [entry('c1', 'legacy-weather', 'GetWeather')],
      thresholds,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ capabilityId: 'c1', score: 1, tier: 'BLOCKING' });
    expect(findings[0]!.rationale).toMatch(/normalizes to "get-weather"/);
  });

  it('reports a partial word overlap at or above the potential threshold as POTENTIAL', () => {
    // {get, weather, forecast} vs {get, weather}: 2/3
    const findings = detectIdentityCollisions(
      { capabilityKey: 'get-weather-forecast', name: 'Get Weather Forecast' },
      [entry('c1', 'get-weather', 'Get Weather')],
      thresholds,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ tier: 'POTENTIAL' });
    expect(findings[0]!.score).toBeCloseTo(2 / 3, 10);
    expect(findings[0]!.rationale).toMatch(/shares 67% of its words/);
  });

  it('returns nothing when the overlap is below the potential threshold', () => {
    // {get, weather} vs {get, stock, price}: 1/4
    expect(
      detectIdentityCollisions(
        { capabilityKey: 'get-weather', name: 'Get Weather' },
        [entry('c1', 'get-stock-price', 'Get Stock Price')],
        thresholds,
      ),
    ).toEqual([]);
  });

  it('returns nothing for an empty catalog', () => {
    expect(detectIdentityCollisions({ capabilityKey: 'a', name: 'A' }, [], thresholds)).toEqual([]);
  });

  it('sorts by score descending, then capability key ascending', () => {
    const findings = detectIdentityCollisions(
      { capabilityKey: 'get-weather-forecast', name: 'Get Weather Forecast' },
      [
        entry('c-partial-b', 'zz-weather', 'Get Weather'),
        entry('c-unrelated', 'send-email', 'Send Email'),
        entry('c-partial-a', 'aa-weather', 'Weather Forecast'),
        entry('c-same-key', 'get-weather-forecast', 'Forecast'),
      ],
      thresholds,
    );
    expect(findings.map((f) => [f.capabilityId, f.tier])).toEqual([
      ['c-same-key', 'BLOCKING'],
      ['c-partial-a', 'POTENTIAL'],
      ['c-partial-b', 'POTENTIAL'],
    ]);
    expect(overallOutcome(findings)).toBe('BLOCKING');
  });

  it('does not modify the catalog it is given', () => {
    const catalog = [entry('c1', 'get-weather', 'Get Weather')];
    const copy = structuredClone(catalog);
    detectIdentityCollisions({ capabilityKey: 'get-weather', name: 'Get Weather' }, catalog, thresholds);
    expect(catalog).toEqual(copy);
  });
});
