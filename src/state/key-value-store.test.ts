import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serdes } from '../serde/serdes.js';
import { KeyValueStoreBuilder, type KeyValueStoreImpl } from './key-value-store.js';
import { RecordCache } from './record-cache.js';
import type { StoreInitContext } from './managed-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Logged {
  key: string;
  value: number | null;
  timestamp: number;
}

async function open(options: { persistent: boolean; caching: boolean; cacheBytes?: number; dir?: string }) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kstream-kv-'));
  if (options.dir === undefined) dirs.push(dir);
  const logged: Logged[] = [];
  const b = new KeyValueStoreBuilder('s', options.persistent, Serdes.String(), Serdes.Long());
  if (options.caching) b.withCachingEnabled();
  const store = b.build() as KeyValueStoreImpl<string, number>;
  const ctx: StoreInitContext = {
    applicationId: 'app',
    taskId: { subtopology: 0, partition: 0 },
    storeDir: dir,
    changelogTopic: 'app-s-changelog',
    changelogPartition: 0,
    cache: new RecordCache(options.cacheBytes ?? 1024 * 1024),
    logChange: (_t, _p, key, value, timestamp) =>
      logged.push({ key: key.toString(), value: value === null ? null : Serdes.Long().deserialize(value), timestamp }),
    currentRecordTimestamp: () => 77,
    currentStreamTime: () => 77,
  };
  await store.init(ctx);
  return { store, logged, dir };
}

describe('key-value store layers', () => {
  it('without a cache every put is logged to the changelog with its timestamp', async () => {
    const { store, logged } = await open({ persistent: false, caching: false });
    store.putWithTimestamp('a', 1, 10);
    store.putWithTimestamp('a', 2, 11);
    store.delete('a');
    expect(logged).toEqual([
      { key: 'a', value: 1, timestamp: 10 },
      { key: 'a', value: 2, timestamp: 11 },
      { key: 'a', value: null, timestamp: 77 },
    ]);
    expect(store.get('a')).toBeNull();
  });

  it('the cache dedupes updates between flushes and forwards the last one in update order', async () => {
    const { store, logged } = await open({ persistent: false, caching: true });
    const forwarded: string[] = [];
    store.setFlushListener((k, nv, ov, ts) => forwarded.push(`${k}:${ov}->${nv}@${ts}`), true);
    store.putWithTimestamp('a', 1, 1);
    store.putWithTimestamp('b', 1, 2);
    store.putWithTimestamp('a', 2, 3);
    expect(store.get('a')).toBe(2);
    expect(logged).toEqual([]);
    store.flushCache();
    expect(forwarded).toEqual(['b:null->1@2', 'a:null->2@3']);
    expect(logged.map((l) => `${l.key}=${l.value}`)).toEqual(['b=1', 'a=2']);
    store.putWithTimestamp('a', 5, 9);
    store.flushCache();
    expect(forwarded.at(-1)).toBe('a:2->5@9');
  });

  it('an over-budget cache evicts and flushes dirty entries', async () => {
    const { store, logged } = await open({ persistent: false, caching: true, cacheBytes: 300 });
    for (let i = 0; i < 20; i++) store.putWithTimestamp(`k${i}`, i, i);
    expect(logged.length).toBeGreaterThan(0);
    store.flushCache();
    expect(new Set(logged.map((l) => l.key)).size).toBe(20);
    for (let i = 0; i < 20; i++) expect(store.get(`k${i}`)).toBe(i);
  });

  it('scans merge cached and stored entries in key order', async () => {
    const { store } = await open({ persistent: false, caching: true });
    store.putWithTimestamp('b', 2, 1);
    store.flushCache();
    store.putWithTimestamp('a', 1, 1);
    store.putWithTimestamp('c', 3, 1);
    store.putWithTimestamp('b', 20, 1);
    expect([...store.all()]).toEqual([
      ['a', 1],
      ['b', 20],
      ['c', 3],
    ]);
    expect([...store.reverseRange('a', 'b')]).toEqual([
      ['b', 20],
      ['a', 1],
    ]);
    expect([...store.prefixScan('b')]).toEqual([['b', 20]]);
  });

  it('a LevelDB store keeps data and checkpoint together and trusts only committed data', async () => {
    const first = await open({ persistent: true, caching: false });
    first.store.putWithTimestamp('a', 1, 1);
    await first.store.commit(5);
    first.store.putWithTimestamp('b', 2, 2);
    expect(first.store.get('b')).toBe(2);
    // Closing without a commit drops pending writes, as a crash would.
    await first.store.close();
    const again = await open({ persistent: true, caching: false, dir: first.dir });
    expect(again.store.get('a')).toBe(1);
    expect(again.store.get('b')).toBeNull();
    expect(again.store.restoreFrom()).toBe(5);
    let seen: Array<[string, number]> = [];
    for await (const kv of again.store.allAsync()) seen.push([kv[0], kv[1]]);
    expect(seen).toEqual([['a', 1]]);
    again.store.restore([{ key: Buffer.from('c'), value: Serdes.Long().serialize(3), timestamp: 4 }]);
    await again.store.commit(6);
    seen = [];
    for await (const kv of again.store.rangeAsync('b', 'z')) seen.push([kv[0], kv[1]]);
    expect(seen).toEqual([['c', 3]]);
    expect(again.store.getWithTimestamp('c')).toEqual({ value: 3, timestamp: 4 });
    await again.store.close();
  });

  it('synchronous scans on a LevelDB store explain the async alternative', async () => {
    const { store } = await open({ persistent: true, caching: false });
    expect(() => [...store.all()]).toThrow(/use rangeAsync\(\)\/allAsync\(\)/);
    await store.close();
  });
});
