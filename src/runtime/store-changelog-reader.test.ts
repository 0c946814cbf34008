import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLog } from '../log/open-log.js';
import type { Log } from '../log/types.js';
import { Serdes } from '../serde/serdes.js';
import { KeyValueStoreBuilder, type KeyValueStoreImpl } from '../state/key-value-store.js';
import type { ManagedStore } from '../state/managed-store.js';
import { testStoreContext } from '../state/test-context.js';
import type { Logger } from '../common/logger.js';
import { type RestoringTask, StoreChangelogReader } from './store-changelog-reader.js';

const CHANGELOG = 'app-counts-changelog';
const dirs: string[] = [];
const logs: Log[] = [];
const stores: ManagedStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const log of logs.splice(0)) await log.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-restore-'));
  dirs.push(dir);
  return dir;
}

const long = Serdes.Long();

/** Writes `count` updates of keys k0..k9 (value = offset) to partition 1 of the changelog. */
async function writeChangelog(log: Log, from: number, count: number): Promise<void> {
  const records = [];
  for (let i = from; i < from + count; i++) {
    records.push({ topic: CHANGELOG, partition: 1, key: `k${i % 10}`, value: long.serialize(i), timestamp: 1000 + i });
  }
  await log.append(records);
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
}

/** A task of partition 1 with one persistent key-value store (and one store without a changelog). */
async function taskWithStore(
  storeDir: string,
): Promise<{ task: RestoringTask; store: KeyValueStoreImpl<string, number>; progress: Map<string, { total: number; restored: number; remaining: number }> }> {
  const build = () => new KeyValueStoreBuilder<string, number>('counts', true, Serdes.String(), long).build() as KeyValueStoreImpl<string, number>;
  const store = build();
  const unlogged = new KeyValueStoreBuilder<string, number>('scratch', false, Serdes.String(), long).build();
  const init = (s: ManagedStore, changelog: boolean) => s.init(testStoreContext({ storeDir: changelog ? storeDir : null, changelog }));
  await init(store, true);
  await init(unlogged, false);
  stores.push(store, unlogged);
  const progress = new Map<string, { total: number; restored: number; remaining: number }>();
  const task: RestoringTask = {
    idString: '0_1',
    id: { partition: 1 },
    stores: new Map<string, ManagedStore>([
      ['counts', store],
      ['scratch', unlogged],
    ]),
    changelogTopic: (name) => (name === 'counts' ? CHANGELOG : null),
    initStore: (name) => (name === 'counts' ? init(store, true) : init(unlogged, false)),
    sensors: {
      restoring: (name, total) => {
        const sensor = { total, restored: 0, remaining: total };
        progress.set(name, sensor);
        return sensor;
      },
    },
  };
  return { task, store, progress };
}

describe('StoreChangelogReader', () => {
  it('restores a store from an empty checkpoint to the changelog end, across read batches (on the default log of a data dir), and checkpoints there', async () => {
    const log = await openLog({ dataDir: tempDir() });
    logs.push(log);
    await log.admin().createTopics([{ name: CHANGELOG, partitions: 2 }]);
    await writeChangelog(log, 0, 25_000);
    const { task, store, progress } = await taskWithStore(tempDir());
    const reader = new StoreChangelogReader(log.admin(), log.reader(), recordingLogger());
    const done = await reader.restore(task);
    expect(done).toEqual([{ store: 'counts', changelog: CHANGELOG, from: 0, end: 25_000, records: 25_000 }]);
    expect([...progress]).toEqual([['counts', { total: 25_000, restored: 25_000, remaining: 0 }]]);
    expect(store.get('k3')).toBe(24_993);
    expect(store.get('k9')).toBe(24_999);
    expect(store.restoreFrom()).toBe(25_000);
  });

  it('starts at the checkpoint: a second restore reads only what was appended since', async () => {
    const log = await openLog({ dataDir: tempDir() });
    logs.push(log);
    await log.admin().createTopics([{ name: CHANGELOG, partitions: 2 }]);
    await writeChangelog(log, 0, 100);
    const { task, store } = await taskWithStore(tempDir());
    const reader = new StoreChangelogReader(log.admin(), log.reader(), recordingLogger());
    expect((await reader.restore(task))[0]!.records).toBe(100);
    await writeChangelog(log, 100, 7);
    expect(await reader.restore(task)).toEqual([{ store: 'counts', changelog: CHANGELOG, from: 100, end: 107, records: 7 }]);
    expect(store.get('k6')).toBe(106);
    expect(store.get('k7')).toBe(97);
    expect(await reader.restore(task)).toEqual([{ store: 'counts', changelog: CHANGELOG, from: 107, end: 107, records: 0 }]);
  });

  it('wipes and rebuilds a store whose checkpoint is ahead of its changelog, and says so', async () => {
    const storeDir = tempDir();
    const first = await openLog({ dataDir: tempDir() });
    logs.push(first);
    await first.admin().createTopics([{ name: CHANGELOG, partitions: 2 }]);
    await writeChangelog(first, 0, 50);
    const { task, store } = await taskWithStore(storeDir);
    await new StoreChangelogReader(first.admin(), first.reader(), recordingLogger()).restore(task);
    store.put('only-local', 1);
    await store.commit(50);
    // A new log whose changelog is shorter than the store's checkpoint.
    const second = await openLog({ dataDir: tempDir() });
    logs.push(second);
    await second.admin().createTopics([{ name: CHANGELOG, partitions: 2 }]);
    await writeChangelog(second, 0, 20);
    const logger = recordingLogger();
    const done = await new StoreChangelogReader(second.admin(), second.reader(), logger).restore(task);
    expect(done).toEqual([{ store: 'counts', changelog: CHANGELOG, from: 0, end: 20, records: 20 }]);
    expect(logger.warnings).toEqual(['store counts of task 0_1 is ahead of its changelog (50 > 20); rebuilding it']);
    expect(store.get('only-local')).toBeNull();
    expect(store.get('k4')).toBe(14);
    expect(store.restoreFrom()).toBe(20);
  });
});
