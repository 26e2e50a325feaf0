import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The processes `npm run dev` started. Each runs in its own process group (so the terminal's
 * Ctrl-C reaches only this script, which then stops them in reverse start order) and its output
 * is copied line by line with a `[name]` prefix.
 *
 * Each child runs under a small shell guard (`GUARD`) whose stdin is a pipe from this script: when
 * this script ends in any way — a second Ctrl-C, SIGTERM to npm, SIGKILL, a crash — the pipe closes
 * and the guard stops its child (SIGTERM, then SIGKILL after 10 s). No child, the Temporal dev
 * server included, outlives `npm run dev`.
 *
 * A child that exits by itself is restarted (with a growing pause) unless it keeps dying: more
 * than `MAX_RESTARTS` times within `RESTART_WINDOW_MS` stops the whole stack with the reason.
 */

const STOP_GRACE_MS = 10_000;
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * `sh -c GUARD guard <command> <args...>`: runs the command in the background (its stdin is then
 * /dev/null), forwards TERM/INT to it, and stops it when its own stdin (the pipe from dev.ts, kept
 * as fd 3 because a background list's stdin is /dev/null) reaches end of file.
 */
export const GUARD = `
exec 3<&0
"$@" 3<&- &
child=$!
{ cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null; sleep 10; kill -KILL "$child" 2>/dev/null; } &
watcher=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
exit "$status"
`;

interface Spec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  restart: boolean;
}

interface Started {
  spec: Spec;
  child: ChildProcess;
  exited: Promise<void>;
  restarts: number[];
}

export class Children {
  private readonly started: Started[] = [];
  private stopping = false;

  /**
   * `onUnexpectedExit` runs when a child ends before `stopAll` asked it to and is not restarted;
   * `log` tells about restarts.
   */
  constructor(
    private readonly onUnexpectedExit: (name: string, how: string) => void,
    private readonly log: (message: string) => void = (m) => console.log(`[dev] ${m}`),
  ) {}

  start(
    name: string,
    command: string,
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; restart?: boolean } = {},
  ): ChildProcess {
    const spec: Spec = { name, command, args, env: opts.env ?? process.env, restart: opts.restart ?? true };
    const entry: Started = { spec, child: null as unknown as ChildProcess, exited: Promise.resolve(), restarts: [] };
    this.started.push(entry);
    this.spawn(entry);
    return entry.child;
  }

  private spawn(entry: Started): void {
    const { name, command, args, env } = entry.spec;
    const child = spawn('sh', ['-c', GUARD, `guard:${name}`, command, ...args], {
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The write end stays open for as long as this process lives; nothing is ever written to it.
    child.stdin?.on('error', () => undefined);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
    }
    entry.child = child;
    entry.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (!this.stopping) this.onUnexpectedExit(name, `could not start: ${err.message}`);
        resolve();
      });
      child.once('exit', (code, signal) => {
        resolve();
        if (this.stopping) return;
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        this.restartOrGiveUp(entry, how);
      });
    });
  }

  private restartOrGiveUp(entry: Started, how: string): void {
    const now = Date.now();
    entry.restarts = entry.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (!entry.spec.restart || entry.restarts.length >= MAX_RESTARTS) {
      const why = entry.spec.restart ? `${how} (${MAX_RESTARTS} restarts within a minute)` : how;
      this.onUnexpectedExit(entry.spec.name, why);
      return;
    }
    entry.restarts.push(now);
    const pauseMs = Math.min(10_000, 500 * 2 ** (entry.restarts.length - 1));
    this.log(`${entry.spec.name} ${how}; restarting in ${pauseMs / 1000} s`);
    setTimeout(() => {
      if (!this.stopping) this.spawn(entry);
    }, pauseMs);
  }

  /** SIGTERM each process group, newest first; SIGKILL what is still there after 10 s. */
  async stopAll(log: (message: string) => void): Promise<void> {
    this.stopping = true;
    for (const { spec, child } of [...this.started].reverse()) {
      if (child.pid === undefined || !groupAlive(child.pid)) continue;
      log(`stopping ${spec.name} (pid ${child.pid})`);
      signalGroup(child.pid, 'SIGTERM');
      if (!(await waitForGroupExit(child.pid, STOP_GRACE_MS))) {
        log(`${spec.name} did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`);
        signalGroup(child.pid, 'SIGKILL');
        await waitForGroupExit(child.pid, 2_000);
      }
    }
  }

  /** Second Ctrl-C: no more waiting. */
  killAll(): void {
    this.stopping = true;
    for (const { child } of this.started) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !groupAlive(pgid);
}
