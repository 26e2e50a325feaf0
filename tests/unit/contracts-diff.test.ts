import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The command as a user runs it: `npm run -s contracts:diff -- OLD.json NEW.json`. */

const root = resolve(__dirname, '../..');
let dir: string;

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function run(...args: string[]) {
  const r = spawnSync('npm', ['run', '-s', 'contracts:diff', '--', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const v1 = {
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  outputSchema: { type: 'object', properties: { temperature: { type: 'integer' } }, required: ['temperature'] },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'contracts-diff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run -s contracts:diff', () => {
  it('prints only the report and exits 0 for a breaking change', () => {
    const v2 = {
      inputSchema: {
        ...v1.inputSchema,
        properties: { ...v1.inputSchema.properties, units: { type: 'string' } },
        required: ['city', 'units'],
      },
      outputSchema: { ...v1.outputSchema, properties: { temperature: { type: 'number' } } },
    };
    const r = run(file('old.json', v1), file('new-breaking.json', v2));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['breaking', 'findings']);
    expect(report.breaking).toBe(true);
    expect(report.findings).toEqual([
      {
        rule: 'property-added',
        path: '#/properties/units',
        direction: 'input',
        breaking: false,
        old: null,
        new: { type: 'string' },
      },
      { rule: 'required-added', path: '#/required/units', direction: 'input', breaking: true, old: false, new: true },
      {
        rule: 'type-widened',
        path: '#/properties/temperature/type',
        direction: 'output',
        breaking: true,
        old: ['integer'],
        new: ['number'],
      },
    ]);
  });

  it('exits 0 and still reports the findings of a compatible change', () => {
    const v2 = {
      ...v1,
      inputSchema: { ...v1.inputSchema, properties: { ...v1.inputSchema.properties, units: { type: 'string' } } },
    };
    const r = run(file('old.json', v1), file('new-compatible.json', v2));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      breaking: false,
      findings: [
        {
          rule: 'property-added',
          path: '#/properties/units',
          direction: 'input',
          breaking: false,
          old: null,
          new: { type: 'string' },
        },
      ],
    });
  });

  it.each([
    ['a missing file', () => [file('old.json', v1), join(dir, 'missing.json')], /NEW file .*missing\.json/],
    ['malformed JSON', () => [file('bad.json', '{"inputSchema": '), file('new.json', v1)], /not valid JSON/],
    ['no outputSchema', () => [file('old.json', v1), file('half.json', { inputSchema: {} })], /no "outputSchema"/],
    [
      'a schema that is not an object',
      () => [file('old.json', v1), file('arr.json', { inputSchema: [], outputSchema: {} })],
      /"inputSchema" must be a JSON Schema object/,
    ],
    ['one argument', () => [file('old.json', v1)], /expected two files/],
  ])('exits non-zero with a clear message on %s, printing nothing on stdout', (_name, args, message) => {
    const r = run(...(args as () => string[])());
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
