import { canonicalJson, deterministicUuid, sha256Hex } from '../../domain/deterministic-id';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministicUuid', () => {
  it.each<Array<string | number>>([['run-1'], ['run-1', 'DUPLICATE_CHECKED'], ['prompt-run', 'openai', 3], [''], []])(
    'is a version-8, RFC-variant UUID and the same every time for %j',
    (...parts) => {
      const id = deterministicUuid(...parts);
      expect(id).toMatch(UUID_V8);
      expect(deterministicUuid(...parts)).toBe(id);
    },
  );

  it.each<[Array<string | number>, Array<string | number>]>([
    [['run-1'], ['run-2']],
    [
      ['run-1', 'A'],
      ['run-1', 'B'],
    ],
    [
      ['a', 'b'],
      ['b', 'a'],
    ],
    [['ab'], ['a', 'b']],
    [
      ['run-1', 1],
      ['run-1', 2],
    ],
    [['run-1'], ['run-1', 'x']],
  ])('differs for %j and %j', (a, b) => {
    expect(deterministicUuid(...a)).not.toBe(deterministicUuid(...b));
  });

  it('does not collide over many distinct inputs', () => {
    const ids = new Set(Array.from({ length: 5000 }, (_, i) => deterministicUuid('run', i)));
    expect(ids.size).toBe(5000);
  });
});

describe('sha256Hex', () => {
  it('hashes text to lower-case hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    const a = { b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } };
    const b = { a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it.each<[unknown, string]>([
    ['x', '"x"'],
    [1.5, '1.5'],
    [null, 'null'],
    [true, 'true'],
    [[], '[]'],
    [{}, '{}'],
    [{ u: undefined, n: 1 }, '{"n":1}'],
    [{ d: new Date('2024-01-02T03:04:05.000Z') }, '{"d":"2024-01-02T03:04:05.000Z"}'],
  ])('serializes %j as %s', (value, json) => {
    expect(canonicalJson(value)).toBe(json);
  });

  it('round-trips to an equal value', () => {
    const v = { z: [1, 'two', { three: 3 }], a: { nested: true } };
    expect(JSON.parse(canonicalJson(v))).toEqual(v);
  });
});
