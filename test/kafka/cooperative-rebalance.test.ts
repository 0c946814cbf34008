/**
 * Cooperative incremental rebalancing (KIP-429) on the real broker: two workers process a stream
 * that is produced continuously; a third one starts. Only the tasks it gets move (from the
 * workers' assignment and revocation logs), the output of the tasks that stay keeps arriving (the
 * longest gap between arrivals on their output partitions is measured), and under exactly_once_v2
 * the counts are exact at the end (read_committed). The same run with
 * `kstream.rebalance.protocol=eager` is measured for comparison: there every task stops.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomLines } from '../../bench/data.js';
import { toProduced } from '../scenarios/env.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { WORDCOUNT_APP, checkWordcount, committedSum, killAll, kstream, requireBuild, waitUntil, withLog, type Proc } from './processes.js';

const PARTITIONS = 6;
const COMMIT_INTERVAL_MS = 100;
/** Lines produced every PRODUCE_EVERY_MS (about 100 lines/s, 800 words/s: light for a loaded 2-core machine). */
const LINES_PER_ROUND = 10;
const PRODUCE_EVERY_MS = 100;

interface Assignment {
  readonly generation: number;
  readonly tasks: string[];
}

/** The tasks of each `generation N, member M: tasks [...]` line of a worker, in order. */
function assignments(p: Proc): Assignment[] {
  return [...p.output().matchAll(/generation (\d+), member \w+(?: \(leader\))?: tasks \[([^\]]*)\]/g)].map((m) => ({
    generation: Number(m[1]),
    tasks: m[2]!.split(', ').filter(Boolean),
  }));
}

const last = (p: Proc): Assignment | undefined => assignments(p).at(-1);

