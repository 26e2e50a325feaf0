import { runtimeDimension } from '../../domain/duplicates/dimensions';
import { extractFeatures, type ToolRecord } from '../../domain/duplicates/features';
import { FourDimensionDetector, type DuplicateNeighbour } from '../../domain/duplicates/detector';
import { cosine, hashTerms } from '../../domain/duplicates/embed';

/** The rules of combination/2..11: evidence against a duplicate, and what a general tool covers. */

const tool = (name: string, description: string, props: Record<string, string> = {}, server?: string): ToolRecord => ({
  name,
  description,
  server,
  inputSchema: {
    type: 'object',
    properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
  },
});

const detector = new FourDimensionDetector();
const thresholds = { potential: 0.8, blocking: 0.95 };

function neighbour(id: string, entry: ToolRecord, candidate: ToolRecord): DuplicateNeighbour {
  const a = extractFeatures(candidate);
  const b = extractFeatures(entry);
  return {
    kind: 'CATALOG',
    id,
    capabilityKey: id,
    externalId: id,
    features: b,
    cosine: cosine(hashTerms(a.terms), hashTerms(b.terms)),
  };
}

function decide(candidate: ToolRecord, entry: ToolRecord) {
  return detector.detect(extractFeatures(candidate), [neighbour('e', entry, candidate)], thresholds);
}

describe('features: what a tool acts on', () => {
  it('a qualifier after a preposition is not the head of a name', () => {
    expect(extractFeatures(tool('get_release_by_tag', 'Get a release by its tag name')).coreObject).toBe('release');
  });

  it('a name whose only resources are context nouns is a general tool', () => {
    const f = extractFeatures(
      tool('web_search_advanced', 'Advanced web search with filters for domains and dates', { query: 'string' }),
    );
    expect(f.coreObject).toBeNull();
  });

  it('SQL holds tables, and input properties count as mentions', () => {
    expect(extractFeatures(tool('execute_sql', 'Execute any SQL statement')).mentioned).toContain('table');
    expect(extractFeatures(tool('click', 'Perform a click', { element: 'string' })).mentioned).toContain('element');
  });
});

describe('decision: evidence against a duplicate', () => {
  it('labels on an issue are not an issue tracker’s issue update elsewhere (NONE)', () => {
    const candidate = tool(
      'update_issue_labels',
      'Replace the labels on a GitHub issue',
      { labels: 'array' },
      'github',
    );
    const entry = tool('linear_update_issue', 'Updates an existing Linear issue', { id: 'string' }, 'linear');
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).otherSystemOtherEntity).toBe(true);
    expect(decide(candidate, entry).outcome).toBe('NONE');
  });

  it('a video transcript is not a general page fetch (NONE)', () => {
    const candidate = tool('get_transcript', 'Get the transcript of a YouTube video', { url: 'string' }, 'yt');
    const entry = tool('fetch', 'Fetches a URL from the internet and returns its contents as markdown', {
      url: 'string',
    });
    expect(decide(candidate, entry).outcome).toBe('NONE');
  });

  it('general resources on different systems share nothing but words (NONE)', () => {
    const candidate = tool('kubectl_get', 'Get or list Kubernetes resources by type', { resourceType: 'string' });
    const entry = tool('get_resource_reference', 'Returns a reference to one of the server resources', {
      resourceId: 'number',
    });
    expect(decide(candidate, entry).outcome).toBe('NONE');
  });
});

describe('decision: what a general tool covers', () => {
  it('a runner of any SQL covers creating a table (BLOCKING)', () => {
    const candidate = tool('create_table', 'Create a new table in the SQLite database', { query: 'string' });
    const entry = tool('execute_sql', 'Execute any SQL query against the Postgres database', { sql: 'string' });
    expect(decide(candidate, entry).outcome).toBe('BLOCKING');
  });

  it('a news search is covered by a web search that names news, a subset of one that does not', () => {
    const news = tool('news_search', 'Search news articles by query with recency filters', { query: 'string' });
    const namesNews = tool('web_search', 'Search the web for any topic: news, facts and companies', {
      query: 'string',
    });
    const silent = tool('web_search', 'Search the web for any topic and get clean results', { query: 'string' });
    expect(decide(news, namesNews).outcome).toBe('BLOCKING');
    expect(decide(news, silent).outcome).not.toBe('BLOCKING');
  });

  it('searching arXiv papers is a vertical of a general web search (POTENTIAL)', () => {
    const candidate = tool('search_papers', 'Search papers by query and category', { query: 'string' }, 'arxiv');
    const entry = tool('web_search', 'Search the web for any topic and return results', { query: 'string' });
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });

  it('downloading an arXiv paper is a vertical of a general page fetch; reading a stored one is not (combination/21)', () => {
    const entry = tool('fetch', 'Fetch a URL from the internet and extract its contents as markdown', {
      url: 'string',
    });
    const download = tool(
      'download_paper',
      'Download a paper from arXiv and return its text content',
      { paper_id: 'string' },
      'arxiv',
    );
    const read = tool(
      'read_paper',
      'Read the text content of a paper that was downloaded before',
      { paper_id: 'string' },
      'arxiv',
    );
    expect(runtimeDimension(extractFeatures(download), extractFeatures(entry)).webSourceVertical).toBe(true);
    expect(runtimeDimension(extractFeatures(read), extractFeatures(entry)).webSourceVertical).toBe(false);
  });
});

