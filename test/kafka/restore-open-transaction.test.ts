/**
 * Issue 15's exactly_once_v2 count-state loss: a worker killed in a transaction leaves it open on
 * a changelog partition until the broker aborts it; the task's next owner commits records after it;
 * a third owner that restores meanwhile must not stop at the open transaction's first record (the
 * last stable offset), or it misses the second owner's committed records and counts on from an
 * older state. The restore waits for the open transaction to end (src/runtime/stable-changelog-end.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { kafkaTuning } from '../../src/log/kafka/client-config.js';
import { createCluster } from '../../src/log/kafka/kafkajs-internals.js';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import { ProducerSession } from '../../src/log/kafka/producer-session.js';
import { sessionOptions } from '../../src/log/kafka/worker-producer.js';
import type { ProducedRecord } from '../../src/log/types.js';
import { StoreChangelogReader, type RestoringTask } from '../../src/runtime/store-changelog-reader.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KeyValueStoreBuilder, type KeyValueStoreImpl } from '../../src/state/key-value-store.js';
import { testStoreContext } from '../../src/state/test-context.js';
import { kafkaBrokers, kafkaVersion, testKafka, uniqueId } from './helpers.js';

const long = Serdes.Long();
const str = Serdes.String();

describe(`restoring a changelog with a transaction left open (Kafka ${kafkaVersion()})`, () => {
  let log: KafkaLog;
  const dirs: string[] = [];
  beforeAll(async () => {
    log = await KafkaLog.open(kafkaBrokers().join(','), { logger: silentLogger });
  });
  afterAll(async () => {
    await log?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A transactional producer session of its own (one worker's exactly_once_v2 producer). */
  async function session(name: string): Promise<{ session: ProducerSession; close: () => Promise<void> }> {
    const cluster = createCluster(testKafka(name));
    await cluster.connect();
    const s = new ProducerSession(cluster, sessionOptions(kafkaTuning({}), uniqueId(name), () => false, silentLogger, 60_000));
    await s.init();
    return { session: s, close: () => cluster.disconnect().catch(() => undefined) };
  }

  const counts = (topic: string, entries: Array<[string, number]>): ProducedRecord[] =>
    entries.map(([k, n]) => ({ topic, partition: 0, key: str.serialize(k), value: long.serialize(n), timestamp: Date.now() }));

  it('the restore waits for the open transaction to end and then has every committed record', async () => {
    const changelog = `${uniqueId('restore-open-txn')}-counts-changelog`;
    await log.admin().createTopics([{ name: changelog, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    const killed = await session('killed-worker');
    const owner = await session('next-owner');
    try {
      // The first owner's transaction: written, never ended (its worker was SIGKILLed).
      await killed.session.send(counts(changelog, [['a', 1], ['b', 1]]), new Map());
      // The next owner (which read nothing of it) counts the same input again, and more, and commits.
      await owner.session.send(counts(changelog, [['a', 1], ['b', 1], ['b', 2], ['c', 1]]), new Map());
      await owner.session.endTransaction(true);
      const [stable, logEnd] = [(await log.admin().endOffsets(changelog))[0], (await log.admin().logEndOffsets(changelog))[0]];
      expect(stable).toBe(0); // read_committed readers stop at the open transaction's first record
      expect(logEnd).toBeGreaterThanOrEqual(6); // 2 open + 4 committed (+ the commit marker once written)

      // A third owner restores; the broker would abort the open transaction after its timeout: here
      // it is aborted 2 s into the restore.
      const dir = mkdtempSync(join(tmpdir(), 'kstream-restore-open-txn-'));
      dirs.push(dir);
      const store = new KeyValueStoreBuilder<string, number>('counts', true, str, long).build() as KeyValueStoreImpl<string, number>;
      const init = () => store.init(testStoreContext({ storeDir: dir }));
      await init();
      const task: RestoringTask = {
        idString: '1_0',
        id: { partition: 0 },
        stores: new Map([['counts', store]]),
        changelogTopic: () => changelog,
        initStore: init,
        sensors: { restoring: () => ({ restored: 0, remaining: 0 }) },
      };
      const infos: string[] = [];
      const logger: Logger = { ...silentLogger, info: (m: string) => infos.push(m) };
      const reader = log.reader({ readCommitted: true });
      const started = Date.now();
      const aborting = new Promise((r) => setTimeout(r, 2000)).then(() => killed.session.endTransaction(false));
      try {
        const done = await new StoreChangelogReader(log.admin(), reader, logger).restore(task);
        await aborting;
        expect([store.get('a'), store.get('b'), store.get('c')]).toEqual([1, 2, 1]);
        expect(done.map((d) => [d.from, d.records])).toEqual([[0, 4]]);
        expect(done[0]!.end).toBeGreaterThanOrEqual(7); // past the commit marker
        expect(store.restoreFrom()).toBe(done[0]!.end);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
        expect(infos.some((m) => m.includes(`changelog ${changelog}-0 has an open transaction (readable up to offset 0 of`))).toBe(true);
      } finally {
        await aborting.catch(() => undefined);
        await reader.close();
        await store.close();
      }
    } finally {
      await killed.close();
      await owner.close();
    }
  }, 60_000);
});
