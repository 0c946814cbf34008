import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/common/logger.js';
import { Materialized, StreamsBuilder } from '../../src/index.js';
import { openLog } from '../../src/log/open-log.js';
import type { Log } from '../../src/log/types.js';
import { Serdes } from '../../src/serde/serdes.js';
import type { KeyValueStore } from '../../src/state/store.js';
import { RecordCache } from '../../src/state/record-cache.js';
import { resolveConfig } from '../../src/runtime/config.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { StandbyTasks } from '../../src/runtime/standby-tasks.js';
import { StoreChangelogReader } from '../../src/runtime/store-changelog-reader.js';
import type { TaskEnvironment } from '../../src/runtime/task-environment.js';

const dirs: string[] = [];
const logs: Log[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-standby-'));
  dirs.push(dir);
  return dir;
}

const CHANGELOG = 'app-key-counts-changelog';
const long = Serdes.Long();

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Appends updates k<i mod 100> = i to partition 1 of the changelog, for i in [from, from + count). */
async function writeChangelog(log: Log, from: number, count: number): Promise<void> {
  const records = [];
  for (let i = from; i < from + count; i++) records.push({ topic: CHANGELOG, partition: 1, key: Buffer.from(`k${i % 100}`), value: long.serialize(i), timestamp: 1000 + i });
  await log.append(records);
}

async function setup() {
  const log = await openLog({ dataDir: tempDir() });
  logs.push(log);
  await log.admin().createTopics([{ name: CHANGELOG, partitions: 2 }]);
  const builder = new StreamsBuilder();
  builder.stream<string, string>('in').groupByKey().count(Materialized.as<string, number>('key-counts').withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
  const topology = builder.build();
  const infos: string[] = [];
  const logger: Logger = { debug() {}, info: (m: string) => infos.push(m), warn: (m: string) => infos.push(m), error() {} };
  const stateDir = tempDir();
  const config = resolveConfig({ 'application.id': 'app', 'state.dir': stateDir }, logger);
  const env = {
    config,
    cache: new RecordCache(0),
    metrics: new Metrics(),
    now: () => Date.now(),
    physicalTopic: (t: string) => t,
    partitionsFor: () => 2,
    storeDir: (task: string, store: string) => join(stateDir, 'app', task, store),
    onRecordError: () => undefined,
    requestCommit: () => undefined,
  } satisfies TaskEnvironment;
  let busy = false;
  const standbys = new StandbyTasks(env, topology, new StoreChangelogReader(log.admin(), log.reader(), logger), () => busy);
  const countOf = (key: string) => {
    const s = standbys.stores('key-counts')[0]?.store as KeyValueStore<string, number> | undefined;
    return s?.get(key);
  };
  return { log, standbys, infos, countOf, setBusy: (b: boolean) => (busy = b) };
}

describe('StandbyTasks', () => {
  it('follows a changelog in the background, also while the worker is busy, and checkpoints where it stopped when released', async () => {
    const { log, standbys, infos, countOf, setBusy } = await setup();
    await writeChangelog(log, 0, 5_000);
    await standbys.assign(new Set(['0_0']), ['0_1']);
    expect(standbys.ids).toEqual(['0_1']);
    await until('the standby to apply the changelog', () => standbys.applied === 5_000);
    expect(countOf('k99')).toBe(4_999);
    expect(standbys.applied).toBe(5_000);
    setBusy(true);
    await writeChangelog(log, 5_000, 10_000);
    await until('the standby to follow new records', () => standbys.applied === 15_000);
    expect(countOf('k0')).toBe(14_900);
    expect(standbys.stores('key-counts').map((s) => s.partition)).toEqual([1]);
    // The task becomes active here: the standby closes, checkpointed at the changelog end.
    await standbys.assign(new Set(['0_0', '0_1']), []);
    expect(standbys.ids).toEqual([]);
    expect(infos).toContain('standby task 0_1: closed after applying 15000 changelog records');
    // Opened again, it starts at its checkpoint: only what was appended since is read.
    await writeChangelog(log, 15_000, 7);
    await standbys.assign(new Set(), ['0_1']);
    expect(infos).toContain('standby task 0_1: store key-counts at offset 15000 of 15007');
    await until('the tail', () => standbys.applied === 7);
    expect(countOf('k6')).toBe(15_006);
    expect(countOf('k7')).toBe(14_907);
    await standbys.closeAll();
    expect(standbys.ids).toEqual([]);
  });

  it('gives no standby to a task that is active here or has no logged persistent store', async () => {
    const { standbys } = await setup();
    await standbys.assign(new Set(['0_1']), ['0_1', '7_0']);
    expect(standbys.ids).toEqual([]);
    await standbys.closeAll();
  });
});