describe('decision: a crawl against a page fetch (combination/22)', () => {
  it('crawling a site is a superset of fetching one page (POTENTIAL, not BLOCKING)', () => {
    const candidate = tool('crawl', 'Crawl a website starting from a URL and extract content from all its pages', {
      url: 'string',
      limit: 'number',
    });
    const entry = tool('fetch_page', 'Fetch a web page by URL and extract its content as markdown', { url: 'string' });
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).crawlOfGet).toBe(true);
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });
});

describe('features and decision: what a name and a description say (four-dimension/7, combination/23)', () => {
  it('a description that opens with "Get" states its verb', () => {
    expect(
      extractFeatures(tool('primer', 'Get contextual information of the session, such as the current time')).verb,
    ).toBe('get');
    expect(extractFeatures(tool('stats', 'Summary of the data; it gets refreshed hourly')).verb).not.toBe('get');
  });

  it('a name that says neither action nor resource never makes the same tool (POTENTIAL at most)', () => {
    const candidate = tool('primer', 'Get the current time and the session context of the user', {});
    const entry = tool('get_current_time', 'Get the current time', {});
    const r = runtimeDimension(extractFeatures(candidate), extractFeatures(entry));
    expect(r.nameSilent).toBe(true);
    expect(decide(candidate, entry).outcome).not.toBe('BLOCKING');
  });

  it('a name of unknown words that the other repeats is not silent (combination/29)', () => {
    const entry = tool('weather_forecast', 'Return the weather forecast for a city.', { city: 'string' });
    const candidate = tool('city_weather_forecast', 'Return the weather forecast for a given city.', {
      city: 'string',
    });
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).nameSilent).toBe(false);
    expect(decide(candidate, entry).outcome).toBe('BLOCKING');
    // Still silent where neither name repeats the other.
    const primer = tool('primer', 'Get the current time and the session context of the user', {});
    const time = tool('get_current_time', 'Get the current time', {});
    expect(runtimeDimension(extractFeatures(primer), extractFeatures(time)).nameSilent).toBe(true);
  });
});

describe('decision: actions that take no input (combination/24)', () => {
  it('closing the current session against closing the page: one action on what is in context (POTENTIAL or above)', () => {
    const candidate = tool('session_close', 'Close the current browser session and reset the active context.');
    const entry = tool('browser_close', 'Close the page');
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).sameBareAction).toBe(true);
    expect(decide(candidate, entry).outcome).not.toBe('NONE');
  });
});

describe("decision: a table's columns (four-dimension/8, combination/25)", () => {
  it('columns are not schemas: listing the columns of a table is describing the table (BLOCKING)', () => {
    const candidate = tool(
      'list_columns',
      'List all columns of a table or view with their types',
      { table: 'string' },
      'duckdb',
    );
    const describe = tool(
      'describe_table',
      'Get the schema information (columns and their types) for a specific table',
      { table_name: 'string' },
      'sqlite',
    );
    const schemas = tool('list_schemas', 'List all schemas in the database', {}, 'postgres');
    expect(extractFeatures(candidate).coreObject).toBe('column');
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(describe)).partsOfDescribed).toBe(true);
    expect(decide(candidate, describe).outcome).toBe('BLOCKING');
    expect(decide(candidate, schemas).outcome).not.toBe('BLOCKING');
  });
});

describe('decision: a general action tool (combination/26)', () => {
  it('performing any action on the page (click, type) is a superset of clicking (POTENTIAL)', () => {
    const candidate = tool('act', 'Perform a single action on the page (e.g., click, type).', { action: 'string' });
    const entry = tool('click', 'Click an element on the page', { selector: 'string' });
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).namesOthersAction).toBe(true);
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });
});

describe('features and decision: a web search scoped by category (four-dimension/9, combination/27)', () => {
  it("searching GitHub repositories against a web search with a 'github' category is a vertical (POTENTIAL)", () => {
    const candidate = tool(
      'search_repositories',
      'Find GitHub repositories by name, description or topic',
      {
        query: 'string',
      },
      'github',
    );
    const entry: ToolRecord = {
      name: 'web_search_advanced',
      description: 'Advanced web search with filters for domains, dates and categories',
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string' },
          category: { type: 'string', enum: ['company', 'news', 'github', 'people'] },
        },
      },
    };
    expect(extractFeatures(entry).optionPlatforms).toEqual(['github']);
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).webSourceVertical).toBe(true);
  });
});

