/**
 * The chaos test's worker processes: each is `kstream run <app>` (a supervisor and the application
 * in its child process, see src/cli/supervise.ts). Faults go to the application process itself:
 * SIGKILL (the supervisor then exits too) and SIGSTOP/SIGCONT, which the application cannot see.
 * Output goes to `<dir>/worker-<i>.log`, appended across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KSTREAM_CLI = `${ROOT}bin/kstream.js`;
export const CHAOS_APP = `${ROOT}test/chaos/chaos-app.ts`;

export interface WorkerSettings {
  readonly dir: string;
  readonly brokers: string;
  readonly prefix: string;
  readonly guarantee: string;
  /** A .properties file with the run's settings. */
  readonly configFile: string;
}

export class Worker {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly logFile: WriteStream;
  starts = 0;
  /** Exits that neither kill() nor stop() caused. */
  selfExits = 0;
  /** kill() or stop() is under way: the exit is ours. */
  stopping = false;

  constructor(
    readonly index: number,
    private readonly settings: WorkerSettings,
  ) {
    this.logFile = createWriteStream(join(settings.dir, `worker-${index}.log`), { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get logPath(): string {
    return join(this.settings.dir, `worker-${this.index}.log`);
  }

  start(): void {
    if (this.running) return;
    const s = this.settings;
    const child = spawn(
      process.execPath,
      [KSTREAM_CLI, 'run', CHAOS_APP, '--brokers', s.brokers, '--state-dir', join(s.dir, `state-${this.index}`), '--config', s.configFile, '--guarantee', s.guarantee, '--no-status'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KSTREAM_CHAOS_PREFIX: s.prefix, KSTREAM_LOG_LEVEL: 'info' } },
    );
    this.starts++;
    this.logFile.write(`=== chaos: start #${this.starts} (pid ${child.pid}) at ${new Date().toISOString()}\n`);
    child.stdout!.pipe(this.logFile, { end: false });
    child.stderr!.pipe(this.logFile, { end: false });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        if (!this.stopping) this.selfExits++;
        this.logFile.write(`=== chaos: pid ${child.pid} exited (${signal ?? `code ${code}`}) at ${new Date().toISOString()}\n`);
        resolve();
      }),
    );
    this.child = child;
  }

  /** The application process (the supervisor's child), once it is there. */
  appPid(): number | undefined {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return undefined;
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return children.length > 0 ? Number(children[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL the application (and its supervisor); resolves once the supervisor has exited. */
  async kill(): Promise<void> {
    const app = this.appPid();
    this.logFile.write(`=== chaos: SIGKILL application pid ${app ?? '(not started yet)'} at ${new Date().toISOString()}\n`);
    this.stopping = true;
    if (app !== undefined) signal(app, 'SIGKILL');
    if (this.child !== null) signal(this.child.pid!, 'SIGKILL');
    await this.exited;
    this.stopping = false;
  }

  /** SIGSTOP the application; returns a function that continues it (or undefined when there is none yet). */
  pause(): (() => void) | undefined {
    const app = this.appPid();
    if (app === undefined) return undefined;
    this.logFile.write(`=== chaos: SIGSTOP application pid ${app} at ${new Date().toISOString()}\n`);
    signal(app, 'SIGSTOP');
    return () => {
      this.logFile.write(`=== chaos: SIGCONT application pid ${app} at ${new Date().toISOString()}\n`);
      signal(app, 'SIGCONT');
    };
  }

  /** SIGTERM (a clean stop with a final commit); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    const app = this.appPid();
    if (app !== undefined) signal(app, 'SIGCONT');
    this.stopping = true;
    signal(this.child!.pid!, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const clean = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    if (!clean) await this.kill();
    this.stopping = false;
    return clean;
  }

  close(): void {
    this.logFile.end();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}
