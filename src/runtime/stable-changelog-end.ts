import type { LogAdmin } from '../log/types.js';
import type { Logger } from '../common/logger.js';

const POLL_MS = 100;

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
 */
export async function stableChangelogEnd(
  admin: LogAdmin,
  topic: string,
  partition: number,
  options: { readonly logger: Logger; readonly what: string; readonly timeoutMs: number },
): Promise<number> {
  const logEnd = (await admin.logEndOffsets(topic))[partition] ?? 0;
  let stable = (await admin.endOffsets(topic))[partition] ?? 0;
  if (stable >= logEnd) return stable;
  const started = Date.now();
  options.logger.info(
    `${options.what}: changelog ${topic}-${partition} has an open transaction (readable up to offset ${stable} of ${logEnd}); waiting for it to end before restoring`,
  );
  while (stable < logEnd) {
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `${options.what}: changelog ${topic}-${partition} still has a transaction open after ${options.timeoutMs} ms (readable up to offset ${stable} of ${logEnd}); not restoring from an incomplete changelog`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    stable = (await admin.endOffsets(topic))[partition] ?? 0;
  }
  options.logger.info(`${options.what}: the open transaction on ${topic}-${partition} ended after ${Date.now() - started} ms; restoring up to offset ${stable}`);
  return stable;
}
