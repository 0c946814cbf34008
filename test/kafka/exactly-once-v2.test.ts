/**
 * exactly_once_v2 at the protocol level: the worker's one transactional producer commits offsets
 * with the group's generation and member id (TxnOffsetCommit v3), so a member the group moved on
 * from is fenced by the group coordinator; and committed offsets are read with require_stable, so
 * a reader waits for a transaction whose offsets are still pending; a worker restarted on its state
 * directory (same process id) aborts its killed predecessor's open transaction at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTuning } from '../../src/log/kafka/client-config.js';
import type { KafkaGroupConsumer } from '../../src/log/kafka/group-consumer.js';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import type { ProducerSession } from '../../src/log/kafka/producer-session.js';
import { WorkerTransactionalProducer, type ProducerHooks } from '../../src/log/kafka/worker-producer.js';
import { TaskMigratedError, tpKey, type ProducedRecord } from '../../src/log/types.js';
import { silentLogger } from '../../src/common/logger.js';
import { kafkaBrokers, kafkaVersion, testKafka, uniqueId } from './helpers.js';

const records = (topic: string, from: number, n: number): ProducedRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic, partition: 0, key: Buffer.from(`k${from + i}`), value: Buffer.from(`v${from + i}`), timestamp: Date.now() }));

describe(`exactly_once_v2 on Kafka ${kafkaVersion()}`, () => {
  let log: KafkaLog;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(async () => {
    log = await KafkaLog.open(brokers(), { logger: silentLogger, settings: { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 } });
  });
  afterAll(async () => {
    await log?.close();
  });

  /** A member of `group` that holds the input topic's partitions (joined by polling). */
  async function member(group: string, input: string): Promise<KafkaGroupConsumer> {
    const c = log.groupConsumer(group, { readCommitted: true }) as KafkaGroupConsumer;
    await c.subscribe([input], { onAssigned: async () => undefined, onRevoked: async () => undefined }, { subtopologies: new Map([[input, 0]]) });
    const deadline = Date.now() + 30_000;
    while (c.membership() === null && Date.now() < deadline) await c.poll(100);
    expect(c.membership()).not.toBeNull();
    return c;
  }

  async function readCommitted(topic: string): Promise<string[]> {
    const reader = log.reader({ readCommitted: true });
    try {
      return (await reader.read(topic, 0, 0, 1000)).map((r) => String(r.value));
    } finally {
      await reader.close();
    }
  }

  it('a member whose generation is over cannot commit: its transaction aborts, its tasks are lost, nothing of it is visible', async () => {
    const group = uniqueId('v2-fence');
    const input = `${group}-input`;
    const output = `${group}-output`;
    await log.admin().createTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ]);
    const first = await member(group, input);
    const zombieView = first.membership()!;
    const lost: string[] = [];
    const hooks: ProducerHooks = { membership: () => zombieView, tasksLost: (_g, ids) => lost.push(...ids) };
    const producer = new WorkerTransactionalProducer(testKafka('v2-fence'), group, kafkaTuning({}), hooks, silentLogger);
    try {
      await producer.openTasks();
      producer.send('0_0', records(output, 0, 3));
      await producer.commit(group, [{ taskId: '0_0', offsets: [{ topic: input, partition: 0, offset: 10 }] }]);
      expect(await readCommitted(output)).toEqual(['v0', 'v1', 'v2']);
      expect((await log.admin().committedOffsets(group, [input])).get(tpKey(input, 0))?.offset).toBe(10);

      // The member leaves; another joins: a new generation without the first one.
      await first.close();
      const second = await member(group, input);
      expect(second.membership()!.generationId).toBeGreaterThan(zombieView.generationId);

      // The first member's producer, still using its old generation, is a zombie now.
      producer.send('0_0', records(output, 3, 3));
      const error = await producer.commit(group, [{ taskId: '0_0', offsets: [{ topic: input, partition: 0, offset: 20 }] }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskMigratedError);
      expect((error as TaskMigratedError).lostTaskIds).toEqual(['0_0']);
      expect((error as Error).message).toMatch(/ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID|generation|member/i);
      expect(lost).toEqual(['0_0']);
      expect(await readCommitted(output)).toEqual(['v0', 'v1', 'v2']);
      expect((await log.admin().committedOffsets(group, [input])).get(tpKey(input, 0))?.offset).toBe(10);

      // The same producer commits again once it has the current generation (after rejoining).
      hooks.membership = () => second.membership();
      producer.send('0_0', records(output, 6, 2));
      await producer.commit(group, [{ taskId: '0_0', offsets: [{ topic: input, partition: 0, offset: 30 }] }]);
      expect(await readCommitted(output)).toEqual(['v0', 'v1', 'v2', 'v6', 'v7']);
      expect((await log.admin().committedOffsets(group, [input])).get(tpKey(input, 0))?.offset).toBe(30);
      await second.close();
    } finally {
      await producer.close();
    }
  }, 120_000);

  it('committed offsets wait for a transaction whose offsets are pending (require_stable)', async () => {
    const group = uniqueId('v2-stable');
    const input = `${group}-input`;
    await log.admin().createTopics([{ name: input, partitions: 1 }]);
    const m = await member(group, input);
    const hooks: ProducerHooks = { membership: () => m.membership(), tasksLost: () => undefined };
    const producer = new WorkerTransactionalProducer(testKafka('v2-stable'), group, kafkaTuning({}), hooks, silentLogger);
    try {
      await producer.openTasks();
      await producer.commit(group, [{ taskId: '0_0', offsets: [{ topic: input, partition: 0, offset: 5 }] }]);
      // Offsets added to the worker's transaction, not yet committed: through the session itself.
      const session = await (producer as unknown as { start(): Promise<import('../../src/log/kafka/producer-session.js').ProducerSession> }).start();
      const v = m.membership()!;
      await session.sendOffsets(group, [{ topic: input, partition: 0, offset: 9 }], { ...v, groupInstanceId: null });
      let settled = false;
      const reading = log
        .admin()
        .committedOffsets(group, [input])
        .finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(settled).toBe(false);
      await session.endTransaction(true);
      expect((await reading).get(tpKey(input, 0))?.offset).toBe(9);
      await m.close();
    } finally {
      await producer.close();
    }
  }, 120_000);

  it('a worker restarted with the process id of its state dir aborts the transaction its killed predecessor left open, at once', async () => {
    const group = uniqueId('v2-restart');
    const output = `${group}-output`;
    await log.admin().createTopics([{ name: output, partitions: 1 }]);
    const hooks: ProducerHooks = { membership: () => null, tasksLost: () => undefined };
    const processId = randomUUID();
    type Startable = { start(): Promise<ProducerSession> };
    const killed = new WorkerTransactionalProducer(testKafka('v2-restart-killed'), group, kafkaTuning({}), hooks, silentLogger, processId);
    const restarted = new WorkerTransactionalProducer(testKafka('v2-restart-again'), group, kafkaTuning({}), hooks, silentLogger, processId);
    expect(restarted.transactionalId).toBe(killed.transactionalId);
    try {
      // Records written in a transaction that is never ended (the worker was SIGKILLed).
      await (await (killed as unknown as Startable).start()).send(records(output, 0, 3), new Map());
      expect((await log.admin().endOffsets(output))[0]).toBe(0);
      expect((await log.admin().logEndOffsets(output))[0]).toBeGreaterThanOrEqual(3);
      // The same worker starts again (transaction.timeout.ms is 10 s: the broker would abort later).
      const started = Date.now();
      await restarted.openTasks();
      let stable = 0;
      let end = 1;
      while (Date.now() - started < 3_000) {
        [stable, end] = [(await log.admin().endOffsets(output))[0]!, (await log.admin().logEndOffsets(output))[0]!];
        if (stable === end) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(stable).toBe(end);
      expect(await readCommitted(output)).toEqual([]);
    } finally {
      await restarted.close();
      await killed.close().catch(() => undefined);
    }
  }, 60_000);
});

