/**
 * `kstream run` runs the application in a child process and stays as its supervisor, so that
 * SIGTERM and Ctrl-C end it within seconds even while its main thread is stuck in user code
 * (which no signal handler of that thread can interrupt):
 *
 * - A signal is passed on to the child (which commits and stops) and announced on the control
 *   channel, a socket at the child's fd 3 read by its watchdog thread (src/runtime/watchdog.ts):
 *   if the child's main thread is blocked, the watchdog ends the child after a short grace,
 *   naming the record it is stuck on. A second signal kills the child at once; one that has not
 *   stopped STOP_TIMEOUT_MS after the signal is killed too. Killed, it commits nothing past its
 *   last commit.
 * - The child's watchdog reports on the channel before ending the child ("watchdog": a record
 *   timed out, exit 1; "stuck": stopped by a signal); its line on stderr is then the only one.
 * - If the supervisor dies, the channel closes and the child's watchdog ends the child.
 * - Job control: SIGTSTP (Ctrl-Z) stops the child, then the supervisor; SIGCONT continues both.
 *   SIGSTOP, which cannot be caught, stops the supervisor only: pause the application with SIGTSTP.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';

/** The child's fd of the control channel (passed in KSTREAM_CONTROL_FD). */
export const CONTROL_FD = 3;
const STOP_TIMEOUT_MS = 30_000;

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ((constants.signals as Record<string, number>)[signal] ?? 1);
}

/** Spawn options giving a child the control channel; other fds as in `stdio`. */
export function withControlChannel(options: Omit<SpawnOptions, 'stdio' | 'env'>, stdio: Array<'ignore' | 'inherit' | 'pipe'>, env: NodeJS.ProcessEnv): SpawnOptions {
  return { ...options, stdio: [...stdio, 'pipe'], env: { ...env, KSTREAM_CONTROL_FD: String(CONTROL_FD) } };
}

/** What a child's watchdog reported on the control channel before it ended the child. */
export type ControlReport = 'watchdog' | 'stuck' | null;

/** Listens to a child's control channel; `requestStop` announces a signal to its watchdog. */
export class ControlChannel {
  report: ControlReport = null;
  private readonly socket: Socket | null;
  private readonly closed: Promise<void>;

  constructor(child: ChildProcess) {
    this.socket = (child.stdio[CONTROL_FD] as Socket | undefined) ?? null;
    const socket = this.socket;
    if (socket === null) {
      this.closed = Promise.resolve();
      return;
    }
    socket.on('data', (d: Buffer) => {
      const text = d.toString();
      if (text.includes('watchdog')) this.report = 'watchdog';
      else if (text.includes('stuck')) this.report = 'stuck';
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  requestStop(): void {
    if (this.socket !== null && !this.socket.destroyed) this.socket.write('stop\n');
  }

  /** Waits (briefly) for what the child wrote before it ended. */
  async drained(): Promise<void> {
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 500).unref())]);
    this.socket?.destroy();
  }
}

/**
 * `kstream run` without --workers, not itself a supervised child: run it supervised. bin/kstream.js
 * asks before it loads the rest of the CLI, so that the supervisor starts fast and stays small.
 */
export function isSupervisedRun(args: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (args[0] !== 'run' || env.KSTREAM_CONTROL_FD !== undefined) return false;
  return !args.some((a) => a.startsWith('--workers') || a.startsWith('--worker-index') || a === '--help' || a === '-h');
}

/** Runs `kstream <args>` (this script) as a supervised child; resolves with the exit code to give. */
export function runSupervised(args: readonly string[]): Promise<number> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1]!, ...args],
    // Its own process group: a Ctrl-C on the terminal reaches the supervisor only, which passes it on once.
    withControlChannel({ detached: true }, ['ignore', 'inherit', 'inherit'], process.env),
  );
  const control = new ControlChannel(child);
  let signal: NodeJS.Signals | null = null;
  let killedBySupervisor = false;
  let timer: NodeJS.Timeout | null = null;
  const kill = (message: string) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.stderr.write(`kstream: ${message}\n`);
    killedBySupervisor = true;
    child.kill('SIGKILL');
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal !== null) return kill(`second ${sig}: killed the application without a final commit`);
    signal = sig;
    child.kill(sig);
    control.requestStop();
    timer = setTimeout(() => kill(`error: the application did not stop within ${STOP_TIMEOUT_MS / 1000} s of ${sig}; killed it, nothing past the last commit is committed`), STOP_TIMEOUT_MS);
  };
  const onExit = () => child.kill('SIGKILL');
  const onStop = () => {
    child.kill('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  };
  const onContinue = () => child.kill('SIGCONT');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGTSTP', onStop);
  process.on('SIGCONT', onContinue);
  process.once('exit', onExit);
  return new Promise((resolve) => {
    const done = (code: number) => {
      if (timer !== null) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGTSTP', onStop);
      process.off('SIGCONT', onContinue);
      process.off('exit', onExit);
      resolve(code);
    };
    child.on('error', (e) => {
      process.stderr.write(`kstream: error: cannot start the application process: ${e.message}\n`);
      done(1);
    });
    child.on('exit', async (code, sig) => {
      await control.drained();
      if (code !== null) return done(code);
      if (control.report === 'watchdog') return done(1);
      if (control.report === 'stuck' || killedBySupervisor) return done(signalExitCode(signal ?? sig!));
      // The signal passed on arrived before the application had installed its handlers.
      if (sig !== null && sig === signal) {
        process.stderr.write(`kstream: stopped by ${sig} before the application started\n`);
        return done(signalExitCode(sig));
      }
      process.stderr.write(`kstream: error: the application process was killed by ${sig}\n`);
      done(signalExitCode(sig!));
    });
  });
}
