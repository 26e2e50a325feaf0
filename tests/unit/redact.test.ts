import { MAX_JSON_DEPTH, MAX_REDACTION_INPUT, mergeCounts, redact, redactJson } from '../../domain/prompts/redact';
import { PLANTED_SECRETS } from './redact-secrets';

// Built by concatenation so the fixtures themselves do not look like live secrets to scanners.
const openAiKey = 'sk-' + 'proj-' + 'Abc123def456GHI789jkl012';
const githubToken = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const slackToken = 'xoxb-' + '123456789012-abcdefABCDEF';
const awsKey = 'AKIA' + 'IOSFODNN7EXAMPLE';
const jwt = 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiJhbGljZSJ9' + '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const privateKey = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAx1',
  'q2w3e4r5t6y7',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('redact', () => {
  it.each([
    ['an OpenAI-style key', `use ${openAiKey} for calls`, 'api-key', openAiKey, 'use [REDACTED:api-key] for calls'],
    ['a GitHub token', `token ${githubToken} here`, 'github-token', githubToken, 'token [REDACTED:github-token] here'],
    ['a Slack token', `slack ${slackToken}.`, 'slack-token', slackToken, 'slack [REDACTED:slack-token].'],
    ['an AWS access key', `key ${awsKey} ok`, 'aws-access-key', awsKey, 'key [REDACTED:aws-access-key] ok'],
    ['a JWT', `jwt ${jwt} end`, 'jwt', jwt, 'jwt [REDACTED:jwt] end'],
    [
      'a Bearer token, keeping the scheme',
      'Authorization: Bearer abcdef0123456789ABCDEF==',
      'bearer-token',
      'abcdef0123456789ABCDEF',
      'Authorization: Bearer [REDACTED:token]',
    ],
    [
      'a private key block',
      `key:\n${privateKey}\nafter`,
      'private-key',
      'MIIEowIBAAKCAQEAx1',
      'key:\n[REDACTED:private-key]\nafter',
    ],
    [
      'a password assignment',
      'password=hunter22 and more',
      'secret-assignment',
      'hunter22',
      'password=[REDACTED:secret] and more',
    ],
    [
      'a quoted secret assignment',
      'client_secret: "s3cr3t-value"',
      'secret-assignment',
      's3cr3t-value',
      'client_secret: [REDACTED:secret]',
    ],
    [
      'a connection string password, keeping user and host',
      'DATABASE_URL postgres://admin:s3cretPw@db.internal:5432/app',
      'connection-string-password',
      's3cretPw',
      'DATABASE_URL postgres://admin:[REDACTED:password]@db.internal:5432/app',
    ],
    [
      'an email address',
      'write to jane.doe+ops@example.co.uk today',
      'email',
      'jane.doe',
      'write to [REDACTED:email] today',
    ],
  ])('redacts and counts %s', (_title, input, kind, secret, expected) => {
    const r = redact(input);
    expect(r.text).toBe(expected);
    expect(r.text).not.toContain(secret);
    expect(r.counts).toEqual({ [kind]: 1 });
  });

  it('counts every occurrence of a kind', () => {
    const r = redact('a@example.com, b@example.com and c@example.org');
    expect(r.counts).toEqual({ email: 3 });
    expect(r.text).toBe('[REDACTED:email], [REDACTED:email] and [REDACTED:email]');
  });

  it('counts a JWT sent as a Bearer token once, as a JWT', () => {
    const r = redact(`Authorization: Bearer ${jwt}`);
    expect(r.text).toBe('Authorization: Bearer [REDACTED:jwt]');
    expect(r.counts).toEqual({ jwt: 1 });
  });

  it('does not mistake the host of a redacted connection string for an email', () => {
    const r = redact('postgres://svc:pw1234@db.example.com/app');
    expect(r.counts).toEqual({ 'connection-string-password': 1 });
    expect(r.text).toContain('@db.example.com/app');
  });

  it.each([
    'Fetch the current weather for a city and return the temperature in Celsius.',
    'Use the task-management API; v1.2.3 of the risk-assessment tool; see https://example.com/docs.',
    'The bearer of this request is the admin.',
    'Return {"status": 200, "items": []} when nothing matches.',
    '',
  ])('leaves ordinary text untouched: %j', (text) => {
    expect(redact(text)).toEqual({ text, counts: {} });
  });
});

