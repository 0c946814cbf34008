import type { ProcessingLogEntry, ProcessingLogger } from '../sql/expr/compile.js';
import type { Logger } from '../common/logger.js';

const LOGGED_IN_FULL = 20;
const SUMMARY_EVERY_MS = 10_000;

/**
 * The processing log of one query under `kstream run`: an expression that fails on a record
 * (division by zero, a bad cast, a function past its limits) is NULL, and the reason goes here, as
 * to ksqlDB's processing log. The first entries are logged in full, then a count at most every
 * 10 s, so that a stream of bad records cannot flood the terminal.
 */
export class LoggingProcessingLog implements ProcessingLogger {
  private count = 0;
  private unreported = 0;
  private lastSummary = 0;

  constructor(
    private readonly queryId: string,
    private readonly logger: Logger,
  ) {}

  error(entry: ProcessingLogEntry): void {
    this.count++;
    if (this.count <= LOGGED_IN_FULL) {
      const where = entry.expression === '' ? '' : ` (in ${entry.expression})`;
      this.logger.warn(`processing log: ${this.queryId}: ${entry.message}${where}`);
      if (this.count === LOGGED_IN_FULL) this.lastSummary = Date.now();
      return;
    }
    this.unreported++;
    const now = Date.now();
    if (now - this.lastSummary >= SUMMARY_EVERY_MS) {
      this.logger.warn(`processing log: ${this.queryId}: ${this.unreported} more entries (${this.count} in all)`);
      this.unreported = 0;
      this.lastSummary = now;
    }
  }
}
