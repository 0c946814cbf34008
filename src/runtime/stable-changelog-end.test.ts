import { describe, expect, it } from 'vitest';
import type { LogAdmin } from '../log/types.js';
import type { Logger } from '../common/logger.js';
import { STABLE_END_POLL_MS, StableEndWait, type StableEndOptions } from './stable-changelog-end.js';

/** An admin whose partition 0 has log end `logEnd` and whose stable end is the next of `stable` on each call. */
function admin(logEnd: number, stable: number[]): LogAdmin & { stableCalls: number } {
  const a = {
    stableCalls: 0,
    logEndOffsets: async () => [logEnd],
    endOffsets: async () => [stable[Math.min(a.stableCalls++, stable.length - 1)]!],
  };
  return a as unknown as LogAdmin & { stableCalls: number };
}

function logger(): Logger & { infos: string[] } {
  const infos: string[] = [];
  return { infos, debug() {}, info: (m: string) => infos.push(m), warn() {}, error() {} };
}

/** Checks until the end is known, as the worker loop does between its turns; counts the checks that answered null. */
async function stableChangelogEnd(a: LogAdmin, topic: string, partition: number, options: StableEndOptions): Promise<number> {
  const wait = new StableEndWait(a, topic, partition, options);
  for (;;) {
    const end = await wait.check();
    if (end !== null) return end;
    expect(wait.waiting).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('StableEndWait', () => {
  it('never blocks: answers null while the transaction is open, asking the log at most every poll interval', async () => {
    const a = admin(40, [10, 10, 41]);
    const wait = new StableEndWait(a, 'c', 0, { logger: logger(), what: 'store s of task 1_0', timeoutMs: 10_000 });
    const started = performance.now();
    expect(await wait.check()).toBeNull();
    expect(await wait.check()).toBeNull();
    expect(a.stableCalls).toBe(1);
    expect(performance.now() - started).toBeLessThan(STABLE_END_POLL_MS);
    await new Promise((resolve) => setTimeout(resolve, STABLE_END_POLL_MS + 10));
    expect(await wait.check()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, STABLE_END_POLL_MS + 10));
    expect(await wait.check()).toBe(41);
    expect(a.stableCalls).toBe(3);
  });

  it('is the stable end at once when no transaction is open', async () => {
    const log = logger();
    const a = admin(40, [40]);
    expect(await stableChangelogEnd(a, 'c', 0, { logger: log, what: 'store s of task 1_0', timeoutMs: 1000 })).toBe(40);
    expect(a.stableCalls).toBe(1);
    expect(log.infos).toEqual([]);
  });

  it('waits until the stable end reaches the log end seen at the start, and says so', async () => {
    const log = logger();
    const a = admin(40, [10, 10, 10, 41]);
    expect(await stableChangelogEnd(a, 'c', 0, { logger: log, what: 'store s of task 1_0', timeoutMs: 10_000 })).toBe(41);
    expect(a.stableCalls).toBe(4);
    expect(log.infos[0]).toBe('store s of task 1_0: changelog c-0 has an open transaction (readable up to offset 10 of 40); waiting for it to end before restoring');
    expect(log.infos[1]).toMatch(/^store s of task 1_0: the open transaction on c-0 ended after \d+ ms; restoring up to offset 41$/);
  });

  it('gives up with one clear error, rather than restore an incomplete changelog, after the timeout', async () => {
    const started = Date.now();
    await expect(stableChangelogEnd(admin(40, [10]), 'c', 0, { logger: logger(), what: 'store s of task 1_0', timeoutMs: 300 })).rejects.toThrow(
      'store s of task 1_0: changelog c-0 still has a transaction open after 300 ms (readable up to offset 10 of 40); not restoring from an incomplete changelog',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
