/**
 * Issue 15 on the real broker, through `kstream run` (exactly_once_v2): a worker whose restore
 * waits for a transaction left open on its changelog stops on one SIGTERM within seconds, exit 0,
 * restoring nothing. (The long restore and the other task running meanwhile: test/cli/restore-signal.test.ts.)
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
import { killAll, requireBuild, withLog, type Proc } from './processes.js';
import { keycountWorker } from './keycount.js';

/** A key as the keycount app's default serde writes it (msgpack: a short string is one byte 0xa0 | length, then UTF-8). */
const keyBytes = (key: string) => Buffer.concat([Buffer.from([0xa0 | key.length]), Buffer.from(key)]);

describe(`a restore and SIGTERM on Kafka ${kafkaVersion()}`, () => {
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
});
