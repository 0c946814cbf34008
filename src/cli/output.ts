/**
 * Standard output of the CLI. Node writes to a pipe asynchronously: write() returns before the
 * reader has the bytes, and process.exit() drops whatever is still queued. So commands that print
 * much wait for 'drain' when the queue is full (a slow reader slows the command down instead of
 * filling memory), and main() waits for the last write before the process exits. A reader that
 * goes away (EPIPE, e.g. `| head -1`) ends the command quietly, with an exit code that says the
 * output is incomplete.
 */
import { Writable } from 'node:stream';

/** Exit code when the reader closed stdout early: what a shell reports for a process killed by SIGPIPE. */
export const EXIT_OUTPUT_CLOSED = 141;

let watching = false;
let failure: NodeJS.ErrnoException | null = null;

/** Notes write errors of stdout (and ignores those of stderr) from now on; main() calls it first. */
export function watchOutput(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    failure ??= e;
  });
  // Nothing sensible is left to do about a failing stderr; do not crash on it.
  process.stderr.on('error', () => {});
}

/** Why stdout failed, if it did (a file stdout records its error without emitting it). */
function stdoutFailure(): NodeJS.ErrnoException | null {
  return failure ?? (process.stdout.errored as NodeJS.ErrnoException | null) ?? null;
}

/** True once stdout cannot take more output (the reader went away, or writing failed). */
export function outputClosed(): boolean {
  watchOutput();
  return stdoutFailure() !== null;
}

/**
 * Writes to stdout. Returns a promise to await when the pipe is full (it resolves on 'drain',
 * or when stdout fails), else nothing. Output after the reader went away is dropped.
 */
export function writeOut(text: string): Promise<void> | undefined {
  if (outputClosed()) return undefined;
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('error', done);
    process.stdout.on('close', done);
  });
}

function flushStream(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.errored || stream.writableLength === 0) return Promise.resolve();
  // Write callbacks run in order: this one runs once everything queued before it is written (or
  // failed). Called on the stream itself: code that captures output replaces `stream.write`.
  return new Promise((resolve) => Writable.prototype.write.call(stream, '', 'utf8', () => resolve()));
}

/**
 * Waits until everything written to stdout and stderr has reached the OS, and returns the exit
 * code to use: `code`, or EXIT_OUTPUT_CLOSED / 1 when stdout lost output.
 */
export async function finishOutput(code: number): Promise<number> {
  watchOutput();
  await flushStream(process.stdout);
  await flushStream(process.stderr);
  const failed = stdoutFailure();
  if (failed === null) return code;
  if (failed.code === 'EPIPE') return code === 0 ? EXIT_OUTPUT_CLOSED : code;
  process.stderr.write(`kstream: error: cannot write the output: ${failed.message}\n`);
  await flushStream(process.stderr);
  return code === 0 ? 1 : code;
}
