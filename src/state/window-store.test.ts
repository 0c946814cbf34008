import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serdes } from '../serde/serdes.js';
import { WindowStoreBuilder, type WindowStoreImpl } from './window-store.js';
import { testStoreContext } from './test-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open<V>(
  opts: { persistent?: boolean; retention?: number; size?: number; dup?: boolean; timestamped?: boolean; cache?: number; bucket?: number },
  valueSerde = Serdes.String() as unknown as import('../serde/serde.js').Serde<V>,
) {
  const persistent = opts.persistent ?? false;
  const dir = persistent ? mkdtempSync(join(tmpdir(), 'kstream-ws-')) : null;
  if (dir !== null) dirs.push(dir);
  const b = new WindowStoreBuilder<string, V>('ws', persistent, opts.retention ?? 100, opts.size ?? 10, opts.dup ?? false, Serdes.String(), valueSerde, opts.timestamped ?? true);
  if (opts.cache !== undefined) b.withCachingEnabled();
  if (opts.bucket !== undefined) b.withIndexBucket(opts.bucket);
  const store = b.build() as WindowStoreImpl<string, V>;
  const ctx = testStoreContext({ storeDir: dir, cacheBytes: opts.cache ?? 0 });
  await store.init(ctx);
  return { store, ctx, dir };
}

describe.each([false, true])('window store (persistent=%s)', (persistent) => {
  it('point fetch, range fetch (both directions) and deletes', async () => {
    const { store } = await open<string>({ persistent });
    store.putWithTimestamp('a', 'a0', 0, 5);
    store.putWithTimestamp('a', 'a10', 10, 12);
    store.putWithTimestamp('a', 'a20', 20, 21);
    store.putWithTimestamp('b', 'b10', 10, 11);
    store.putWithTimestamp('ab', 'ab10', 10, 11);
    expect(store.fetch('a', 10)).toBe('a10');
    expect(store.fetchWithTimestamp('a', 20)).toEqual({ value: 'a20', timestamp: 21 });
    expect(store.fetch('a', 5)).toBeNull();
    expect(store.fetch('a', 0, 15)).toEqual([
      [0, 'a0'],
      [10, 'a10'],
    ]);
    expect(store.backwardFetch('a', 0, 100)).toEqual([
      [20, 'a20'],
      [10, 'a10'],
      [0, 'a0'],
    ]);
    store.putWithTimestamp('a', null, 10, 30);
    expect(store.fetch('a', 0, 100).map(([t]) => t)).toEqual([0, 20]);
    if (!persistent) {
      expect(store.all().map(([w, v]) => `${w.key}@${w.window.start}/${w.window.end}=${v}`)).toEqual(['a@0/10=a0', 'a@20/30=a20', 'ab@10/20=ab10', 'b@10/20=b10']);
    }
    expect((await store.allAsync()).length).toBe(4);
    await store.close();
  });

  it('expires windows older than stream time − retention and drops late puts into expired segments', async () => {
    const { store, ctx } = await open<string>({ persistent, retention: 20, size: 10 });
    store.putWithTimestamp('a', 'old', 0, 0);
    store.putWithTimestamp('a', 'mid', 10, 10);
    store.putWithTimestamp('a', 'new', 30, 30);
    // visible: start > 30 − 20
    expect(store.fetch('a', 0)).toBeNull();
    expect(store.fetch('a', 10)).toBeNull();
    expect(store.fetch('a', 0, 100)).toEqual([[30, 'new']]);
    expect(ctx.dropped).toEqual([]);
    // in memory: start <= 30 − 20 is dropped; persistent: the segment (max(retention/2, 60 s)) is still live
    store.putWithTimestamp('a', 'late', 10, 10);
    expect(ctx.dropped.length).toBe(persistent ? 0 : 1);
    store.putWithTimestamp('a', 'far', 200_000, 200_000);
    store.putWithTimestamp('a', 'late2', 10, 10);
    expect(ctx.dropped.length).toBe(persistent ? 1 : 2);
    expect(store.fetch('a', 0, 300_000)).toEqual([[200_000, 'far']]);
    await store.close();
  });

  it('keeps duplicates in insertion order per timestamp (join stores) and logs key ‖ start ‖ seqnum', async () => {
    const { store, ctx } = await open<string>({ persistent, dup: true, timestamped: false, size: 20, retention: 40, bucket: 3 });
    store.putWithTimestamp('k', 'x1', 10, 10);
    store.putWithTimestamp('k', 'x2', 10, 10);
    store.putWithTimestamp('k', 'y', 5, 5);
    store.putWithTimestamp('k', null, 5, 5); // ignored
    expect(store.fetch('k', 0, 20)).toEqual([
      [5, 'y'],
      [10, 'x1'],
      [10, 'x2'],
    ]);
    expect(ctx.logged.map((r) => r.key!.toString('hex'))).toEqual([
      '6b' + '000000000000000a' + '00000001',
      '6b' + '000000000000000a' + '00000002',
      '6b' + '0000000000000005' + '00000003',
    ]);
    await store.close();
  });

  it('restores from its changelog records (index and values, deletes, expiry)', async () => {
    const first = await open<string>({ persistent, retention: 50 });
    first.store.putWithTimestamp('a', 'a0', 0, 3);
    first.store.putWithTimestamp('a', 'a10', 10, 12);
    first.store.putWithTimestamp('b', 'b10', 10, 11);
    first.store.putWithTimestamp('a', null, 0, 13);
    first.store.putWithTimestamp('c', 'c40', 40, 44);
    expect(first.ctx.logged.map((r) => (r.value === null ? null : r.value.toString()))).toEqual(['a0', 'a10', 'b10', null, 'c40']);
    // changelog values are raw; the timestamp travels as the record timestamp
    expect(first.ctx.logged.map((r) => r.timestamp)).toEqual([3, 12, 11, 13, 44]);
    const second = await open<string>({ persistent, retention: 50 });
    second.store.restore(first.ctx.logged);
    expect(second.store.fetch('a', 0, 100)).toEqual([[10, 'a10']]);
    expect(second.store.fetchWithTimestamp('b', 10)).toEqual({ value: 'b10', timestamp: 11 });
    expect(second.store.fetch('c', 40)).toBe('c40');
    expect(second.ctx.logged).toEqual([]);
    await first.store.close();
    await second.store.close();
  });
});

