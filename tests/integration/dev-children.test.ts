import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Children } from '../../scripts/dev/children';

/**
 * `npm run dev`'s process keeping (scripts/dev/children.ts), with real processes: a child that dies
 * is restarted, and no child outlives the script, however the script ends.
 */

const ROOT = path.resolve(__dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command a guard runs: its only child process. */
function guardedPid(guardPid: number): number | null {
  try {
    const out = execFileSync('pgrep', ['-P', String(guardPid), '-x', 'sleep'], { encoding: 'utf8' });
    const pid = Number(out.trim().split('\n')[0]);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Pids of `sleep <seconds>` processes; none is an empty list, not an error. */
function sleepPids(seconds: string): number[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-x', 'sleep'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .trim()
    .split('\n')
    .map(Number)
    .filter((p) => {
      try {
        return execFileSync('ps', ['-o', 'args=', '-p', String(p)], { encoding: 'utf8' }).trim() === `sleep ${seconds}`;
      } catch {
        return false; // exited between pgrep and ps
      }
    });
}

async function eventually<T>(what: string, probe: () => T | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run dev keeps its children', () => {
  it('restarts a child that dies by itself, and stops it on stopAll', async () => {
    const gaveUp: string[] = [];
    const logs: string[] = [];
    const children = new Children(
      (name, how) => gaveUp.push(`${name} ${how}`),
      (m) => logs.push(m),
    );
    const first = children.start('sleeper', 'sleep', ['300']);
    try {
      const firstSleep = await eventually('the first sleep', () => guardedPid(first.pid!));
      process.kill(firstSleep, 'SIGKILL');
      await eventually('a restart', () => logs.some((l) => /sleeper killed by SIGKILL|exited with code 137/.test(l)));
      // During the restart pause there may be no `sleep` at all: pgrep then exits 1, which is "not yet".
      const secondSleep = await eventually(
        'the restarted sleep',
        () => sleepPids('300').find((p) => p !== firstSleep) ?? null,
      );
      expect(gaveUp).toEqual([]);
      await children.stopAll(() => undefined);
      await eventually('the restarted sleep to stop', () => !alive(secondSleep));
    } finally {
      // A failed assertion must not leave a restarting child behind: it would keep Jest alive.
      children.killAll();
    }
  }, 30_000);

  it('stops every child when the dev script is killed outright (SIGKILL, no handler runs)', async () => {
    const script = `
      const { Children } = require(${JSON.stringify(path.join(ROOT, 'scripts/dev/children.ts'))});
      const c = new Children(() => undefined, () => undefined);
      const child = c.start('sleeper', 'sleep', ['301']);
      console.log('guard', child.pid);
      setInterval(() => undefined, 1000);
    `;
    const dev = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const guardPid = await new Promise<number>((resolve, reject) => {
        createInterface({ input: dev.stdout! }).on('line', (line) => {
          const m = /^guard (\d+)$/.exec(line);
          if (m) resolve(Number(m[1]));
        });
        dev.once('exit', () => reject(new Error('the dev stand-in exited early')));
      });
      const sleepPid = await eventually('the guarded sleep', () => guardedPid(guardPid));
      dev.kill('SIGKILL');
      await eventually('the guarded sleep to stop', () => !alive(sleepPid));
      await eventually('the guard to exit', () => !alive(guardPid));
    } finally {
      if (dev.exitCode === null && dev.signalCode === null) dev.kill('SIGKILL');
    }
  }, 30_000);
});
