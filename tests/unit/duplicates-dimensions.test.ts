import { contractDimension, identityDimension, runtimeDimension } from '../../domain/duplicates/dimensions';
import { extractFeatures, identityKey, type ToolRecord } from '../../domain/duplicates/features';
import { classifyCombined, combine, COMBINATION } from '../../domain/duplicates/decision';
import { FourDimensionDetector, type DuplicateNeighbour } from '../../domain/duplicates/detector';
import { semanticDimension } from '../../domain/duplicates/dimensions';
import { cosine, hashTerms } from '../../domain/duplicates/embed';

const tool = (
  name: string,
  description: string,
  props: Record<string, string> = {},
  required: string[] = [],
  server?: string,
): ToolRecord => ({
  name,
  description,
  server,
  inputSchema: {
    type: 'object',
    properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
    required,
  },
});

describe('identity: normalized keys', () => {
  it.each([
    ['brave_web_search', 'brave-search', 'web_search_exa', 'exa'],
    ['WebSearch', null, 'web-search', null],
    ['get_issues', null, 'GetIssue', null],
    ['git_status', 'git', 'git_status', 'other-git'],
    ['fetch_page', null, 'retrieve_page', null],
    ['delete_file', null, 'remove_file', null],
    ['query_records', null, 'search_records', null],
  ])('%s (%s) and %s (%s) share one key', (a, sa, b, sb) => {
    expect(identityKey(a, sa)).toBe(identityKey(b, sb));
  });

  it.each([
    ['create_issue', 'get_issue'],
    ['send_email', 'post_message'],
    ['create_branch', 'create_database'],
  ])('%s and %s do not', (a, b) => {
    expect(identityKey(a)).not.toBe(identityKey(b));
  });

  it('scores 1 with the key as evidence, else the share of canonical name words', () => {
    const a = extractFeatures(tool('web_search_exa', 'x', {}, [], 'exa'));
    const b = extractFeatures(tool('brave_web_search', 'y', {}, [], 'brave-search'));
    expect(identityDimension(a, b)).toEqual(
      expect.objectContaining({ score: 1, evidence: expect.stringContaining('search-web') }),
    );
    const c = extractFeatures(tool('create_issue', 'x'));
    const d = extractFeatures(tool('create_branch', 'y'));
    const r = identityDimension(c, d);
    expect(r.score).toBeCloseTo(1 / 3);
    expect(r.evidence).toContain('create');
    expect(r.sharedResourceWords).toBe(0);
  });
});

describe('contract: signatures through the same normalization', () => {
  it.each([
    [{ query: 'string', count: 'integer' }, ['query'], { query: 'string', count: 'integer' }, ['query'], 1],
    [{ url: 'string' }, ['url'], { url: 'string', max_length: 'integer' }, ['url'], 0.7],
    [{ path: 'string' }, ['path'], { channel: 'string', text: 'string' }, ['channel'], 0],
    // Result counts and page targets under each vendor's name (lexicon/8).
    [{ query: 'string', numResults: 'integer' }, ['query'], { query: 'string', count: 'integer' }, ['query'], 1],
    [{ selector: 'string' }, ['selector'], { element: 'string' }, ['element'], 1],
  ])('%j vs %j', (pa, ra, pb, rb, atLeast) => {
    const s = contractDimension(extractFeatures(tool('a', 'x', pa, ra)), extractFeatures(tool('b', 'y', pb, rb))).score;
    if (atLeast === 0) expect(s).toBe(0);
    else expect(s).toBeGreaterThanOrEqual(atLeast);
  });

  it('names the properties in common', () => {
    const r = contractDimension(
      extractFeatures(tool('a', 'x', { query: 'string' }, ['query'])),
      extractFeatures(tool('b', 'y', { query: 'string', limit: 'integer' })),
    );
    expect(r.evidence).toContain('search');
  });
});

describe('runtime correlation: verb × resource × effect', () => {
  it.each([
    [
      'get_issue',
      'Get an issue by id',
      'create_issue',
      'Create a new issue',
      { effectMismatch: true, sameVerb: false },
    ],
    ['delete_file', 'Delete a file', 'read_file', 'Read a file', { effectMismatch: true, sameVerb: false }],
    [
      'fetch_page',
      'Fetch a web page by URL',
      'retrieve_url',
      'Retrieve the content of a URL',
      { effectMismatch: false, sameVerb: true },
    ],
    [
      'create_github_issue',
      'Create an issue on GitHub',
      'create_linear_issue',
      'Create an issue in Linear',
      { platformConflict: true, sameVerb: true },
    ],
  ])('%s vs %s', (na, da, nb, db, want) => {
    const r = runtimeDimension(extractFeatures(tool(na, da)), extractFeatures(tool(nb, db)));
    expect(r).toEqual(expect.objectContaining(want));
  });
});

describe('semantic', () => {
  it('is the clamped cosine with the shared salient terms', () => {
    const a = extractFeatures(tool('web_search', 'Search the web for a query'));
    const b = extractFeatures(tool('internet_search', 'Search the internet by query'));
    const r = semanticDimension(cosine(hashTerms(a.terms), hashTerms(b.terms)), a, b);
    expect(r.score).toBeGreaterThan(0.5);
    expect(r.evidence).toContain('shared terms');
    expect(semanticDimension(-0.2).score).toBe(0);
  });
});

