import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The processes `npm run dev` started. Each runs in its own process group (so the terminal's
 * Ctrl-C reaches only this script, which then stops them in reverse start order) and its output
 * is copied line by line with a `[name]` prefix.
 */

const STOP_GRACE_MS = 10_000;

interface Started {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

export class Children {
  private readonly started: Started[] = [];
  private stopping = false;

  /** `onUnexpectedExit` runs when a child ends before `stopAll` asked it to. */
  constructor(private readonly onUnexpectedExit: (name: string, how: string) => void) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
    }
    const exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (!this.stopping) this.onUnexpectedExit(name, `could not start: ${err.message}`);
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.onUnexpectedExit(name, signal ? `killed by ${signal}` : `exited with code ${code}`);
        resolve();
      });
    });
    this.started.push({ name, child, exited });
    return child;
  }

  /** SIGTERM each process group, newest first; SIGKILL what is still there after 10 s. */
  async stopAll(log: (message: string) => void): Promise<void> {
    this.stopping = true;
    for (const { name, child } of [...this.started].reverse()) {
      if (child.pid === undefined || !groupAlive(child.pid)) continue;
      log(`stopping ${name} (pid ${child.pid})`);
      signalGroup(child.pid, 'SIGTERM');
      if (!(await waitForGroupExit(child.pid, STOP_GRACE_MS))) {
        log(`${name} did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`);
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
