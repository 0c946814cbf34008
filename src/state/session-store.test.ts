import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Windowed } from '../common/windowed.js';
import { Serdes } from '../serde/serdes.js';
import { SessionStoreBuilder, type SessionStoreImpl } from './session-store.js';
import { testStoreContext } from './test-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(persistent: boolean, retention = 100, cache = 0, dir?: string) {
  const storeDir = persistent ? (dir ?? mkdtempSync(join(tmpdir(), 'kstream-ss-'))) : null;
  if (storeDir !== null && dir === undefined) dirs.push(storeDir);
  const b = new SessionStoreBuilder<string, string>('ss', persistent, retention, Serdes.String(), Serdes.String());
  if (cache > 0) b.withCachingEnabled();
  const store = b.build() as SessionStoreImpl<string, string>;
  const ctx = testStoreContext({ storeDir, cacheBytes: cache });
  await store.init(ctx);
  return { store, ctx, dir: storeDir };
}

const s = (key: string, start: number, end: number) => Windowed.of(key, start, end);
const show = (rows: ReadonlyArray<readonly [Windowed<string>, string]>) => rows.map(([w, v]) => `${w.key}[${w.window.start},${w.window.end}]=${v}`);

describe.each([false, true])('session store (persistent=%s)', (persistent) => {
  it('finds the sessions overlapping [earliestEnd, latestStart], ascending by end', async () => {
    const { store } = await open(persistent);
    store.put(s('a', 0, 5), 'x');
    store.put(s('a', 10, 20), 'y');
    store.put(s('a', 30, 30), 'z');
    store.put(s('b', 12, 14), 'other');
    expect(show(store.findSessions('a', 6, 25))).toEqual(['a[10,20]=y']);
    expect(show(store.findSessions('a', 5, 30))).toEqual(['a[0,5]=x', 'a[10,20]=y', 'a[30,30]=z']);
    expect(show(store.backwardFindSessions('a', 0, 100))).toEqual(['a[30,30]=z', 'a[10,20]=y', 'a[0,5]=x']);
    expect(store.fetchSession('a', 10, 20)).toBe('y');
    store.remove(s('a', 10, 20));
    expect(show(store.fetch('a'))).toEqual(['a[0,5]=x', 'a[30,30]=z']);
    expect(show(await store.allAsync())).toEqual(['a[0,5]=x', 'a[30,30]=z', 'b[12,14]=other']);
    await store.close();
  });

  it('logs key ‖ end ‖ start and restores from it; expired sessions are not restored', async () => {
    const first = await open(persistent, 50);
    first.ctx.recordTimestamp = 7;
    first.store.put(s('a', 1, 3), 'v1');
    first.store.put(s('a', 1, 3), null);
    first.store.put(s('a', 1, 9), 'v2');
    first.store.put(s('b', 100, 120), 'v3');
    expect(first.ctx.logged[0]!.key!.toString('hex')).toBe('61' + '0000000000000003' + '0000000000000001');
    expect(first.ctx.logged.map((r) => r.value?.toString() ?? null)).toEqual(['v1', null, 'v2', 'v3']);
    const second = await open(persistent, 50);
    second.ctx.recordTimestamp = 120; // the task resumes where the changelog ends
    second.store.restore(first.ctx.logged);
    // a[1,9] ended before 120 − 50
    expect(show(second.store.fetch('a'))).toEqual([]);
    expect(show(second.store.fetch('b'))).toEqual(['b[100,120]=v3']);
    await first.store.close();
    await second.store.close();
  });
});

describe('session store on LevelDB', () => {
  it('reopens with its sessions after a commit', async () => {
    const { store, dir } = await open(true);
    store.put(s('a', 5, 8), 'v');
    await store.commit(3);
    await store.close();
    const again = await open(true, 100, 0, dir!);
    expect(show(again.store.findSessions('a', 0, 10))).toEqual(['a[5,8]=v']);
    await again.store.close();
  });
});

describe('session store cache', () => {
  it('merges dirty sessions (including removals) into findSessions and flushes them once', async () => {
    const { store, ctx } = await open(false, 100, 1 << 20);
    const flushed: string[] = [];
    store.setFlushListener((k, n, o) => flushed.push(`${k.window.start}-${k.window.end}:${n}<-${o}`), false);
    store.put(s('a', 1, 1), 'x');
    store.flushCache();
    store.put(s('a', 1, 1), null);
    store.put(s('a', 1, 5), 'xy');
    expect(show(store.findSessions('a', 0, 10))).toEqual(['a[1,5]=xy']);
    store.flushCache();
    expect(flushed).toEqual(['1-1:x<-null', '1-1:null<-null', '1-5:xy<-null']);
    expect(ctx.logged.length).toBe(3);
  });
});
