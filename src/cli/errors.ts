/** An error the user can fix (bad input, bad config...): printed as one line, exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const INTERNAL = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError', 'AssertionError']);

/** Prints an error the way the CLI promises: one line for user errors, a stack only for internal bugs. */
export function reportError(error: unknown): number {
  const e = error instanceof Error ? error : new Error(String(error));
  const internal = INTERNAL.has(e.name) && !(e instanceof UserError);
  if (internal && process.env.KSTREAM_DEBUG !== '0') {
    process.stderr.write(`kstream: internal error: ${e.stack ?? e.message}\n`);
    return 70;
  }
  process.stderr.write(`kstream: error: ${e.message.split('\n')[0]}\n`);
  if (process.env.KSTREAM_DEBUG === '1' && e.stack) process.stderr.write(`${e.stack}\n`);
  return e instanceof UserError ? e.exitCode : 1;
}
