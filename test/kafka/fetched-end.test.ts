/**
 * The group consumer keeps every partition's end offset from each fetch response, also when the
 * response brings no records for it (Kafka Streams' "fetched lag", KIP-695): a task taking the
 * lowest timestamp across its partitions (max.task.idle.ms = 0) must wait for a partition known to
 * hold unfetched records or not fetched yet, and may go on once it is known to be caught up. Found
 * by the chaos test: a stream-table join whose table partition was left out of a full fetch
 * response (or never reported since the assignment) joined orders with another table version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import { tpKey, type ConsumedBatch, type GroupConsumer, type ProducedRecord, type TopicPartition } from '../../src/log/types.js';
import { silentLogger } from '../../src/common/logger.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';

const records = (topic: string, n: number): ProducedRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic, partition: 0, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`.repeat(50)), timestamp: Date.now() }));

describe(`fetched end offsets on Kafka ${kafkaVersion()}`, () => {
  let log: KafkaLog;
  beforeAll(async () => {
    // one byte: the broker sends one record batch per response and only the end offset for the other partitions
    log = await KafkaLog.open(kafkaBrokers().join(','), { logger: silentLogger, settings: { 'fetch.max.bytes': 1 } });
  });
  afterAll(async () => {
    await log?.close();
  });

  /** Subscribes from offset 0 and polls until `done` holds for what was fetched; returns the batches. */
  async function fetchUntil(group: string, topics: string[], done: (c: GroupConsumer, batches: ConsumedBatch[]) => boolean): Promise<{ batches: ConsumedBatch[]; ends: number[]; endsBeforeFetch: number[] }> {
    const c = log.groupConsumer(group, { readCommitted: true });
    const key = (t: string) => tpKey(t, 0);
    let endsBeforeFetch: number[] = [];
    try {
      const onAssigned = async (parts: readonly TopicPartition[]) => {
        endsBeforeFetch = topics.map((t) => c.fetchedEnds.get(key(t)));
        for (const tp of parts) c.seek(tp.topic, tp.partition, 0);
      };
      await c.subscribe(topics, { onAssigned, onRevoked: async () => undefined }, { subtopologies: new Map(topics.map((t) => [t, 0])) });
      const batches: ConsumedBatch[] = [];
      const deadline = Date.now() + 30_000;
      for (;;) {
        batches.push(...(await c.poll(200)));
        if (done(c, batches)) return { batches, ends: topics.map((t) => c.fetchedEnds.get(key(t))), endsBeforeFetch };
        if (Date.now() > deadline) throw new Error('not done within 30 s');
      }
    } finally {
      await c.close();
    }
  }

  it('a partition left out of a full response has its end known before its records come', async () => {
    const group = uniqueId('fetched-end');
    const [a, b] = [`${group}-a`, `${group}-b`];
    await log.admin().createTopics([a, b].map((name) => ({ name, partitions: 1 })));
    for (const t of [a, b]) for (let i = 0; i < 4; i++) await log.append(records(t, 5));
    // stop at the first batch: one response, records for one partition only
    const { batches, ends, endsBeforeFetch } = await fetchUntil(group, [a, b], (_c, bs) => bs.length > 0);
    expect(endsBeforeFetch).toEqual([-1, -1]);
    const got = new Set(batches.map((x) => x.topic));
    expect(got.size).toBe(1);
    expect(batches.every((x) => x.records.length > 0 && x.endOffset === 20)).toBe(true);
    // the partition without records has its end (20 > its position 0: it counts as lagging); the one
    // handed over has none until a later response includes it (its end may be older than other records)
    expect(ends).toEqual([a, b].map((t) => (got.has(t) ? -1 : 20)));
  });

  it('an empty partition gets end 0 (caught up) without ever handing over a batch', async () => {
    const group = uniqueId('fetched-end-empty');
    const [a, b] = [`${group}-a`, `${group}-b`];
    await log.admin().createTopics([a, b].map((name) => ({ name, partitions: 1 })));
    await log.append(records(a, 3));
    const { batches, ends } = await fetchUntil(group, [a, b], (c, bs) => bs.length > 0 && c.fetchedEnds.get(tpKey(b, 0)) >= 0 && c.fetchedEnds.get(tpKey(a, 0)) >= 0);
    expect(ends).toEqual([3, 0]);
    expect(batches.filter((x) => x.topic === b)).toEqual([]);
    const offsets = batches.flatMap((x) => x.records).map((r) => r.offset);
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets).toEqual([0, 1, 2].slice(0, offsets.length));
  });
});
