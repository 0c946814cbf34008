import type { LogAdmin } from '../log/types.js';
import type { Logger } from '../common/logger.js';

/** How often the log is asked again while a transaction is open. */
export const STABLE_END_POLL_MS = 100;

export interface StableEndOptions {
  readonly logger: Logger;
  readonly what: string;
  readonly timeoutMs: number;
}

/**
 * Where a restore of a changelog partition may stop: its last stable offset once every transaction
 * that wrote to it before now has ended.
 *
 * A read_committed reader can read only up to the first record of a transaction that is still
 * open. Under exactly_once_v2 a worker killed in the middle of a transaction leaves it open until
 * the broker aborts it (transaction.timeout.ms), and the task's next owner may commit records
 * after it meanwhile. A restore that stopped at that first open record would miss those committed
 * records, and the task would go on counting from an older state (issue 15: "1..7 then 1..1002").
 * So the restore waits until the stable end has reached the log end seen when it started.
 *
 * The wait never blocks: `check()` asks the log (at most every STABLE_END_POLL_MS) and answers null
 * while the transaction is open, so the worker loop goes on with its other tasks and stops promptly.
 */
export class StableEndWait {
  private logEnd = -1;
  private started = 0;
  private lastAsked = 0;

  constructor(
    private readonly admin: LogAdmin,
    private readonly topic: string,
    private readonly partition: number,
    private readonly options: StableEndOptions,
  ) {}

  /** Whether a transaction was found open (and the answer so far was null). */
  get waiting(): boolean {
    return this.logEnd >= 0;
  }

  /** The end to restore up to, or null while a transaction left open on the changelog has not ended. */
  async check(): Promise<number | null> {
    const { topic, partition, options } = this;
    if (this.logEnd < 0) {
      const logEnd = (await this.admin.logEndOffsets(topic))[partition] ?? 0;
      const stable = (await this.admin.endOffsets(topic))[partition] ?? 0;
      if (stable >= logEnd) return stable;
      this.logEnd = logEnd;
      this.started = this.lastAsked = Date.now();
      options.logger.info(
        `${options.what}: changelog ${topic}-${partition} has an open transaction (readable up to offset ${stable} of ${logEnd}); waiting for it to end before restoring`,
      );
      return null;
    }
    const now = Date.now();
    if (now - this.lastAsked < STABLE_END_POLL_MS) return null;
    this.lastAsked = now;
    const stable = (await this.admin.endOffsets(topic))[partition] ?? 0;
    if (stable >= this.logEnd) {
      options.logger.info(`${options.what}: the open transaction on ${topic}-${partition} ended after ${Date.now() - this.started} ms; restoring up to offset ${stable}`);
      return stable;
    }
    if (Date.now() - this.started > options.timeoutMs) {
      throw new Error(
        `${options.what}: changelog ${topic}-${partition} still has a transaction open after ${options.timeoutMs} ms (readable up to offset ${stable} of ${this.logEnd}); not restoring from an incomplete changelog`,
      );
    }
    return null;
  }
}
