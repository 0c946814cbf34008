import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { type GroupConsumer, type HandoffTaskProducer, type ProducedRecord, tpKey } from '../../src/log/types.js';
import { RepartitionHandoff } from '../../src/runtime/repartition-handoff.js';
import type { RecordQueue } from '../../src/runtime/record-queue.js';
import type { StreamTask } from '../../src/runtime/stream-task.js';
import { tempDir } from '../helpers/embedded.js';

const TOPIC = 'app-x-repartition';

/** The parts of a task and its queue that the hand-off touches: what it queued, and how far it was consumed. */
function fakeTask(): { task: StreamTask; queue: RecordQueue; queued: Array<[string, number]> } {
  const queued: Array<[string, number]> = [];
  const queue = { fetchPosition: 0, consumedOffset: -1 } as RecordQueue;
  const task = {
    queueFor: () => queue,
    enqueueInto: (q: RecordQueue, r: ProducedRecord, offset: number) => {
      q.fetchPosition = offset + 1;
      queued.push([r.value as string, offset]);
    },
  } as unknown as StreamTask;
  return { task, queue, queued };
}

function rec(value: string, topic = TOPIC): ProducedRecord {
  return { topic, partition: 0, key: 'k', value, timestamp: 0 };
}

describe('the repartition hand-off on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  let log: EmbeddedLog;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    log = EmbeddedLog.open(dir);
    await log.admin().createTopics([
      { name: TOPIC, partitions: 1 },
      { name: 'out', partitions: 1 },
    ]);
  });
  afterEach(async () => {
    await log.close();
    cleanup();
  });

  async function setUp() {
    const producer = log.capabilities.inProcessHandoff!.taskProducer({ guarantee: 'exactly_once', applicationId: 'app' }) as HandoffTaskProducer;
    const seeks: number[] = [];
    const consumer = { seek: (_t: string, _p: number, offset: number) => seeks.push(offset) } as unknown as GroupConsumer;
    const handoff = new RepartitionHandoff(producer, consumer, log.admin());
    await handoff.assign([{ topic: TOPIC, partition: 0 }], (t) => t === TOPIC);
    const fake = fakeTask();
    handoff.attach(TOPIC, 0, fake.task);
    return { producer, handoff, seeks, ...fake };
  }

  async function written(topic: string): Promise<Array<[string, number]>> {
    const reader = log.reader();
    try {
      return (await reader.read(topic, 0, 0, 100)).map((r) => [Buffer.from(r.value as Buffer).toString(), r.offset]);
    } finally {
      await reader.close();
    }
  }

  it('queues records for the local task, returns the others for the producer, and writes none of those consumed', async () => {
    const { producer, handoff, queue, queued, seeks } = await setUp();
    const rest = handoff.handOff([rec('a'), rec('o1', 'out'), rec('b'), rec('c')]);
    expect(rest.map((r) => r.value)).toEqual(['o1']);
    expect(queued).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(seeks).toEqual([3]);
    producer.send('0_0', rest);
    expect(handoff.bufferedBytes()).toBeGreaterThan(0);
    queue.consumedOffset = 2; // a and b processed; c still queued
    handoff.release();
    const ends = await handoff.commit('app', [{ taskId: '0_0', offsets: [] }]);
    handoff.checkCommitted(ends);
    expect(ends.get(tpKey(TOPIC, 0))).toBe(3);
    expect(handoff.bufferedBytes()).toBe(0);
    // Offsets 0 and 1 are a gap; c is written at offset 2 for whoever reads after a restart.
    expect(await written(TOPIC)).toEqual([['c', 2]]);
    expect(await written('out')).toEqual([['o1', 0]]);
  });

  it('keeps offsets continuous across commits, and writes what the task has not fetched yet', async () => {
    const { handoff, queue, queued } = await setUp();
    handoff.handOff([rec('a'), rec('b')]);
    queue.consumedOffset = 2;
    handoff.checkCommitted(await handoff.commit('app', [{ taskId: '0_0', offsets: [] }]));
    // The task is behind (its fetch position is not where the next record lands): nothing is queued.
    queue.fetchPosition = 1;
    handoff.handOff([rec('c'), rec('d')]);
    expect(queued.map(([v]) => v)).toEqual(['a', 'b']);
    handoff.release();
    handoff.checkCommitted(await handoff.commit('app', [{ taskId: '0_0', offsets: [] }]));
    expect(await written(TOPIC)).toEqual([
      ['c', 2],
      ['d', 3],
    ]);
  });
});
