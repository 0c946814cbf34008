/**
 * Which partition a task takes next (Kafka Streams' PartitionGroup with max.task.idle.ms = 0): the
 * lowest head timestamp, but while an empty partition may hold records that are not fetched yet
 * (its end is ahead of the fetch position, or unknown because nothing was fetched since the
 * assignment) the task waits for it. An empty partition known to be caught up does not hold it up.
 */
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, Consumed } from '../../src/index.js';
import type { ConsumedRecord } from '../../src/log/types.js';
import { RecordCache } from '../../src/state/record-cache.js';
import { resolveConfig } from '../../src/runtime/config.js';
import { silentLogger } from '../../src/common/logger.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { RecordQueue } from '../../src/runtime/record-queue.js';
import { StreamTask } from '../../src/runtime/stream-task.js';
import type { TaskEnvironment } from '../../src/runtime/task-environment.js';

const str = Consumed.with(Serdes.String(), Serdes.String());

/** A task over partition 0 of the given topics (merged into one output), stores in memory. */
function taskOver(topics: string[]): StreamTask {
  const builder = new StreamsBuilder();
  const streams = topics.map((t) => builder.stream<string, string>(t, str));
  streams.reduce((a, b) => a.merge(b)).to('out');
  const topology = builder.build();
  const config = resolveConfig({ 'application.id': 'partition-wait' }, silentLogger);
  const env: TaskEnvironment = {
    config,
    cache: new RecordCache(config.cacheMaxBytes),
    metrics: new Metrics(),
    now: () => 0,
    physicalTopic: (logical) => logical,
    partitionsFor: () => 1,
    storeDir: () => null,
    onRecordError: (_task, _kind, _record, error) => {
      throw error;
    },
    requestCommit: () => {},
  };
  const subtopologies = topology.subtopologies();
  expect(subtopologies).toHaveLength(1);
  const task = new StreamTask(env, topology, subtopologies[0]!, 0);
  task.initStoresInMemory();
  task.initProcessors();
  for (const t of topics) task.resume(t, 0, 0, undefined);
  return task;
}

const rec = (topic: string, offset: number, timestamp: number): ConsumedRecord => ({
  topic,
  partition: 0,
  offset,
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(`${topic}${offset}`),
  timestamp,
});

describe('RecordQueue.lagging', () => {
  it('is true while the end is unknown or ahead of the fetch position, false once caught up', () => {
    const q = new RecordQueue('t', 0, null as never);
    expect(q.knownEnd).toBe(-1);
    expect(q.lagging).toBe(true);
    q.knownEnd = 3;
    expect(q.lagging).toBe(true);
    q.fetchPosition = 3;
    expect(q.lagging).toBe(false);
    q.knownEnd = 0;
    q.fetchPosition = 0;
    expect(q.lagging).toBe(false);
  });
});

describe('StreamTask.process with an empty partition', () => {
  it('waits while the empty partition has not been fetched since the assignment (end unknown)', () => {
    const task = taskOver(['orders', 'prices']);
    task.enqueue({ topic: 'orders', partition: 0, records: [rec('orders', 0, 10), rec('orders', 1, 20)], endOffset: 2 });
    expect(task.queueFor('prices', 0)!.knownEnd).toBe(-1);
    expect(task.process(10)).toBe(0);
    expect(task.bufferedRecords).toBe(2);
  });

  it('waits while the empty partition is known to hold unfetched records, then takes timestamp order', () => {
    const task = taskOver(['orders', 'prices']);
    task.enqueue({ topic: 'orders', partition: 0, records: [rec('orders', 0, 10), rec('orders', 1, 30)], endOffset: 2 });
    task.queueFor('prices', 0)!.knownEnd = 1; // an end from a response without records for it
    expect(task.process(10)).toBe(0);
    task.enqueue({ topic: 'prices', partition: 0, records: [rec('prices', 0, 20)], endOffset: 1 });
    const orders = task.queueFor('orders', 0)!;
    const prices = task.queueFor('prices', 0)!;
    expect(task.process(1)).toBe(1);
    expect([orders.size, prices.size]).toEqual([1, 1]); // orders@10 first
    expect(task.process(1)).toBe(1);
    expect([orders.size, prices.size]).toEqual([1, 0]); // then prices@20
    expect(task.process(10)).toBe(1);
    expect(task.bufferedRecords).toBe(0);
  });

  it('goes on when the other partition is truly empty (end 0) or caught up', () => {
    const task = taskOver(['orders', 'prices']);
    task.queueFor('prices', 0)!.knownEnd = 0;
    task.enqueue({ topic: 'orders', partition: 0, records: [rec('orders', 0, 10), rec('orders', 1, 20)], endOffset: 2 });
    expect(task.process(10)).toBe(2);
    task.enqueue({ topic: 'prices', partition: 0, records: [rec('prices', 0, 5)], endOffset: 1 });
    task.enqueue({ topic: 'orders', partition: 0, records: [rec('orders', 2, 30)], endOffset: 3 });
    expect(task.process(10)).toBe(2); // prices caught up at 1 after its record
  });

  it('a single-partition task never waits, even with an unknown end', () => {
    const task = taskOver(['orders']);
    task.enqueue({ topic: 'orders', partition: 0, records: [rec('orders', 0, 10)], endOffset: -1 });
    expect(task.process(10)).toBe(1);
  });
});
