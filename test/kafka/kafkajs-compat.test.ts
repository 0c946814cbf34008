/**
 * What the kstream Kafka backend needs from kafkajs 2.2.x, checked against the test broker's Kafka version
 * (run with KSTREAM_TEST_KAFKA_VERSION=4.x to check a 4.x broker, which dropped old protocol versions).
 */
import { CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopics, kafkaVersion, readRecords, testKafka, uniqueId, uniqueTopic, withAdmin } from './helpers.js';

describe(`kafkajs against Kafka ${kafkaVersion()}`, () => {
  it('admin: configs, partitions, offsets, delete records and topics', async () => {
    const topic = uniqueTopic('admin');
    const compacted = uniqueTopic('admin-compacted');
    await createTopics(
      { topic, numPartitions: 1 },
      { topic: compacted, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    );
    await withAdmin(async (admin) => {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toHaveLength(1);

      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0].partitions).toHaveLength(3);

      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: compacted, configNames: ['cleanup.policy'] }],
      });
      expect(described.resources[0].configEntries[0].configValue).toBe('compact');

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
      });
      const altered = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }],
      });
      expect(altered.resources[0].configEntries[0].configValue).toBe('3600000');

      const producer = testKafka('kstream-test-admin-p').producer();
      await producer.connect();
      const t0 = Date.now();
      await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `v${i}` })) });
      await producer.disconnect();

      const offsets = await admin.fetchTopicOffsets(topic);
      const p0 = offsets.find((o) => o.partition === 0);
      expect(p0?.high).toBe('5');
      expect(p0?.low).toBe('0');
      const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, t0 - 60_000);
      expect(byTime.find((o) => o.partition === 0)?.offset).toBe('0');

      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
      const after = await admin.fetchTopicOffsets(topic);
      expect(after.find((o) => o.partition === 0)?.low).toBe('2');

      await admin.deleteTopics({ topics: [topic, compacted] });
      const left = await admin.listTopics();
      expect(left).not.toContain(topic);
    });
  });

  it('producer: idempotent, gzip, headers, keys, explicit partitions, timestamps', async () => {
    const topic = uniqueTopic('produce');
    await createTopics({ topic, numPartitions: 2 });
    const producer = testKafka('kstream-test-produce').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: 'k0', value: 'v0', partition: 0, timestamp: '1700000000000', headers: { h: 'x' } },
        { key: 'k1', value: 'v1', partition: 1, timestamp: '1700000000001' },
        { key: 'k2', value: null, partition: 1, timestamp: '1700000000002' },
      ],
    });
    await producer.disconnect();
    const recs = await readRecords(topic, { count: 3 });
    const byKey = new Map(recs.map((r) => [r.key, r]));
    expect(byKey.get('k0')?.partition).toBe(0);
    expect(byKey.get('k0')?.headers?.h?.toString()).toBe('x');
    expect(byKey.get('k0')?.timestamp).toBe('1700000000000');
    expect(byKey.get('k1')?.value).toBe('v1');
    expect(byKey.get('k2')?.value).toBeNull(); // tombstone
  });

  it('consumer groups: two members share partitions; commit, fetch, set and delete offsets; list/describe groups', async () => {
    const topic = uniqueTopic('group');
    const groupId = uniqueId('group');
    await createTopics({ topic, numPartitions: 4 });
    const kafka = testKafka('kstream-test-group');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: `m${i}` })) });
    await producer.disconnect();

    const seen = [new Set<number>(), new Set<number>()];
    let total = 0;
    const consumers = [0, 1].map(() => kafka.consumer({ groupId, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 500 }));
    await Promise.all(consumers.map((c) => c.connect()));
    try {
      await Promise.all(consumers.map((c) => c.subscribe({ topic, fromBeginning: true })));
      // start one member, let it join, then the second: the group must rebalance to share the 4 partitions
      const assigned = [new Set<number>(), new Set<number>()];
      consumers.forEach((c, i) =>
        c.on(c.events.GROUP_JOIN, (e) => {
          assigned[i] = new Set((e.payload.memberAssignment[topic] ?? []) as number[]);
        }),
      );
      await consumers[0].run({
        eachMessage: async ({ partition }) => {
          seen[0].add(partition);
          total++;
        },
      });
      await waitFor(() => assigned[0].size === 4, 20_000, 'first member to get all 4 partitions');
      await consumers[1].run({
        eachMessage: async ({ partition }) => {
          seen[1].add(partition);
          total++;
        },
      });
      await waitFor(() => assigned[0].size === 2 && assigned[1].size === 2, 30_000, 'the 4 partitions to be split 2/2');
      await waitFor(() => total >= 40, 20_000, 'all 40 records');
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect()));
    }

    await withAdmin(async (admin) => {
      const groups = await admin.listGroups();
      expect(groups.groups.map((g) => g.groupId)).toContain(groupId);
      const desc = await admin.describeGroups([groupId]);
      expect(desc.groups[0].protocolType).toBe('consumer');

      await waitFor(
        async () => {
          const o = await admin.fetchOffsets({ groupId, topics: [topic] });
          return o[0].partitions.reduce((s, p) => s + Number(p.offset), 0) === 40;
        },
        15_000,
        'committed offsets to reach 40',
      );
      // (kafkajs's setOffsets/resetOffsets run a paused consumer and take ~5 s: its fetch waits maxWaitTime)
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
      const set = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(set[0].partitions.find((p) => p.partition === 0)?.offset).toBe('3');
      await admin.deleteGroups([groupId]);
      const after = await admin.listGroups();
      expect(after.groups.map((g) => g.groupId)).not.toContain(groupId);
    });
  });

  it('transactions: a second producer with the same transactional.id fences the first (zombie fencing)', async () => {
    const topic = uniqueTopic('fence');
    const transactionalId = uniqueId('fence');
    await createTopics({ topic, numPartitions: 1 });
    const kafka = testKafka('kstream-test-fence');
    const zombie = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2, initialRetryTime: 100 } });
    const successor = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    await successor.connect();
    try {
      const zt = await zombie.transaction();
      await zt.send({ topic, messages: [{ key: 'z', value: 'from-zombie' }] });

      const st = await successor.transaction(); // InitProducerId bumps the epoch and aborts the zombie's open transaction
      await st.send({ topic, messages: [{ key: 's', value: 'from-successor' }] });
      await st.commit();

      await expect(zt.commit()).rejects.toThrow(/fenced|epoch|newer producer/i);
    } finally {
      await zombie.disconnect();
      await successor.disconnect();
    }
    const recs = await readRecords(topic, { count: 1 });
    expect(recs.map((r) => r.value)).toEqual(['from-successor']);
  });

  it('consumer: seek and pause/resume', async () => {
    const topic = uniqueTopic('seek');
    await createTopics({ topic, numPartitions: 1 });
    const kafka = testKafka('kstream-test-seek');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `s${i}` })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueId('seek'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    const got: string[] = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: false }); // starts at the end: only the seek brings records
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value?.toString() ?? '');
        },
      });
      consumer.seek({ topic, partition: 0, offset: '7' });
      await waitFor(() => got.length >= 3, 20_000, 'three records after seeking to 7');
      consumer.pause([{ topic }]);
      expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);
      consumer.resume([{ topic }]);
    } finally {
      await consumer.disconnect();
    }
    expect(got.slice(0, 3)).toEqual(['s7', 's8', 's9']);
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