describe('window store on LevelDB', () => {
  it('keeps its data across a reopen after commit', async () => {
    const { store, dir } = await open<string>({ persistent: true });
    store.putWithTimestamp('a', 'v', 10, 11);
    await store.commit(7);
    await store.close();
    const again = new WindowStoreBuilder<string, string>('ws', true, 100, 10, false, Serdes.String(), Serdes.String(), true).build();
    await again.init(testStoreContext({ storeDir: dir }));
    expect(again.restoreFrom()).toBe(7);
    expect(again.fetchWithTimestamp('a', 10)).toEqual({ value: 'v', timestamp: 11 });
    expect(again.fetch('a', 0, 100)).toEqual([[10, 'v']]);
    await again.close();
  });
});

describe('window store cache', () => {
  it('dedupes updates between flushes, forwards on flush with old values, merges dirty windows into range fetches', async () => {
    const { store, ctx } = await open<number>({ cache: 1 << 20 }, Serdes.Long());
    const flushed: string[] = [];
    expect(store.setFlushListener((k, n, o, ts) => flushed.push(`${k.key}@${k.window.start}/${k.window.end}:${n}<-${o}@${ts}`), true)).toBe(true);
    store.putWithTimestamp('a', 1, 0, 1);
    store.putWithTimestamp('a', 2, 0, 2);
    store.putWithTimestamp('a', 1, 10, 12);
    expect(store.fetch('a', 0, 100)).toEqual([
      [0, 2],
      [10, 1],
    ]);
    expect(ctx.logged).toEqual([]);
    store.flushCache();
    expect(flushed).toEqual(['a@0/10:2<-null@2', 'a@10/20:1<-null@12']);
    store.putWithTimestamp('a', 3, 0, 3);
    store.putWithTimestamp('a', null, 10, 13);
    expect(store.fetch('a', 0, 100)).toEqual([[0, 3]]);
    store.flushCache();
    expect(flushed.slice(2)).toEqual(['a@0/10:3<-2@3', 'a@10/20:null<-1@13']);
    expect(ctx.logged.length).toBe(4);
  });

  it.each([false, true])('keeps the time index right when flushed updates skip it (persistent=%s)', async (persistent) => {
    const { store, ctx } = await open<number>({ persistent, cache: 1 << 20 }, Serdes.Long());
    const starts = () => store.fetch('a', 0, 100).map(([t, v]) => `${t}=${v}`);
    const evictAll = () => (store as unknown as { clearCache(): void }).clearCache();
    for (const [start, value] of [[0, 1], [0, 2], [10, 5], [0, 3]] as const) {
      store.putWithTimestamp('a', value, start, start + 1);
      store.flushCache();
    }
    expect(starts()).toEqual(['0=3', '10=5']);
    store.putWithTimestamp('a', null, 0, 4);
    store.flushCache();
    expect(starts()).toEqual(['10=5']);
    store.putWithTimestamp('a', 7, 0, 5);
    store.flushCache();
    store.putWithTimestamp('a', 8, 0, 6);
    store.flushCache();
    expect(starts()).toEqual(['0=8', '10=5']);
    // A value read back from the store counts as stored, too: evict, read, update.
    evictAll();
    expect(store.fetch('a', 10)).toBe(5);
    store.putWithTimestamp('a', 6, 10, 11);
    store.flushCache();
    evictAll();
    expect(starts()).toEqual(['0=8', '10=6']);
    expect(ctx.logged.length).toBe(8);
    await store.close();
  });
});
