/**
 * Positioned errors of the SQL front end. Every error the lexer, parser or analyzer raises is a
 * SqlError carrying the offending source position; `format()` renders the compiler-style
 * `file:line:col: message` line followed by the source line and a caret under the column.
 */

/** A position in the SQL text: 1-based line and column, 0-based character offset. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export const NO_POS: SourcePos = Object.freeze({ line: 1, column: 1, offset: 0 });

export class SqlError extends Error {
  override readonly name = 'SqlError';
  /** The message without position prefix, as ksqlDB would word it. */
  readonly detail: string;

  constructor(
    detail: string,
    readonly pos: SourcePos,
    readonly file = '<sql>',
    readonly source?: string,
  ) {
    super(`${file}:${pos.line}:${pos.column}: ${detail}`);
    this.detail = detail;
  }

  /** A copy bound to a file name and its text (used when errors are raised before both are known). */
  withSource(file: string, source: string): SqlError {
    return new SqlError(this.detail, this.pos, file, source);
  }

  /** `file:line:col: message`, then the offending line and a caret under the column. */
  format(): string {
    const head = `${this.file}:${this.pos.line}:${this.pos.column}: ${this.detail}`;
    if (this.source === undefined) return head;
    const lines = this.source.split(/\r\n|\r|\n/);
    const text = lines[this.pos.line - 1];
    if (text === undefined) return head;
    const caretPad = text.slice(0, Math.max(0, this.pos.column - 1)).replace(/[^\t]/g, ' ');
    return `${head}\n${text}\n${caretPad}^`;
  }
}

/** Throws a SqlError at `pos`; typed `never` so it can end expressions. */
export function fail(message: string, pos: SourcePos | undefined): never {
  throw new SqlError(message, pos ?? NO_POS);
}
