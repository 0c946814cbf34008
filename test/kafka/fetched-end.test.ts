/**
 * The group consumer hands over a partition's end offset even when a fetch response brings no
 * records for it (Kafka Streams' "fetched lag"): a task picking the lowest timestamp across its
 * partitions (max.task.idle.ms = 0) must wait for a partition known to hold unfetched records, and
 * may go on once one is known to be caught up. Found by the chaos test: a stream-table join whose
 * table partition was left out of a full fetch response (or never reported since the assignment)
 * joined orders with a table version other than the one timestamp order gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import type { KafkaGroupConsumer } from '../../src/log/kafka/group-consumer.js';
import type { ConsumedBatch, ProducedRecord, TopicPartition } from '../../src/log/types.js';
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

  async function firstBatches(group: string, topics: string[]): Promise<ConsumedBatch[]> {
    const c = log.groupConsumer(group, { readCommitted: true }) as KafkaGroupConsumer;
    try {
      const onAssigned = async (parts: readonly TopicPartition[]) => {
        for (const tp of parts) c.seek(tp.topic, tp.partition, 0);
      };
      await c.subscribe(topics, { onAssigned, onRevoked: async () => undefined }, { subtopologies: new Map(topics.map((t) => [t, 0])) });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const batches = await c.poll(200);
        if (batches.length > 0) return batches;
        if (Date.now() > deadline) throw new Error('no batch within 30 s');
      }
    } finally {
      await c.close();
    }
  }

  it('a partition left out of a full response is handed over without records, with its end', async () => {
    const group = uniqueId('fetched-end');
    const [a, b] = [`${group}-a`, `${group}-b`];
    await log.admin().createTopics([a, b].map((name) => ({ name, partitions: 1 })));
    for (const t of [a, b]) for (let i = 0; i < 4; i++) await log.append(records(t, 5));
    const batches = await firstBatches(group, [a, b]);
    const byTopic = new Map(batches.map((x) => [x.topic, x]));
    expect([...byTopic.keys()].sort()).toEqual([a, b]);
    for (const x of byTopic.values()) expect(x.endOffset).toBe(20);
    // one of them got records, the other only its end
    expect(batches.filter((x) => x.records.length === 0).map((x) => x.topic)).toHaveLength(1);
    expect(batches.filter((x) => x.records.length > 0).map((x) => x.topic)).toHaveLength(1);
  });

  it('an empty partition is handed over once with end 0, so that it counts as caught up', async () => {
    const group = uniqueId('fetched-end-empty');
    const [a, b] = [`${group}-a`, `${group}-b`];
    await log.admin().createTopics([a, b].map((name) => ({ name, partitions: 1 })));
    await log.append(records(a, 3));
    const batches = await firstBatches(group, [a, b]);
    const empty = batches.find((x) => x.topic === b);
    expect(empty?.records).toEqual([]);
    expect(empty?.endOffset).toBe(0);
  });
});
