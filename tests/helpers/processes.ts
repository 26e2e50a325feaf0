import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { temporalCliPath } from '../../lib/tools';
import { canConnect, waitUntil } from '../../scripts/dev/wait';
import { devServerArgs, ensureSearchAttributes } from '../../scripts/dev/temporal';
import { sparePort } from './pg-cluster';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A process of ours (worker, API) or Temporal's, started for real on loopback, its output in a log
 * file (named in failures). `exits` counts every exit, so a test can assert that none happened.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  exits: Array<{ code: number | null; signal: NodeJS.Signals | null; expected: boolean }> = [];
  private expecting = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  /** `node --import tsx <script>`: the script is the process (no npx/tsx wrapper whose pid differs). */
  static node(
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    logFile: string,
    nodeFlags: readonly string[] = [],
  ): ServiceProcess {
    return new ServiceProcess(
      name,
      process.execPath,
      [...nodeFlags, '--import', 'tsx', path.join(ROOT, script)],
      env,
      logFile,
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Exits nobody asked for. */
  get unexpectedExits(): number {
    return this.exits.filter((e) => !e.expected).length;
  }

  start(): void {
    this.expecting = false;
    this.log.write(`\n--- ${new Date().toISOString()} starting ${this.name}\n`);
    const child = spawn(this.command, this.args, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exits.push({ code, signal, expected: this.expecting });
        this.log.write(`--- ${this.name} exited: code ${code} signal ${signal}\n`);
        resolve();
      });
    });
  }

  /** SIGSTOP freezes the process (its sockets stay open and answer nothing); SIGCONT resumes it. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the exit, SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.child || !this.running) return;
    this.expecting = true;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop('SIGTERM', 5_000);
    await new Promise((resolve) => this.log.end(resolve));
  }
}

/**
 * A Temporal dev server as a process of the test's own: a fixed spare port and a SQLite file, so
 * stopping and starting it keeps every workflow (a restart, not a new server). Headless.
 */
export class TemporalProcess {
  readonly process: ServiceProcess;

  private constructor(
    readonly port: number,
    readonly namespace: string,
    dbFile: string,
    logFile: string,
  ) {
    const cli = temporalCliPath();
    if (!cli) throw new Error('the Temporal CLI is not installed: run `npm run setup`');
    const args = [
      ...devServerArgs({ port, uiPort: port + 1, namespace, dbFile }),
      '--headless',
      '--log-level',
      'error',
    ];
    this.process = new ServiceProcess('temporal', cli, args, process.env, logFile);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(dir: string, namespace = 'default'): Promise<TemporalProcess> {
    const t = new TemporalProcess(
      await sparePort(),
      namespace,
      path.join(dir, 'temporal.db'),
      path.join(dir, 'temporal.log'),
    );
    await t.start();
    await ensureSearchAttributes(t.address, namespace);
    return t;
  }

  async start(): Promise<void> {
    this.process.start();
    await waitUntil(`Temporal on ${this.address}`, () => canConnect('127.0.0.1', this.port), 60_000);
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM');
  }
}
