/**
 * `kstream run <file> --workers N`: N worker processes of one application on this machine. Each
 * is `kstream run <file> ...` with its own state directory (`<state-dir>/worker-<i>`); they share
 * the work through the application's consumer group. Starting the same command on other machines
 * adds their workers to the same group.
 *
 * - Output: every line of a worker's stdout/stderr is prefixed with `[worker i] `.
 * - Signals: SIGINT/SIGTERM are passed on (workers commit and leave the group) and announced on each
 *   worker's control channel (supervise.ts): a worker stuck in user code is ended by its watchdog.
 *   A second signal kills them.
 * - A worker that dies from a signal kstream did not send (kill -9, out of memory) is restarted
 *   after a short pause, up to --max-restarts times; its tasks move to the others meanwhile.
 * - A worker that exits with an error, or that its watchdog stopped (a record stuck past
 *   record.processing.timeout.ms), stops the others; the exit code is then that worker's, else the
 *   worst worker's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ControlChannel, signalExitCode, withControlChannel } from './supervise.js';
import { shareTimedOutRecords } from './share-timed-out-records.js';

export interface WorkerPlan {
  /** Node executable and script that run the kstream CLI. */
  readonly node: string;
  readonly script: string;
  /** Arguments of `kstream run` shared by all workers (without --workers / --state-dir). */
  readonly args: readonly string[];
  readonly workers: number;
  /** Base state directory; worker i uses `<stateDir>/worker-<i>`. */
  readonly stateDir: string;
  readonly maxRestarts: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Where prefixed output goes (default: this process's stdout/stderr). */
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

interface Slot {
  readonly index: number;
  child: ChildProcess | null;
  control: ControlChannel | null;
  restarts: number;
  /** Final status: exit code, or 128 + signal number. */
  code: number | null;
}

const RESTART_DELAY_MS = 1000;

/** Runs the workers until all have exited; resolves with the worst exit code. */
export function runWorkers(plan: WorkerPlan): Promise<number> {
  const out = plan.stdout ?? process.stdout;
  const err = plan.stderr ?? process.stderr;
  const slots: Slot[] = Array.from({ length: plan.workers }, (_, index) => ({ index, child: null, control: null, restarts: 0, code: null }));
  let stopping = false;
  /** Exit code of the worker whose failure stopped the others. */
  let failure: number | null = null;
  let signals = 0;
  const note = (message: string) => err.write(`[kstream] ${message}\n`);

  return new Promise<number>((resolve) => {
    const finishIfDone = () => {
      if (slots.some((s) => s.code === null)) return;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', onExit);
      // The others, stopped because one failed, exit as stopped early (143 under --until-idle): the failure is the news.
      resolve(failure ?? Math.max(...slots.map((s) => s.code!)));
    };

    const stopAll = (signal: NodeJS.Signals) => {
      for (const s of slots) {
        if (s.child !== null && s.child.exitCode === null && s.child.signalCode === null) {
          s.child.kill(signal);
          if (signal !== 'SIGKILL') s.control?.requestStop();
        }
      }
    };

    const start = (slot: Slot) => {
      const args = [plan.script, 'run', ...plan.args, '--state-dir', join(plan.stateDir, `worker-${slot.index}`), '--worker-index', String(slot.index)];
      const child = spawn(
        plan.node,
        args,
        // Its own process group: a Ctrl-C on the terminal reaches the supervisor only, which passes it on once.
        withControlChannel({ detached: true }, ['ignore', 'pipe', 'pipe'], { ...(plan.env ?? process.env), KSTREAM_WORKER_INDEX: String(slot.index) }),
      );
      slot.child = child;
      const control = new ControlChannel(child);
      slot.control = control;
      const prefix = `[worker ${slot.index}] `;
      createInterface({ input: child.stdout! }).on('line', (line) => out.write(prefix + line + '\n'));
      createInterface({ input: child.stderr! }).on('line', (line) => err.write(prefix + line + '\n'));
      note(`worker ${slot.index} started (pid ${child.pid})${slot.restarts > 0 ? `, restart ${slot.restarts}` : ''}`);
      child.on('error', (e) => {
        note(`worker ${slot.index} could not start: ${e.message}`);
        slot.child = null;
        slot.code = 127;
        if (!stopping) {
          stopping = true;
          stopAll('SIGTERM');
        }
        finishIfDone();
      });
      child.on('exit', async (code, signal) => {
        if (slot.child !== child) return;
        await control.drained();
        slot.child = null;
        slot.control = null;
        if (control.report === 'watchdog') {
          // Its watchdog printed why; a restart would hang on the same record unless the policy skips it.
          signal = null;
          code = 1;
          // Whichever worker gets the task on the rerun must know the record.
          shareTimedOutRecords(plan.stateDir, slot.index, plan.workers);
        }
        if (signal !== null && !stopping && slot.restarts < plan.maxRestarts) {
          slot.restarts++;
          note(`worker ${slot.index} (pid ${child.pid}) was killed by ${signal}; restarting it in ${RESTART_DELAY_MS / 1000} s`);
          setTimeout(() => {
            if (stopping) {
              slot.code = signalExitCode(signal);
              finishIfDone();
            } else {
              start(slot);
            }
          }, RESTART_DELAY_MS);
          return;
        }
        slot.code = signal !== null ? signalExitCode(signal) : (code ?? 1);
        if (signal !== null && !stopping) note(`worker ${slot.index} was killed by ${signal} ${plan.maxRestarts} times; not restarting it`);
        if (slot.code !== 0 && !stopping) {
          stopping = true;
          failure = slot.code;
          note(`worker ${slot.index} failed (exit ${slot.code}); stopping the others`);
          stopAll('SIGTERM');
        }
        finishIfDone();
      });
    };

    const onExit = () => stopAll('SIGKILL');
    process.once('exit', onExit);
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      stopping = true;
      if (signals === 1) {
        note(`${sig}: stopping the workers (they commit and leave the group)`);
        stopAll('SIGTERM');
      } else {
        note(`second ${sig}: killing the workers`);
        stopAll('SIGKILL');
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (const slot of slots) start(slot);
  });
}