/** Partitions a worker logged as revoked (cooperative: `revoking n partition(s) [topic-p, ...]`) after `from` characters of output. */
function revokedPartitions(p: Proc, from = 0): string[] {
  return [...p.output().slice(from).matchAll(/revoking \d+ partition\(s\) \[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(', '));
}

function logsOf(workers: Record<string, Proc>): string {
  return Object.entries(workers)
    .map(([name, p]) => `worker ${name}:\n${p.output().slice(-6000)}`)
    .join('\n');
}

/**
 * Reads the output partitions continuously (read_committed) and keeps, per partition, the wall
 * time at which new records arrived: the longest gap between two arrivals in a time window is how
 * long that partition's output paused.
 */
class ArrivalWatch {
  readonly arrivals: number[][] = Array.from({ length: PARTITIONS }, () => []);
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  start(brokers: string, topic: string): void {
    this.loop = withLog(brokers, async (log) => {
      const reader = log.reader({ readCommitted: true });
      const offsets = new Array<number>(PARTITIONS).fill(0);
      try {
        while (!this.stopped) {
          await Promise.all(
            offsets.map(async (offset, p) => {
              const records = await reader.read(topic, p, offset, 10_000);
              if (records.length === 0) return;
              offsets[p] = records.at(-1)!.offset + 1;
              this.arrivals[p]!.push(Date.now());
            }),
          );
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await reader.close();
      }
    });
  }

  /** Longest time without new records on `partition` within [from, to]. */
  maxGap(partition: number, from: number, to: number): number {
    const times = this.arrivals[partition]!.filter((t) => t >= from && t <= to);
    let max = 0;
    let prev = from;
    for (const t of times) {
      max = Math.max(max, t - prev);
      prev = t;
    }
    return Math.max(max, to - prev);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Produces lines to `topic` until stopped, with current timestamps; remembers what it sent. */
class SteadyProducer {
  readonly sent: string[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  start(brokers: string, topic: string, seed: number): void {
    const { texts } = randomLines(200_000, seed, 2_000);
    this.loop = withLog(brokers, async (log) => {
      let next = 0;
      while (!this.stopped && next < texts.length) {
        const round = texts.slice(next, next + LINES_PER_ROUND);
        next += round.length;
        await log.append(toProduced(topic, round.map((value) => ({ key: null, value, timestamp: 0 })), PARTITIONS, Date.now()));
        this.sent.push(...round);
        await new Promise((r) => setTimeout(r, PRODUCE_EVERY_MS));
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

describe(`cooperative rebalancing on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-coop-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Two workers, then a third; returns what was measured. Every worker process and the producer
   * are stopped before it returns (SIGTERM: commit, leave the group, exit 0).
   */
  async function scaleOutWhileProducing(protocol: 'cooperative' | 'eager') {
    const app = uniqueId(`coop-${protocol}`);
    const input = `${app}-input`;
    const output = `${app}-output`;
    const settings = join(dir, `${app}.properties`);
    // c takes its tasks at once however long their changelogs are: this test is about which tasks
    // move and who pauses; warm-up replicas (a task waits with its owner until c caught up) are
    // warmup.test.ts's.
    writeFileSync(settings, `kstream.rebalance.protocol=${protocol}\ncommit.interval.ms=${COMMIT_INTERVAL_MS}\nacceptable.recovery.lag=1000000000\n`);
    await withLog(brokers(), (log) =>
      log.admin().createTopics([
        { name: input, partitions: PARTITIONS },
        { name: output, partitions: PARTITIONS },
      ]),
    );
    const worker = (name: string) =>
      kstream(['run', WORDCOUNT_APP, '--brokers', brokers(), '--guarantee', 'exactly_once_v2', '--state-dir', join(dir, `${app}-${name}`), '--config', settings], {
        KSTREAM_TEST_APP_ID: app,
        KSTREAM_TEST_INPUT: input,
        KSTREAM_TEST_OUTPUT: output,
      });
    const producer = new SteadyProducer();
    const watch = new ArrivalWatch();
    const workers: Proc[] = [];
    try {
      producer.start(brokers(), input, protocol === 'eager' ? 5 : 3);
      watch.start(brokers(), output);
      const a = worker('a');
      const b = worker('b');
      workers.push(a, b);
      // Both hold half of the 12 tasks (6 partitions x 2 sub-topologies) in the same generation.
      await waitUntil(
        'two workers to share the tasks',
        () => {
          const la = last(a);
          const lb = last(b);
          return la !== undefined && lb !== undefined && la.generation === lb.generation && la.tasks.length === 6 && lb.tasks.length === 6;
        },
        90_000,
        50,
      );
      const before = { a: last(a)!, b: last(b)! };
      // Steady state for a few seconds (after b restored and caught up): the baseline gap between arrivals.
      const steadyFrom = Date.now() + 4000;
      await new Promise((r) => setTimeout(r, 8000));
      const steadyTo = Date.now();

      const joinStarted = Date.now();
      const outputBefore = { a: a.output().length, b: b.output().length };
      const c = worker('c');
      workers.push(c);
      // When a or b first hears of the rebalance (c's JoinGroup): the window that counts starts there.
      let rebalanceSeen = 0;
      await waitUntil(
        'the third worker to get its tasks and the group to settle',
        () => {
          if (rebalanceSeen === 0 && (a.output().includes('rebalance in progress', outputBefore.a) || b.output().includes('rebalance in progress', outputBefore.b))) {
            rebalanceSeen = Date.now();
          }
          const [la, lb, lc] = [last(a), last(b), last(c)];
          return (
            la !== undefined &&
            lb !== undefined &&
            lc !== undefined &&
            la.generation === lc.generation &&
            lb.generation === lc.generation &&
            la.tasks.length + lb.tasks.length + lc.tasks.length === 12 &&
            lc.tasks.length > 0
          );
        },
        90_000,
        50,
      );
      const settled = Date.now();
      // Its tasks restored and producing; then some more time of all three.
      await new Promise((r) => setTimeout(r, 4000));
      const windowTo = Date.now();
      await producer.stop();
      const produced = producer.sent.length;
      await waitUntil('all input to be committed', async () => (await committedSum(brokers(), app, input)) === produced, 90_000, 200);
      // ... and all that went through the repartition topic counted.
      const repartition = `${app}-counts-store-repartition`;
      await waitUntil(
        'the repartition topic to be consumed',
        async () => (await committedSum(brokers(), app, repartition)) >= (await withLog(brokers(), (log) => log.admin().endOffsets(repartition))).reduce((x, y) => x + y, 0),
        90_000,
        200,
      );
      for (const w of workers) w.kill('SIGTERM');
      const exits = await Promise.all(workers.map((w) => w.exited));
      await watch.stop();
      const after = { a: last(a)!, b: last(b)!, c: last(c)! };
      const unmovedOutput = [...after.a.tasks, ...after.b.tasks].filter((t) => t.startsWith('1_')).map((t) => Number(t.slice(2)));
      const gapDuringJoin = Math.max(...unmovedOutput.map((p) => watch.maxGap(p, rebalanceSeen, windowTo)));
      const gapWhileCStarted = Math.max(...unmovedOutput.map((p) => watch.maxGap(p, joinStarted, rebalanceSeen)));
      const gapSteady = Math.max(...Array.from({ length: PARTITIONS }, (_, p) => watch.maxGap(p, steadyFrom, steadyTo)));
      return { app, input, output, workers: { a, b, c }, exits, before, after, texts: producer.sent, outputBefore, gapWhileCStarted, rebalanceSeenMs: rebalanceSeen - joinStarted, gapDuringJoin, gapSteady, rebalanceMs: settled - joinStarted, unmovedOutput };
    } finally {
      await producer.stop().catch(() => undefined);
      await watch.stop().catch(() => undefined);
      killAll();
    }
  }

  it('exactly_once_v2: a third worker moves only the tasks it gets; the others never pause; counts exact', async () => {
    const r = await scaleOutWhileProducing('cooperative');
    const { a, b, c } = r.workers;
    const logs = logsOf(r.workers);
    // The output of the tasks that stayed kept arriving while c joined.
    console.log(
      `cooperative: c started; a/b heard of the rebalance after ${r.rebalanceSeenMs} ms, settled after ${r.rebalanceMs} ms; longest gap between output arrivals on unmoved partitions [${r.unmovedOutput.join(',')}] from then until 4 s after: ${r.gapDuringJoin} ms (steady state with 2 workers: ${r.gapSteady} ms; while c was starting: ${r.gapWhileCStarted} ms; commit interval ${COMMIT_INTERVAL_MS} ms)`,
    );
    for (const e of r.exits) expect(e.code, logs).toBe(0);
    // Nothing moved between a and b; c got exactly what they gave up; balance as before (4 each).
    expect(r.after.a.tasks.every((t) => r.before.a.tasks.includes(t)), logs).toBe(true);
    expect(r.after.b.tasks.every((t) => r.before.b.tasks.includes(t)), logs).toBe(true);
    const movedAway = [...r.before.a.tasks.filter((t) => !r.after.a.tasks.includes(t)), ...r.before.b.tasks.filter((t) => !r.after.b.tasks.includes(t))];
    expect([...r.after.c.tasks].sort(), logs).toEqual(movedAway.sort());
    expect([r.after.a.tasks.length, r.after.b.tasks.length, r.after.c.tasks.length]).toEqual([4, 4, 4]);
    // a and b revoked only the partitions of the tasks that moved, and nothing was lost.
    const revokedTasks = (p: Proc) =>
      revokedPartitions(p, p === a ? r.outputBefore.a : r.outputBefore.b)
        .map((tp) => `${tp.startsWith(`${r.input}-`) ? 0 : 1}_${tp.slice(tp.lastIndexOf('-') + 1)}`)
        .sort();
    expect(revokedTasks(a), logs).toEqual(r.before.a.tasks.filter((t) => !r.after.a.tasks.includes(t)).sort());
    expect(revokedTasks(b), logs).toEqual(r.before.b.tasks.filter((t) => !r.after.b.tasks.includes(t)).sort());
    for (const p of [a, b, c]) expect(p.output(), logs).not.toMatch(/lost|TaskMigrated/);
    expect(r.unmovedOutput.length, logs).toBe(4);
    // One commit interval plus a margin on a quiet machine; on a loaded one (other processes, c's own
    // start-up) no more than the gaps the same run shows without any rebalance, plus a second.
    const noise = Math.max(r.gapSteady, r.gapWhileCStarted);
    expect(r.gapDuringJoin, logs).toBeLessThan(Math.max(COMMIT_INTERVAL_MS + 900, noise + 1000));
    await expectExactCounts(r.output, r.texts);
  }, 300_000);

  it('kstream.rebalance.protocol=eager (for comparison): every task is suspended until the group has rebalanced; counts exact', async () => {
    const r = await scaleOutWhileProducing('eager');
    const { a, b, c } = r.workers;
    const logs = logsOf(r.workers);
    for (const e of r.exits) expect(e.code, logs).toBe(0);
    expect([r.after.a.tasks.length, r.after.b.tasks.length, r.after.c.tasks.length]).toEqual([4, 4, 4]);
    // One rebalance, no partial revocations.
    expect(r.after.c.generation).toBe(r.before.a.generation + 1);
    expect(revokedPartitions(a, r.outputBefore.a)).toEqual([]);
    console.log(
      `eager: c started; a/b heard of the rebalance after ${r.rebalanceSeenMs} ms, settled after ${r.rebalanceMs} ms; longest gap between output arrivals on partitions [${r.unmovedOutput.join(',')}] of tasks that stayed, from then until 4 s after: ${r.gapDuringJoin} ms (steady state with 2 workers: ${r.gapSteady} ms; while c was starting: ${r.gapWhileCStarted} ms)`,
    );
    await expectExactCounts(r.output, r.texts);
  }, 300_000);

  async function expectExactCounts(output: string, texts: readonly string[]): Promise<void> {
    // Exact counts under exactly_once_v2 (read_committed).
    expect(texts.length).toBeGreaterThan(1000);
    const check = await checkWordcount(brokers(), output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
  }
});

