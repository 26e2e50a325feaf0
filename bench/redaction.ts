import { performance } from 'node:perf_hooks';
import { redact } from '../domain/prompts/redact';

/**
 * `npm run bench:redaction`: redaction throughput on adversarial text, and whether it stays linear
 * (the time per MB at 256 kB, 512 kB and 1 MB should be flat). Each shape attacks one pattern
 * family with near-misses that a backtracking engine would rescan from every position.
 * The reference is the old email rule, `[A-Za-z0-9._%+-]+@…`, which took ~10 s on 60 kB.
 */

const SHAPES: Record<string, (n: number) => string> = {
  'email near-miss (no @ in a long local part)': (n) => 'a.'.repeat(n / 2),
  'many @ without a domain': (n) => 'x@'.repeat(n / 2),
  'BEGIN lines without END': (n) => '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(n / 32),
  'Bearer / Basic near-misses': (n) => 'Bearer abc Basic ab '.repeat(n / 20),
  'assignment near-misses': (n) => 'password=token=secret:key= '.repeat(n / 27),
  'entropy candidates just too short': (n) => 'aB3dE5gH7jK9mN1pQ3 '.repeat(n / 19),
  'one key-like token run': (n) => 'Zq8'.repeat(n / 3),
  'URL user:pass without @': (n) => 'https://user:pass'.repeat(n / 17),
  'JWT-like dots': (n) => 'eyJaaaaaaaaa.'.repeat(n / 13),
  mixed: (n) => {
    const parts = ['a.b.c.', 'x@y', '-----BEGIN PRIVATE KEY-----', 'sk-', 'ghp_', 'AKIA', 'Bearer ', 'key=', ' '];
    let s = '';
    for (let i = 0; s.length < n; i++) s += parts[(i * 7) % parts.length];
    return s.slice(0, n);
  },
};

function time(text: string): number {
  const start = performance.now();
  redact(text);
  return performance.now() - start;
}

const MB = 1024 * 1024;
const sizes = [MB / 4, MB / 2, MB];
console.log('redaction on adversarial text (ms; MB/s at 1 MB; ms per MB at each size: flat = linear)\n');
console.log(['shape'.padEnd(46), '256kB', '512kB', '1MB', 'MB/s', 'ms/MB 256k→1M'].join('  '));
let worst = Infinity;
for (const [name, make] of Object.entries(SHAPES)) {
  const ms = sizes.map((n) => {
    const text = make(n);
    time(text.slice(0, 1000)); // warm up
    return Math.min(time(text), time(text));
  });
  const mbps = 1 / (ms[2]! / 1000);
  worst = Math.min(worst, mbps);
  const perMb = ms.map((m, i) => (m / (sizes[i]! / MB)).toFixed(0));
  console.log(
    [name.padEnd(46), ...ms.map((m) => m.toFixed(1).padStart(5)), mbps.toFixed(1).padStart(5), perMb.join('→')].join(
      '  ',
    ),
  );
}
console.log(`\nworst-case throughput on 1 MB: ${worst.toFixed(1)} MB/s`);

// Reference: the email rule this replaced, on the same near-miss shape (quadratic: 2x text, 4x time).
const OLD_EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
const old = [16, 32].map((kb) => {
  const text = 'a.'.repeat((kb * 1024) / 2);
  const start = performance.now();
  text.replace(OLD_EMAIL, '');
  return `${kb} kB ${(performance.now() - start).toFixed(0)} ms`;
});
console.log(`reference, the old email rule on the near-miss shape: ${old.join(', ')} (quadratic)`);
