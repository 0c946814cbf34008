const KEEP_DATA = 'the log stops here rather than skip or overwrite committed data; restore the data dir from a backup or re-create it';

/**
 * Damaged data in the embedded log: a file (and the byte) that fails its checks. Reported as one
 * line; the log never reads past it nor writes over it.
 */
export class LogDamageError extends Error {
  override readonly name = 'LogDamageError';
  constructor(
    readonly file: string,
    readonly position: number | undefined,
    readonly problem: string,
    options: { what?: string; hint?: string } = {},
  ) {
    const at = position === undefined ? '' : ` at byte ${position}`;
    super(`${options.what ?? 'damaged log file'} ${file}${at}: ${problem}; ${options.hint ?? KEEP_DATA}`);
  }
}

/** A data dir written in a format this version does not read. */
export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}