describe('decision: the product definitions and the word-sharing traps', () => {
  const detector = new FourDimensionDetector();
  const thresholds = { potential: 0.8, blocking: 0.95 };
  function decide(candidate: ToolRecord, entry: ToolRecord) {
    const a = extractFeatures(candidate);
    const b = extractFeatures(entry);
    const n: DuplicateNeighbour = {
      kind: 'CATALOG',
      id: 'e',
      capabilityKey: 'e',
      externalId: 'e',
      features: b,
      cosine: cosine(hashTerms(a.terms), hashTerms(b.terms)),
    };
    return detector.detect(a, [n], thresholds).outcome;
  }

  it.each([
    [
      'two vendors’ web searches are BLOCKING',
      tool(
        'brave_web_search',
        'Performs a web search using the Brave Search API',
        { query: 'string' },
        ['query'],
        'brave-search',
      ),
      tool('web_search_exa', 'Search the web for any topic and get results', { query: 'string' }, ['query'], 'exa'),
      'BLOCKING',
    ],
    [
      'git_status from two servers is BLOCKING',
      tool('git_status', 'Shows the working tree status', { repo_path: 'string' }, ['repo_path'], 'git'),
      tool('git_status', 'Show the status of the working tree', { repo_path: 'string' }, ['repo_path'], 'git-tools'),
      'BLOCKING',
    ],
    [
      'send email vs post a Slack message is NONE',
      tool('send_email', 'Send an email to recipients', { to: 'string', subject: 'string' }, ['to']),
      tool(
        'slack_post_message',
        'Post a new message to a Slack channel',
        { channel_id: 'string', text: 'string' },
        ['channel_id'],
        'slack',
      ),
      'NONE',
    ],
    [
      'create a database branch vs create a git branch is NONE',
      tool('create_database_branch', 'Create a new branch of a Postgres database', { project: 'string' }, ['project']),
      tool(
        'git_create_branch',
        'Creates a new branch from an optional base branch',
        { repo_path: 'string', branch_name: 'string' },
        ['repo_path'],
        'git',
      ),
      'NONE',
    ],
    [
      'get issue vs create issue is a sibling at most',
      tool('get_issue', 'Get details of an issue', { issue_id: 'string' }, ['issue_id']),
      tool('create_issue', 'Create a new issue', { title: 'string' }, ['title']),
      'not BLOCKING',
    ],
    [
      'creating a Jira issue when the catalog creates Linear issues is POTENTIAL',
      tool(
        'jira_create_issue',
        'Create a new issue in Jira with a summary',
        { summary: 'string', project: 'string' },
        ['summary'],
        'jira',
      ),
      tool(
        'linear_create_issue',
        'Creates a new Linear issue with specified details',
        { title: 'string', teamId: 'string' },
        ['title'],
        'linear',
      ),
      'POTENTIAL',
    ],
  ])('%s', (_what, candidate, entry, want) => {
    const got = decide(candidate, entry);
    if (want === 'not BLOCKING') expect(got).not.toBe('BLOCKING');
    else expect(got).toBe(want);
  });

  it('records the combination version and maps raw cut points onto the default thresholds', () => {
    expect(COMBINATION.version).toMatch(/^combination\//);
    expect(classifyCombined(0.95, thresholds)).toBe('BLOCKING');
    expect(classifyCombined(0.8, thresholds)).toBe('POTENTIAL');
    expect(classifyCombined(0.79, thresholds)).toBe('NONE');
  });

  it('floors another operation on the same resource of the same system to POTENTIAL, never BLOCKING', () => {
    const c = combine({
      identity: { score: 0, evidence: '', sharedResourceWords: 1 },
      contract: { score: 0, evidence: '' },
      semantic: { score: 0.5, evidence: '' },
      runtime: {
        score: 0.4,
        evidence: '',
        effectMismatch: true,
        sameVerb: false,
        sameObject: true,
        samePrimaryObject: true,
        sameCoreObject: true,
        oneIsGeneral: false,
        searchVertical: false,
        queriedStoreHolds: false,
        otherSystemOtherEntities: false,
        coversCandidate: false,
        candidateBroader: false,
        sharedObjects: ['table'],
        platformConflict: false,
        unrelatedSystems: false,
        sameKindOtherSystem: false,
        bothGeneral: false,
        webSourceVertical: false,
        otherSystemOtherEntity: false,
        coreResourceConflict: false,
        crawlOfGet: false,
        nameSilent: false,
        sameBareAction: false,
        partsOfDescribed: false,
        namesOthersAction: false,
        researchOfSearch: false,
        verbA: 'create',
        sameRetrievalOrVerb: false,
      },
    });
    expect(classifyCombined(c.score, thresholds)).toBe('POTENTIAL');
    expect(c.rules.join(' ')).toContain('a sibling');
  });

  it('caps a different effect below BLOCKING whatever the other dimensions say', () => {
    const c = combine({
      identity: { score: 1, evidence: '', sharedResourceWords: 1, keyHasResource: true },
      contract: { score: 1, evidence: '' },
      semantic: { score: 1, evidence: '' },
      runtime: {
        score: 1,
        evidence: '',
        effectMismatch: true,
        sameVerb: false,
        sameObject: true,
        samePrimaryObject: true,
        sameCoreObject: true,
        oneIsGeneral: false,
        searchVertical: false,
        queriedStoreHolds: false,
        otherSystemOtherEntities: false,
        coversCandidate: false,
        candidateBroader: false,
        sharedObjects: ['issue'],
        platformConflict: false,
        unrelatedSystems: false,
        sameKindOtherSystem: false,
        bothGeneral: false,
        webSourceVertical: false,
        otherSystemOtherEntity: false,
        coreResourceConflict: false,
        crawlOfGet: false,
        nameSilent: false,
        sameBareAction: false,
        partsOfDescribed: false,
        namesOthersAction: false,
        researchOfSearch: false,
        verbA: 'get',
        sameRetrievalOrVerb: false,
      },
    });
    expect(c.score).toBeLessThan(0.95);
    expect(c.rules.join(' ')).toContain('different effect');
  });
});