describe('redactJson', () => {
  it('redacts strings and keys at any depth and keeps numbers, booleans and nulls', () => {
    const input = {
      type: 'object',
      'contact@example.com': 'key redacted too',
      properties: {
        token: { type: 'string', default: `Bearer ${'z'.repeat(20)}`, examples: [openAiKey, 'plain'] },
        retries: { type: 'integer', default: 3 },
        enabled: { type: 'boolean', default: false },
        nothing: null,
      },
    };
    const before = structuredClone(input);
    const { value, counts } = redactJson(input);
    expect(value).toEqual({
      type: 'object',
      '[REDACTED:email]': 'key redacted too',
      properties: {
        token: { type: 'string', default: 'Bearer [REDACTED:token]', examples: ['[REDACTED:api-key]', 'plain'] },
        retries: { type: 'integer', default: 3 },
        enabled: { type: 'boolean', default: false },
        nothing: null,
      },
    });
    expect(counts).toEqual({ 'bearer-token': 1, 'api-key': 1, email: 1 });
    expect(input).toEqual(before);
  });

  it('adds to the counts it is given', () => {
    const counts = { email: 2 };
    const r = redactJson(['x@example.com', ['y@example.com']], counts);
    expect(r.counts).toBe(counts);
    expect(counts).toEqual({ email: 4 });
  });

  it.each([[42], [null], [true], ['plain']])('returns the scalar %j as it is', (v) => {
    expect(redactJson(v)).toEqual({ value: v, counts: {} });
  });
});

describe('mergeCounts', () => {
  it('sums counts by kind, sorted by kind', () => {
    expect(mergeCounts({ jwt: 1, email: 2 }, {}, { email: 1, 'api-key': 1 })).toEqual([
      { kind: 'api-key', count: 1 },
      { kind: 'email', count: 3 },
      { kind: 'jwt', count: 1 },
    ]);
  });
});

describe('redact: every secret kind', () => {
  it.each(PLANTED_SECRETS.map((p) => [p.kind, p] as const))('redacts %s', (_kind, planted) => {
    const r = redact(`before ${planted.text} after`);
    expect(r.text).not.toContain(planted.needle);
    expect(r.text).toMatch(/^before .*\[REDACTED:[a-z-]+\].* after$/s);
    expect(r.counts[planted.kind]).toBeGreaterThanOrEqual(1);
  });

  it('redacts all of them in one text, and again is a no-op', () => {
    const text = PLANTED_SECRETS.map((p) => p.text).join('\n');
    const once = redact(text);
    for (const p of PLANTED_SECRETS) expect(once.text).not.toContain(p.needle);
    expect(redact(once.text)).toEqual({ text: once.text, counts: {} });
  });

  it.each([
    ['a quoted passphrase with spaces', 'password="correct horse battery staple"', 'correct horse'],
    ['a JSON-style secret field', '{"password": "hunter22"}', 'hunter22'],
    ['a connection string with an empty user name', 'redis://:s3cretpw@localhost:6379/0', 's3cretpw'],
    [
      'a key block without its END line',
      '-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkq\nhkiG9w0BAQEF',
      'MIIBVgIBADANBgkq',
    ],
    [
      'an encrypted PEM with headers',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAbCdEf0123',
      'AbCdEf0123',
    ],
  ])('redacts %s', (_title, input, secret) => {
    expect(redact(input).text).not.toContain(secret);
  });

  it('leaves prose about authentication alone', () => {
    const text = 'Basic authentication and Bearer tokens are both supported by the upstream API.';
    expect(redact(text)).toEqual({ text, counts: {} });
  });

  it('replaces oversized input whole instead of matching patterns on it', () => {
    const r = redact('a'.repeat(MAX_REDACTION_INPUT + 1));
    expect(r).toEqual({ text: '[REDACTED:oversized-text]', counts: { 'oversized-text': 1 } });
  });

  it('redacts secrets in object keys and caps the depth it walks', () => {
    const key = PLANTED_SECRETS[0]!.text;
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) cur = (cur.next = {}) as Record<string, unknown>;
    const { value } = redactJson({ properties: { [key]: { type: 'string' } }, deep });
    expect(JSON.stringify(value)).not.toContain(PLANTED_SECRETS[0]!.needle);
    expect(JSON.stringify(value)).toContain('[REDACTED:too-deep]');
  });
});
