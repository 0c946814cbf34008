/**
 * Issue 15 on the real broker, through `kstream run` (exactly_once_v2): a restore never holds the
 * worker hostage. (a) A worker whose restore waits for a transaction left open on its changelog
 * stops on one SIGTERM within seconds, exit 0, restoring nothing. (b, c) While one task restores a
 * big changelog, the worker's other task keeps processing (its output arrives); one SIGTERM stops
 * the worker with the store checkpointed where the restore got to.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/logger.js';
import { kafkaTuning } from '../../src/log/kafka/client-config.js';
import { createCluster } from '../../src/log/kafka/kafkajs-internals.js';
import { ProducerSession } from '../../src/log/kafka/producer-session.js';
import { sessionOptions } from '../../src/log/kafka/worker-producer.js';
import { Serdes } from '../../src/serde/serdes.js';
import { kafkaBrokers, kafkaVersion, testKafka, uniqueId } from './helpers.js';
import { killAll, requireBuild, waitUntil, withLog, type Proc } from './processes.js';
import { keycountWorker } from './keycount.js';

/** A key as the keycount app's default serde writes it (msgpack: a short string is one byte 0xa0 | length, then UTF-8). */
const keyBytes = (key: string) => Buffer.concat([Buffer.from([0xa0 | key.length]), Buffer.from(key)]);
const BIG = Number(process.env.KSTREAM_RESTORE_TEST_RECORDS ?? 400_000);

describe(`restores and SIGTERM on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-restore-signal-'));
    settings = join(dir, 'restore.properties');
    writeFileSync(settings, 'commit.interval.ms=100\n');
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Sends SIGTERM; the worker must exit 0 within `withinMs`. Returns how long it took. */
  async function stop(worker: Proc, withinMs: number): Promise<number> {
    const signalled = Date.now();
    worker.kill('SIGTERM');
    const exited = await Promise.race([worker.exited, new Promise<null>((r) => setTimeout(() => r(null), withinMs))]);
    const ms = Date.now() - signalled;
    expect(exited, `not stopped ${withinMs} ms after SIGTERM:\n${worker.output().slice(-3000)}`).not.toBeNull();
    expect(exited!.code, worker.output().slice(-3000)).toBe(0);
    return ms;
  }

  it('(a) SIGTERM while the restore waits for a transaction left open on the changelog: exit 0 within seconds', async () => {
    const app = uniqueId('restore-txn-signal');
    const changelog = `${app}-key-counts-changelog`;
    await withLog(brokers(), (log) => log.admin().createTopics([{ name: `${app}-input`, partitions: 1 }, { name: changelog, partitions: 1, config: { 'cleanup.policy': 'compact' } }]));
    // A killed worker's transaction: written, never ended (the broker would abort it after its timeout, 60 s here).
    const cluster = createCluster(testKafka('restore-txn-signal'));
    await cluster.connect();
    const open = new ProducerSession(cluster, sessionOptions(kafkaTuning({}), uniqueId('killed-worker'), () => false, silentLogger, 60_000));
    try {
      await open.init();
      await open.send([{ topic: changelog, partition: 0, key: keyBytes('a'), value: Serdes.Long().serialize(1), timestamp: Date.now() }], new Map());
      const worker = keycountWorker({ brokers: brokers(), dir, app, name: 'a', settings, guarantee: 'exactly_once_v2' });
      await worker.waitFor(/has an open transaction \(readable up to offset 0 of \d+\); waiting for it to end before restoring/, 120_000);
      await new Promise((r) => setTimeout(r, 1_000));
      const ms = await stop(worker, 15_000);
      console.log(`SIGTERM during the wait for an open transaction: exit 0 after ${ms} ms`);
      expect(worker.output()).not.toMatch(/restored \d+ records into store key-counts/);
    } finally {
      await open.endTransaction(false).catch(() => undefined);
      await cluster.disconnect().catch(() => undefined);
    }
  }, 240_000);

  it(`(b, c) one task restores ${BIG} changelog records while the other's output keeps arriving; SIGTERM checkpoints the restore and exits 0`, async () => {
    const app = uniqueId('restore-signal');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const changelog = `${app}-key-counts-changelog`;
    await withLog(brokers(), async (log) => {
      await log.admin().createTopics([{ name: input, partitions: 2 }, { name: changelog, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
      const one = Serdes.Long().serialize(1);
      for (let b = 0; b < BIG; b += 20_000) {
        const batch = [];
        for (let i = b; i < Math.min(BIG, b + 20_000); i++) batch.push({ topic: changelog, partition: 0, key: keyBytes(`r${i}`), value: one, timestamp: Date.now() });
        await log.append(batch);
      }
    });
    const worker = keycountWorker({ brokers: brokers(), dir, app, name: 'a', settings, guarantee: 'exactly_once_v2' });
    await worker.waitFor(/restoring store key-counts of task 0_0: \d+ records/, 180_000);
    await withLog(brokers(), (log) => log.append([{ topic: input, partition: 1, key: keyBytes('during'), value: Buffer.from([0xa1, 0x78]), timestamp: Date.now() }]));
    const counted = async () =>
      withLog(brokers(), async (log) => {
        const reader = log.reader({ readCommitted: true });
        try {
          for (let p = 0; p < 2; p++) {
            const end = (await log.admin().endOffsets(output).catch(() => [0, 0]))[p] ?? 0;
            if (end > 0 && (await reader.read(output, p, 0, 1000)).some((r) => r.key?.toString() === 'during')) return true;
          }
          return false;
        } finally {
          await reader.close();
        }
      });
    await waitUntil('task 0_1 to count during the restore', counted, 120_000, 500);
    expect(worker.output()).not.toMatch(/restored \d+ records into store key-counts of task 0_0/);
    const ms = await stop(worker, 20_000);
    const stopped = /stopped restoring store key-counts of task 0_0 at changelog offset (\d+) of (\d+)/.exec(worker.output());
    console.log(`Kafka: task 0_1's output arrived during the restore; SIGTERM: exit 0 after ${ms} ms; ${stopped?.[0]}`);
    expect(stopped, worker.output().slice(-3000)).not.toBeNull();
    expect(Number(stopped![1])).toBeGreaterThan(0);
    expect(Number(stopped![1])).toBeLessThan(BIG);
  }, 420_000);
});
