// The task manager's lifecycle on a real log, driven as the group drives it: assignments and
// revocations (kept, lost, reassigned) and the states each task goes through.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Materialized, Produced, Serdes, StreamsBuilder } from '../../src/index.js';
import { openLog } from '../../src/log/open-log.js';
import type { ConsumedBatch, GroupConsumer, Log, TopicPartition } from '../../src/log/types.js';
import { FetchedEnds } from '../../src/log/fetched-ends.js';
import { RecordCache } from '../../src/state/record-cache.js';
import { resolveConfig } from '../../src/runtime/config.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { StoreChangelogReader } from '../../src/runtime/store-changelog-reader.js';
import type { TaskEnvironment } from '../../src/runtime/task-environment.js';
import { TaskManager } from '../../src/runtime/task-manager.js';
import { physicalTopicName, planTopics } from '../../src/runtime/topic-planner.js';

const APP = 'tm';
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What the task manager asked of the group's consumer. */
class RecordingConsumer implements GroupConsumer {
  readonly fetchedEnds = new FetchedEnds();
  readonly seeks: string[] = [];
  readonly resumed: string[] = [];
  async subscribe(): Promise<void> {
    throw new Error('the test drives the listener itself');
  }
  async poll(): Promise<ConsumedBatch[]> {
    return [];
  }
  seek(topic: string, partition: number, offset: number): void {
    this.seeks.push(`${topic}/${partition}@${offset}`);
  }
  pause(): void {}
  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.resumed.push(`${p.topic}/${p.partition}`);
  }
  wakeup(): void {}
  tasksByHost(): null {
    return null;
  }
  standbyTasks() {
    return { tasks: [], hosts: new Map() };
  }
  async close(): Promise<void> {}
}

async function setup(logger: Logger = silentLogger) {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-task-manager-'));
  dirs.push(dir);
  const builder = new StreamsBuilder();
  builder.stream<string, string>('in').groupByKey().count(Materialized.as<string, number>('counts')).toStream().to('out', Produced.with(Serdes.String(), Serdes.Long()));
  const topology = builder.build();
  const log: Log = await openLog({ dataDir: dir });
  closers.push(() => log.close());
  const admin = log.admin();
  await admin.createTopics([{ name: 'in', partitions: 2 }]);
  await log.append([{ topic: 'in', partition: 1, key: 'a', value: 'x', timestamp: 1 }]);
  const config = resolveConfig({ 'application.id': APP, 'data.dir': dir }, logger);
  const plan = await planTopics(topology, admin, APP);
  await admin.createTopics([...plan.internalTopics, ...plan.missingSinkTopics]);
  const env: TaskEnvironment = {
    config,
    cache: new RecordCache(config.cacheMaxBytes),
    metrics: new Metrics(),
    now: () => Date.now(),
    physicalTopic: (logical) => physicalTopicName(topology, APP, logical),
    partitionsFor: (topic) => plan.partitions.get(topic) ?? 1,
    storeDir: (taskId, store) => join(config.stateDir, APP, taskId, store),
    onRecordError: (_task, _kind, _record, error) => {
      throw error;
    },
    requestCommit: () => {},
  };
  const producer = log.taskProducer({ guarantee: 'exactly_once', applicationId: APP });
  const aborted: string[] = [];
  const abort = producer.abort.bind(producer);
  producer.abort = async (ids) => {
    aborted.push(...ids);
    await abort(ids);
  };
  const reader = log.reader();
  const consumer = new RecordingConsumer();
  let commits = 0;
  const manager = new TaskManager({
    env,
    topology,
    config,
    plan,
    admin,
    consumer,
    producer,
    changelogReader: new StoreChangelogReader(admin, reader, logger),
    handoff: null,
    commit: async () => {
      commits++;
    },
  });
  closers.push(async () => {
    await manager.closeAll();
    await producer.close();
    await reader.close();
  });
  return { manager, consumer, log, aborted, commits: () => commits };
}

const tp = (partition: number): TopicPartition => ({ topic: 'in', partition });

/** Assigns, then restores in passes (as the worker loop does between its turns) until no task is restoring. */
async function assignAndRestore(manager: TaskManager, partitions: TopicPartition[]): Promise<void> {
  await manager.onAssigned(partitions);
  while (manager.restoringCount > 0) await manager.restoreStep(performance.now() + 10);
}

