import { heapGrowingFlag, loadOperationsConfig } from '../../lib/operations-config';
import { withoutSourcesContent } from '../../worker';

/** The worker's memory settings: the heap growing factor it sets, and the bundle it loads. */

describe('worker heap growing factor', () => {
  it('defaults to 20 % and becomes the V8 flag worker.ts sets at startup', () => {
    const ops = loadOperationsConfig({}, 2);
    expect(ops.workerHeapGrowingPercent).toBe(20);
    expect(heapGrowingFlag(ops.workerHeapGrowingPercent)).toBe('--heap-growing-percent=20');
  });

  it("leaves V8's own factor when set to 0 (the bench's --sdk-defaults reference)", () => {
    const ops = loadOperationsConfig({ WORKER_HEAP_GROWING_PERCENT: '0' }, 2);
    expect(ops.workerHeapGrowingPercent).toBe(0);
    expect(heapGrowingFlag(0)).toBeNull();
  });

  it.each(['-1', '301', '2.5', 'lots'])('refuses WORKER_HEAP_GROWING_PERCENT=%s, naming the variable', (value) => {
    expect(() => loadOperationsConfig({ WORKER_HEAP_GROWING_PERCENT: value }, 2)).toThrow(
      /WORKER_HEAP_GROWING_PERCENT/,
    );
  });
});

const PREFIX = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
const encode = (map: object) => Buffer.from(JSON.stringify(map)).toString('base64');
const decode = (code: string) =>
  JSON.parse(Buffer.from(code.slice(code.lastIndexOf(PREFIX) + PREFIX.length).trim(), 'base64').toString('utf8'));

describe('the workflow bundle the worker loads', () => {
  const map = {
    version: 3,
    file: 'workflow-bundle-abc.js',
    sources: ['/app/workflows/generation-run.ts'],
    sourcesContent: ['export async function generationRun() { /* … the TypeScript — all of it */ }'],
    names: ['generationRun'],
    mappings: 'AAAA,SAAS',
  };
  const code = 'var __TEMPORAL__;\n/* the bundle — with a non-ASCII comment */\n';

  it('keeps the code and every field of the inline source map but sourcesContent', () => {
    const slim = withoutSourcesContent(`${code}${PREFIX}${encode(map)}\n`, '/srv/workflow-bundle.js');
    expect(slim.startsWith(`${code}${PREFIX}`)).toBe(true);
    const { sourcesContent, ...kept } = map;
    expect(sourcesContent).toHaveLength(1);
    expect(decode(slim)).toEqual({ ...kept, file: '/srv/workflow-bundle.js' });
    expect(slim.length).toBeLessThan(`${code}${PREFIX}${encode(map)}\n`.length);
  });

  it('returns a bundle without an inline source map unchanged (the SDK then refuses it itself)', () => {
    expect(withoutSourcesContent(code)).toBe(code);
  });
});