describe('decision: research against a web search (combination/28)', () => {
  it('researching a company on the web is a superset of a general web search (POTENTIAL)', () => {
    const candidate = tool('company_research', 'Research any company on the web to get business information and news', {
      company_name: 'string',
    });
    const entry = tool('web_search', 'Search the web for any query and return the results', { query: 'string' });
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).researchOfSearch).toBe(true);
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });
});

describe('decision: SQL catalog tools and what a runner covers (combination/14)', () => {
  it('a runner of code does not cover a search for code examples (not BLOCKING)', () => {
    const candidate = tool('get_code_context', 'Find code examples and documentation for any programming question', {
      query: 'string',
    });
    const entry = tool('browser_run_code', 'Run a code snippet in the browser', { code: 'string' });
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).coversCandidate).toBe(false);
    expect(decide(candidate, entry).outcome).not.toBe('BLOCKING');
  });

  it("a SQL engine's objects are its tables: listing them is listing tables (BLOCKING)", () => {
    const candidate = tool('list_tables', 'List all tables in the SQLite database', {}, 'sqlite');
    const entry = tool('list_objects', 'List objects in a schema', { schema_name: 'string' }, 'postgres-mcp');
    expect(extractFeatures(entry).coreObject).toBe('table');
    expect(decide(candidate, entry).outcome).toBe('BLOCKING');
  });

  it('objects outside a SQL engine are not tables', () => {
    expect(extractFeatures(tool('list_objects', 'List objects in a bucket', { bucket: 'string' })).coreObject).not.toBe(
      'table',
    );
  });

  it("getting an entry's details is describing it (BLOCKING against describe)", () => {
    const candidate = tool(
      'describe_table',
      'Get the schema information for a specific table',
      {
        table_name: 'string',
      },
      'sqlite',
    );
    const entry = tool(
      'get_object_details',
      'Show detailed information about a database object',
      { schema_name: 'string', object_name: 'string' },
      'postgres-mcp',
    );
    expect(extractFeatures(entry).verb).toBe('describe');
    expect(decide(candidate, entry).outcome).toBe('BLOCKING');
  });
});

describe('decision: search verticals (combination/15)', () => {
  const webSearch = tool('web_search', 'Search the web for any topic and return results', { query: 'string' });

  it('searching a knowledge graph is no vertical of web search (NONE)', () => {
    const candidate = tool('search_nodes', 'Search for nodes in the knowledge graph based on a query', {
      query: 'string',
    });
    expect(decide(candidate, webSearch).outcome).toBe('NONE');
  });

  it('query suggestions are no vertical of web search (NONE)', () => {
    const candidate = tool('search_suggestions', 'Returns autocomplete suggestions to refine partial queries', {
      query: 'string',
    });
    expect(decide(candidate, webSearch).outcome).toBe('NONE');
  });

  it('a search for something the web publishes is a vertical of web search (POTENTIAL)', () => {
    const candidate = tool('video_search', 'Searches for videos by query and returns video results', {
      query: 'string',
    });
    expect(decide(candidate, webSearch).outcome).toBe('POTENTIAL');
  });

  it('finding elements on a page is a vertical of searching the page (POTENTIAL)', () => {
    const candidate = tool('observe', 'Find interactive elements on the page from an instruction', {
      instruction: 'string',
    });
    const entry = tool('browser_find', 'Search the current page for text or a regular expression', {
      text: 'string',
    });
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });
});

describe('decision: queried stores on other systems (combination/16)', () => {
  it('an aggregation over a MongoDB collection against a SQL query runner is POTENTIAL', () => {
    const candidate = tool(
      'aggregate',
      'Run an aggregation pipeline against a MongoDB collection',
      { database: 'string', collection: 'string', pipeline: 'array' },
      'mongodb',
    );
    const entry = tool('read_query', 'Execute a SELECT query on the SQLite database', { query: 'string' }, 'sqlite');
    const r = runtimeDimension(extractFeatures(candidate), extractFeatures(entry));
    expect(r.queriedStoreHolds).toBe(true);
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });

  it('a repository holds directories, but it is no queried store: creating one is not creating the other', () => {
    const candidate = tool('create_directory', 'Create a new directory on the local filesystem', { path: 'string' });
    const entry = tool('create_repository', 'Create a new GitHub repository', { name: 'string' }, 'github');
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(entry)).queriedStoreHolds).toBe(false);
  });
});

