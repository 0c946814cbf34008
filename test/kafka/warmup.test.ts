/**
 * Warm-up replicas (KIP-441) on the real broker: worker a counts keys alone; worker b joins with no
 * state. b's share of the stateful tasks stays with a (which keeps processing) while b restores it
 * as a warm-up replica; a probing rebalance moves it once b is within acceptable.recovery.lag, and
 * b then restores only a tail. The counts stay exact.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { committedSum, killAll, requireBuild, waitUntil, withLog, type Proc } from './processes.js';
import { keycountWorker, lastAssignment, produceKeys, stopAndCheckCounts } from './keycount.js';

const KEYS = 20_000;
const PARTITIONS = 2;
const PROBING_MS = 3_000;

/** Every `generation ..., tasks [...]` line of a worker with its warm-up list. */
function assignmentLines(p: Proc): Array<{ generation: number; tasks: string[]; warmups: string[]; probe: boolean }> {
  const list = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(', '));
  return [...p.output().matchAll(/generation (\d+), member \w+.*?: tasks \[([^\]]*)\](?:, standby \[[^\]]*\])?(?: \(warm-up \[([^\]]*)\]\))?(; probing rebalance)?/g)].map((m) => ({
    generation: Number(m[1]),
    tasks: list(m[2]),
    warmups: list(m[3]),
    probe: m[4] !== undefined,
  }));
}

describe(`warm-up replicas on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-warmup-'));
    settings = join(dir, 'warmup.properties');
    writeFileSync(settings, `acceptable.recovery.lag=100\nmax.warmup.replicas=2\nprobing.rebalance.interval.ms=${PROBING_MS}\n`);
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exactly_once_v2: a joining worker warms its task up while the owner keeps processing, then takes it restoring only a tail; counts exact', async () => {
    const app = uniqueId('warmup');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const changelog = `${app}-key-counts-changelog`;
    const expected = new Map<string, number>();
    await withLog(brokers(), (log) => log.admin().createTopics([{ name: input, partitions: PARTITIONS }]));
    await produceKeys(brokers(), input, PARTITIONS, 0, KEYS, KEYS, expected);
    const worker = (name: string) => keycountWorker({ brokers: brokers(), dir, app, name, settings, guarantee: 'exactly_once_v2' });
    const a = worker('a');
    await waitUntil('worker a to count the first input', async () => (await committedSum(brokers(), app, input)) === KEYS, 120_000, 200);
    const ends = await withLog(brokers(), (log) => log.admin().endOffsets(changelog));
    expect(Math.min(...ends)).toBeGreaterThan(100);
    const b = worker('b');
    // b's first assignment: no active task, a warm-up of the task balance gives it; a keeps both.
    await waitUntil('b to get its first assignment', () => assignmentLines(b).length > 0, 90_000, 100);
    const first = assignmentLines(b)[0]!;
    expect(first.tasks, b.output().slice(-3000)).toEqual([]);
    expect(first.warmups).toHaveLength(1);
    expect(first.probe).toBe(true);
    const warmed = first.warmups[0]!;
    expect(lastAssignment(a)!.tasks).toEqual(['0_0', '0_1']);
    // a goes on processing while b warms up: more input is counted before b takes the task.
    await produceKeys(brokers(), input, PARTITIONS, KEYS, KEYS, KEYS, expected);
    // The probing rebalance moves the warmed-up task to b (a revokes it, b gets it one rebalance later).
    await waitUntil('b to run the warmed-up task', () => lastAssignment(b)?.tasks.includes(warmed) === true, 120_000, 100);
    const restored = await b.waitFor(new RegExp(`restored (\\d+) records into store key-counts of task ${warmed} in \\d+ ms`), 60_000);
    const applied = await b.waitFor(new RegExp(`standby task ${warmed}: closed after applying (\\d+) changelog records`), 10_000);
    const partition = Number(warmed.split('_')[1]);
    console.log(
      `warm-up of ${warmed}: changelog end ${ends[partition]} when b joined; the warm-up applied ${applied[1]} records, b restored ${restored[1]} when it took the task`,
    );
    expect(Number(applied[1])).toBeGreaterThanOrEqual(ends[partition]! - 100);
    expect(Number(restored[1])).toBeLessThan(ends[partition]! / 4);
    await waitUntil('both workers to count the second input', async () => (await committedSum(brokers(), app, input)) === 2 * KEYS, 120_000, 200);
    expect(lastAssignment(a)!.tasks).toEqual(['0_0', '0_1'].filter((t) => t !== warmed));
    // No further warm-ups once balanced: the last assignment asks for no probing rebalance.
    expect(assignmentLines(b).at(-1)!.probe).toBe(false);
    await stopAndCheckCounts([a, b], brokers(), output, expected);
  }, 300_000);
});
