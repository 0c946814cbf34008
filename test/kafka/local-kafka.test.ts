import { describe, expect, it } from 'vitest';
import { createTopics, kafkaVersion, readRecords, testKafka, uniqueId, uniqueTopic, withAdmin } from './helpers.js';

describe(`local Kafka broker (${kafkaVersion()})`, () => {
  it('serves topics: create, list, describe', async () => {
    const topic = uniqueTopic('basic');
    await createTopics({ topic, numPartitions: 3 });
    await withAdmin(async (admin) => {
      expect(await admin.listTopics()).toContain(topic);
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0].partitions).toHaveLength(3);
    });
  });

  it('transactional producer: committed records are read with read_committed, aborted ones are not', async () => {
    const topic = uniqueTopic('txn');
    await createTopics({ topic, numPartitions: 2 });
    const producer = testKafka('kstream-test-txn').producer({
      transactionalId: uniqueId('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ key: 'a', value: 'committed-1' }, { key: 'b', value: 'committed-2' }] });
      await t1.commit();

      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [{ key: 'a', value: 'aborted-1' }, { key: 'c', value: 'aborted-2' }] });
      await t2.abort();

      const t3 = await producer.transaction();
      await t3.send({ topic, messages: [{ key: 'c', value: 'committed-3' }] });
      await t3.commit();
    } finally {
      await producer.disconnect();
    }

    const committed = await readRecords(topic, { count: 3, readCommitted: true });
    expect(committed.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['a=committed-1', 'b=committed-2', 'c=committed-3']);

    // the aborted records are in the log: read_uncommitted sees them (control records are never returned)
    const all = await readRecords(topic, { count: 5, readCommitted: false });
    expect(all.map((r) => r.value).sort()).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2', 'committed-3']);
  });

  it('consume-transform-produce: outputs and input offsets commit in one transaction (sendOffsets)', async () => {
    const input = uniqueTopic('ctp-in');
    const output = uniqueTopic('ctp-out');
    const groupId = uniqueId('ctp-group');
    await createTopics({ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 2 });

    const kafka = testKafka('kstream-test-ctp');
    const seed = kafka.producer();
    await seed.connect();
    await seed.send({ topic: input, messages: ['x', 'y', 'z', 'w'].map((v, i) => ({ key: `k${i}`, value: v })) });
    await seed.disconnect();

    const producer = kafka.producer({ transactionalId: uniqueId('ctp-txn'), idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    await Promise.all([producer.connect(), consumer.connect()]);
    let processed = 0;
    try {
      await consumer.subscribe({ topic: input, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`processed ${processed} of 4 records`)), 30_000);
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const txn = await producer.transaction();
              try {
                await txn.send({
                  topic: output,
                  messages: batch.messages.map((m) => ({ key: m.key, value: `${m.value?.toString()}!`.toUpperCase() })),
                });
                const last = batch.messages[batch.messages.length - 1];
                await txn.sendOffsets({
                  consumerGroupId: groupId,
                  topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
                });
                await txn.commit();
              } catch (err) {
                await txn.abort();
                throw err;
              }
              processed += batch.messages.length;
              if (processed >= 4) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }

    const out = await readRecords(output, { count: 4 });
    expect(out.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['k0=X!', 'k1=Y!', 'k2=Z!', 'k3=W!']);

    await withAdmin(async (admin) => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
      const total = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(total).toBe(4); // committed offsets point past every input record
    });
  });
});