describe('decision: other entities on other systems (combination/17)', () => {
  const issueComment = tool(
    'add_issue_comment',
    'Add a comment or reaction to a specific issue in a GitHub repository',
    { issue_number: 'number', body: 'string', reaction: 'string' },
    'github',
  );

  it('a reaction to a chat message is not a comment on an issue elsewhere (NONE)', () => {
    const candidate = tool(
      'slack_add_reaction',
      'Add a reaction emoji to a message',
      { channel_id: 'string', reaction: 'string' },
      'slack',
    );
    const r = runtimeDimension(extractFeatures(candidate), extractFeatures(issueComment));
    expect(r.otherSystemOtherEntities).toBe(true);
    expect(decide(candidate, issueComment).outcome).toBe('NONE');
  });

  it('a comment on an issue in another tracker is the same operation elsewhere (POTENTIAL)', () => {
    const candidate = tool(
      'linear_add_comment',
      'Adds a comment to an existing Linear issue',
      { issueId: 'string', body: 'string' },
      'linear',
    );
    expect(runtimeDimension(extractFeatures(candidate), extractFeatures(issueComment)).otherSystemOtherEntities).toBe(
      false,
    );
    expect(decide(candidate, issueComment).outcome).toBe('POTENTIAL');
  });
});

describe('decision: siblings on one system (combination/18)', () => {
  it('"select" names SQL only in a SQL engine’s tool', () => {
    expect(extractFeatures(tool('browser_tabs', 'List, create, close, or select a browser tab')).objects).not.toContain(
      'sql',
    );
    expect(
      extractFeatures(tool('read_query', 'Execute a SELECT query on the database', { query: 'string' }, 'sqlite'))
        .objects,
    ).toContain('sql');
  });

  it('another operation on the same resource is a sibling a reviewer must see (POTENTIAL)', () => {
    const candidate = tool('session_create', 'Create or reuse a browser session and set it as the active tab', {
      sessionId: 'string',
    });
    const entry = tool('browser_tabs', 'List, create, close, or select a browser tab', { action: 'string' });
    expect(decide(candidate, entry).outcome).toBe('POTENTIAL');
  });
});

describe('decision: general tools need inputs in common (combination/19)', () => {
  it('going back in the history is not navigating to a URL (not BLOCKING)', () => {
    const candidate = tool('browser_navigate_back', 'Navigate back to the previous page in the history');
    const entry = tool('navigate', 'Navigate the page to a URL', { url: 'string' });
    expect(decide(candidate, entry).outcome).not.toBe('BLOCKING');
  });

  it('two general tools that take the same input are the same job (BLOCKING)', () => {
    const candidate = tool('navigate', 'Navigate the browser page to a URL', { url: 'string' });
    const entry = tool('browser_navigate', 'Navigate to a URL', { url: 'string' });
    expect(decide(candidate, entry).outcome).toBe('BLOCKING');
  });
});

describe('ranking within a tier', () => {
  it('puts the entry whose description and signature agree most first', () => {
    const candidate = tool('jira_create_issue', 'Create a new issue in Jira with a title and body', {
      title: 'string',
      body: 'string',
    });
    const close = tool('linear_create_issue', 'Create a new issue in Linear with a title and body', {
      title: 'string',
      body: 'string',
    });
    const far = tool('asana_create_task', 'Create a task', { name: 'string' });
    const v = detector.detect(
      extractFeatures(candidate),
      [neighbour('far', far, candidate), neighbour('close', close, candidate)],
      thresholds,
    );
    expect(v.matches[0]?.neighbour.id).toBe('close');
  });
});

describe('the capability key', () => {
  // Same key as the test in generation-run.test.ts: a run named "Get Weather" against an entry
  // whose description barely agrees with it; the words alone would only make it POTENTIAL.
  const candidate = tool('Get Weather', 'Return the current weather for a city', { city: 'string' });
  const entry = tool('get_weather', 'Weather for a city', { city: 'string' });

  it('a run under a key the tenant already uses is BLOCKING, whatever the other dimensions say', () => {
    const n = { ...neighbour('e', entry, candidate), capabilityKey: 'get-weather' };
    const v = detector.detect(extractFeatures(candidate), [n], thresholds, { capabilityKey: 'get-weather' });
    expect(v.outcome).toBe('BLOCKING');
    expect(v.matches[0]?.rules).toContain('the same capability key: a key names one capability per tenant');
  });

  it('screening without a key decides on the dimensions alone', () => {
    const n = { ...neighbour('e', entry, candidate), capabilityKey: 'get-weather' };
    const v = detector.detect(extractFeatures(candidate), [n], thresholds);
    expect(v.matches[0]?.rules ?? []).not.toContain('the same capability key: a key names one capability per tenant');
  });
});
