import { capabilityKeyFor, nameTokenOverlap, nameWords, normalizeName } from '../../domain/duplicates/normalize';

describe('nameWords', () => {
  it.each([
    ['getWeather', ['get', 'weather']],
    ['get_weather', ['get', 'weather']],
    ['get-weather', ['get', 'weather']],
    ['Get Weather!', ['get', 'weather']],
    ['  --get__weather--  ', ['get', 'weather']],
    ['GetWeather', ['get', 'weather']],
    ['getHTTPStatus', ['get', 'http', 'status']],
    ['HTTPServer', ['http', 'server']],
    ['parseJSON', ['parse', 'json']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['getV2Data', ['get', 'v2', 'data']],
    ['Café Crème', ['cafe', 'creme']],
    ['naïve Señor', ['naive', 'senor']],
    ['ÉtatCivil', ['etat', 'civil']],
    ['ﬁle reader', ['file', 'reader']],
    ['', []],
    ['!!! ---', []],
  ])('splits %j into %j', (name, words) => {
    expect(nameWords(name)).toEqual(words);
  });
});

describe('normalizeName', () => {
  it('gives one slug for every spelling of the same name', () => {
    const spellings = ['getWeather', 'get_weather', 'Get Weather!', 'get-weather', 'GET_WEATHER', 'Gét Wéather'];
    expect(new Set(spellings.map(normalizeName))).toEqual(new Set(['get-weather']));
  });

  it('keeps acronyms as one word', () => {
    expect(normalizeName('getHTTPStatus')).toBe('get-http-status');
  });
});

describe('capabilityKeyFor', () => {
  it.each([
    ['Get Weather', 'get-weather'],
    ['sendSlackMessage', 'send-slack-message'],
    ['  S3 bucket_list ', 's3-bucket-list'],
  ])('builds the key of %j as %j', (name, key) => {
    expect(capabilityKeyFor(name)).toBe(key);
  });

  it.each(['', '   ', '!!!', '---', '🙂🙂'])('refuses the name %j, which has no letters or digits', (name) => {
    expect(() => capabilityKeyFor(name)).toThrow(/no letters or digits/);
  });

  it('caps the key at 100 characters', () => {
    const key = capabilityKeyFor(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '));
    expect(key.length).toBe(100);
    expect(key).toMatch(/^word0-word1-/);
  });
});

describe('nameTokenOverlap', () => {
  it.each([
    ['getWeather', 'get_weather', 1],
    ['get weather', 'weather get', 1],
    ['get weather', 'get forecast', 1 / 3],
    ['get weather forecast', 'get weather', 2 / 3],
    ['send email', 'get weather', 0],
    ['get get weather', 'get weather', 1],
    ['', 'get weather', 0],
    ['get weather', '!!!', 0],
  ])('scores %j against %j as %d', (a, b, score) => {
    expect(nameTokenOverlap(a, b)).toBeCloseTo(score, 10);
  });

  it('is symmetric', () => {
    expect(nameTokenOverlap('fetch city weather', 'weather for a city')).toBe(
      nameTokenOverlap('weather for a city', 'fetch city weather'),
    );
  });
});