describe('TaskManager', () => {
  it('creates, restores and runs a task per assigned partition, seeking to where each input starts', async () => {
    const { manager, consumer } = await setup();
    expect(manager.rebalancing).toBe(false);
    await assignAndRestore(manager, [tp(0), tp(1)]);
    expect([...manager.active.keys()].sort()).toEqual(['0_0', '0_1']);
    expect([manager.stateOf('0_0'), manager.stateOf('0_1')]).toEqual(['RUNNING', 'RUNNING']);
    expect(manager.taskFor('in', 1)).toBe(manager.active.get('0_1'));
    expect(consumer.seeks).toEqual(['in/0@0', 'in/1@0']);
    expect(manager.rebalancing).toBe(false);
  });

  it('suspends revoked tasks after a commit and resumes the same task when it comes back', async () => {
    const { manager, consumer, commits } = await setup();
    await assignAndRestore(manager, [tp(0), tp(1)]);
    const task = manager.active.get('0_1')!;
    await manager.onRevoked([tp(1)], false);
    expect(commits()).toBe(1);
    expect(manager.stateOf('0_1')).toBe('SUSPENDED');
    expect([...manager.active.keys()]).toEqual(['0_0']);
    expect(manager.taskFor('in', 1)).toBeUndefined();
    consumer.seeks.length = 0;
    await assignAndRestore(manager, [tp(0), tp(1)]);
    expect(manager.stateOf('0_1')).toBe('RUNNING');
    expect(manager.active.get('0_1')).toBe(task);
    expect(consumer.seeks).toContain('in/1@0');
  });

  it('closes a suspended task that is not assigned again, and a lost one without committing', async () => {
    const { manager, aborted, commits } = await setup();
    await assignAndRestore(manager, [tp(0), tp(1)]);
    await manager.onRevoked([tp(0), tp(1)], false);
    expect([manager.stateOf('0_0'), manager.stateOf('0_1')]).toEqual(['SUSPENDED', 'SUSPENDED']);
    await assignAndRestore(manager, [tp(0)]);
    expect(manager.stateOf('0_0')).toBe('RUNNING');
    expect(manager.stateOf('0_1')).toBeUndefined();
    await manager.onRevoked([tp(0)], true);
    expect(commits()).toBe(1);
    expect(aborted).toEqual(['0_0']);
    expect(manager.stateOf('0_0')).toBeUndefined();
    expect(manager.active.size).toBe(0);
  });

  it('keeps a new task RESTORING, its input assigned but not processed, until restore passes reach its changelog end', async () => {
    const { manager, log } = await setup();
    await writeChangelog(log, 0, 10_000);
    await manager.onAssigned([tp(0), tp(1)]);
    expect([manager.stateOf('0_0'), manager.stateOf('0_1')]).toEqual(['RESTORING', 'RESTORING']);
    expect(manager.active.size).toBe(0);
    expect(manager.taskFor('in', 0)).toBeDefined();
    expect(manager.rebalancing).toBe(true);
    // A pass whose deadline has passed still reads once: partition 1's empty changelog is done, partition 0 has 10,000 records.
    while (manager.stateOf('0_1') !== 'RUNNING') await manager.restoreStep(0);
    expect(manager.stateOf('0_0')).toBe('RESTORING');
    expect(manager.rebalancing).toBe(true);
    while (manager.restoringCount > 0) await manager.restoreStep(0);
    expect([...manager.active.keys()].sort()).toEqual(['0_0', '0_1']);
    expect(manager.rebalancing).toBe(false);
  });

  it('closes a task revoked while restoring with its stores checkpointed where the restore got to; assigned again, it restores only the rest', async () => {
    const infos: string[] = [];
    const logger: Logger = { ...silentLogger, info: (m: string) => infos.push(m) };
    const { manager, log } = await setup(logger);
    await writeChangelog(log, 0, 10_000);
    await manager.onAssigned([tp(0)]);
    await manager.restoreStep(0);
    await manager.onRevoked([tp(0)], false);
    expect(manager.stateOf('0_0')).toBeUndefined();
    expect(infos).toContain('stopped restoring store counts of task 0_0 at changelog offset 4000 of 10000 (4000 records restored, checkpointed); the next restore reads from there');
    await assignAndRestore(manager, [tp(0)]);
    expect(infos.find((m) => m.startsWith('restored '))).toMatch(/^restored 6000 records into store counts of task 0_0 in \d+ ms \(changelog offsets 4000 to 10000\)$/);
    expect(manager.stateOf('0_0')).toBe('RUNNING');
    expect(manager.active.get('0_0')!.stores.get('counts')!.restoreFrom()).toBe(10_000);
  });
});

/** `count` updates of keys k0..k9 (value = offset) on partition 0 of the counts store's changelog, in batches of 1,000. */
async function writeChangelog(log: Log, from: number, count: number): Promise<void> {
  const long = Serdes.Long();
  for (let b = from; b < from + count; b += 1_000) {
    const records = [];
    for (let i = b; i < Math.min(b + 1_000, from + count); i++) records.push({ topic: `${APP}-counts-changelog`, partition: 0, key: `k${i % 10}`, value: long.serialize(i), timestamp: 1000 + i });
    await log.append(records);
  }
}
