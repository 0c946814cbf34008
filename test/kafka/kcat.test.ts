/**
 * The test broker with a second, independent client: kcat (librdkafka). Needs `kcat` on PATH
 * (.ci/install-kafka.sh installs it; Debian/Ubuntu: apt-get install kcat).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTopics, kafkaBrokers, testKafka, uniqueId, uniqueTopic } from './helpers.js';
import { kcat } from './processes.js';

/** All records of a topic as `key=value` lines, read to the current end (the LSO for read_committed). */
async function kcatRead(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n', '-X', `isolation.level=${isolation}`]);
  return out.split('\n').filter(Boolean).sort();
}

describe('kcat against the test broker', () => {
  beforeAll(() => {
    const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error('kcat is not installed: run .ci/install-kafka.sh (or apt-get install kcat)');
    }
  });

  it('produces with kcat (plain and transactional) and reads back with read_committed', async () => {
    const topic = uniqueTopic('kcat');
    await createTopics({ topic, numPartitions: 2 });

    await kcat(['-P', '-t', topic, '-K', ':'], 'k1:plain-1\nk2:plain-2\n');
    // librdkafka's transactional producer: kcat commits the transaction when its input ends
    await kcat(['-P', '-t', topic, '-K', ':', '-X', `transactional.id=${uniqueId('kcat-txn')}`], 'k3:txn-1\nk4:txn-2\n');

    expect(await kcatRead(topic, 'read_committed')).toEqual(['k1=plain-1', 'k2=plain-2', 'k3=txn-1', 'k4=txn-2']);
  });

  it('hides records of an aborted kafkajs transaction from a read_committed kcat', async () => {
    const topic = uniqueTopic('kcat-abort');
    await createTopics({ topic, numPartitions: 1 });
    const producer = testKafka('kstream-test-kcat').producer({ transactionalId: uniqueId('kcat-abort'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const ok = await producer.transaction();
      await ok.send({ topic, messages: [{ key: 'a', value: 'kept' }] });
      await ok.commit();
      const bad = await producer.transaction();
      await bad.send({ topic, messages: [{ key: 'b', value: 'dropped' }] });
      await bad.abort();
      const ok2 = await producer.transaction();
      await ok2.send({ topic, messages: [{ key: 'c', value: 'kept-too' }] });
      await ok2.commit();
    } finally {
      await producer.disconnect();
    }

    expect(await kcatRead(topic, 'read_committed')).toEqual(['a=kept', 'c=kept-too']);
    expect(await kcatRead(topic, 'read_uncommitted')).toEqual(['a=kept', 'b=dropped', 'c=kept-too']);
  });
});
