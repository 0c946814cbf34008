/**
 * Splits a byte stream into lines (ended by \n or \r\n; the last may have no end) without
 * decoding it: the bytes of a line reach `onLine` exactly as they came, so the caller decides
 * what invalid text means instead of a decoder silently replacing it.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNumber = 0;

  constructor(
    private readonly onLine: (line: Buffer, lineNumber: number) => void,
    /** A longer line is an error (input without newlines must not fill memory). */
    private readonly maxLineBytes = 64 << 20,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.pendingBytes === 0) {
        this.emit(part);
      } else {
        this.pending.push(part);
        const line = Buffer.concat(this.pending, this.pendingBytes + part.length);
        this.pending = [];
        this.pendingBytes = 0;
        this.emit(line);
      }
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLineBytes) {
        throw new BadLineError(this.lineNumber + 1, `is longer than ${this.maxLineBytes} bytes`);
      }
      this.pending.push(rest);
    }
  }

  /** The input ended: a last line without a newline is a line too. */
  end(): void {
    if (this.pendingBytes === 0) return;
    const line = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(line);
  }

  private emit(line: Buffer): void {
    this.lineNumber++;
    if (line.length > this.maxLineBytes) throw new BadLineError(this.lineNumber, `is longer than ${this.maxLineBytes} bytes`);
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    this.onLine(end === line.length ? line : line.subarray(0, end), this.lineNumber);
  }
}

/** A line the input must not contain (thrown by the splitter, or by `onLine` to stop at a line). */
export class BadLineError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly problem: string,
  ) {
    super(`line ${lineNumber} ${problem}`);
  }
}
