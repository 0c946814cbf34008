/**
 * A window or session store restored ahead of the stream time its task resumes at (at_least_once:
 * the changelog holds updates of records after the committed offsets) keeps what the task's
 * reprocessed records need: expiry and visibility follow the task's stream time until processing
 * catches up, and a restore keeps RESTORE_HOLD_BACK_MS beyond the retention. What a restore dropped
 * anyway is reported by lostBefore(), so that processors drop instead of aggregating from less.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Windowed } from '../common/windowed.js';
import { Serdes } from '../serde/serdes.js';
import { RESTORE_HOLD_BACK_MS } from './segmented.js';
import { SessionStoreBuilder, type SessionStoreImpl } from './session-store.js';
import { WindowStoreBuilder, type WindowStoreImpl } from './window-store.js';
import { testStoreContext, type TestStoreContext } from './test-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeDir(persistent: boolean): string | null {
  if (!persistent) return null;
  const d = mkdtempSync(join(tmpdir(), 'kstream-ahead-'));
  dirs.push(d);
  return d;
}

const RETENTION = 15_000;
const MIN = 60_000;

async function windowStore(persistent: boolean, dir = storeDir(persistent)): Promise<{ store: WindowStoreImpl<string, string>; ctx: TestStoreContext; dir: string | null }> {
  const store = new WindowStoreBuilder<string, string>('ws', persistent, RETENTION, 10_000, false, Serdes.String(), Serdes.String(), true).build();
  const ctx = testStoreContext({ storeDir: dir });
  await store.init(ctx);
  return { store, ctx, dir };
}

async function sessionStore(persistent: boolean): Promise<{ store: SessionStoreImpl<string, string>; ctx: TestStoreContext }> {
  const store = new SessionStoreBuilder<string, string>('ss', persistent, RETENTION, Serdes.String(), Serdes.String()).build() as SessionStoreImpl<string, string>;
  const ctx = testStoreContext({ storeDir: storeDir(persistent) });
  await store.init(ctx);
  return { store, ctx };
}

/** The changelog of a window store that counted one record per minute in windows 0, 1 min, … (minutes). */
async function windowChangelog(minutes: number): Promise<TestStoreContext['logged']> {
  const { store, ctx } = await windowStore(false);
  for (let m = 0; m <= minutes; m++) {
    ctx.recordTimestamp = m * MIN;
    store.putWithTimestamp('k', `w${m}`, m * MIN, m * MIN);
  }
  await store.close();
  return ctx.logged;
}

describe.each([false, true])('a store restored ahead of its task (persistent=%s)', (persistent) => {
  it('window store: windows within retention of the task\'s stream time stay readable; older ones are lost', async () => {
    const logged = await windowChangelog(10); // restored stream time 10 min
    const { store, ctx } = await windowStore(persistent);
    ctx.recordTimestamp = -1; // restoring: the task's stream time is not known yet
    store.restore(logged);
    // The task resumes at 7 min (its committed offsets): windows from 7 min − retention are open again.
    ctx.recordTimestamp = 7 * MIN;
    expect(store.fetch('k', 7 * MIN)).toBe('w7');
    expect(store.fetch('k', 6 * MIN)).toBeNull(); // ended more than the retention before 7 min
    expect(store.isExpired(7 * MIN)).toBe(false);
    expect(store.isExpired(6 * MIN)).toBe(true);
    // Kept by the restore: 10 min − retention − hold-back; nothing it dropped is needed yet.
    expect(store.lostBefore()).toBe(Number.MIN_SAFE_INTEGER);
    // A put by the reprocessed record goes into the held window and is read back.
    store.putWithTimestamp('k', 'w7+', 7 * MIN, 7 * MIN);
    expect(store.fetch('k', 7 * MIN)).toBe('w7+');
    expect(store.fetch('k', 10 * MIN)).toBe('w10');
    // Once the task is past the restored stream time, expiry is by the store's own stream time again.
    ctx.recordTimestamp = 10 * MIN;
    expect(store.fetch('k', 7 * MIN)).toBeNull();
    expect(store.isExpired(7 * MIN)).toBe(true);
    expect(store.lostBefore()).toBe(Number.MIN_SAFE_INTEGER);
    await store.close();
  });

  it('window store: windows further back than the hold-back are reported lost, not shown empty', async () => {
    const minutes = RESTORE_HOLD_BACK_MS / MIN + 4; // restored stream time 9 min
    const logged = await windowChangelog(minutes);
    const { store, ctx } = await windowStore(persistent);
    ctx.recordTimestamp = -1;
    store.restore(logged);
    ctx.recordTimestamp = 2 * MIN; // resumes 7 min behind its changelog
    const kept = minutes * MIN - RETENTION - RESTORE_HOLD_BACK_MS + 1;
    expect(store.lostBefore()).toBe(kept);
    expect(store.isExpired(2 * MIN)).toBe(true);
    expect(store.fetch('k', 2 * MIN)).toBeNull();
    expect(store.fetch('k', 4 * MIN)).toBe('w4');
    expect(store.isExpired(4 * MIN)).toBe(false);
    await store.close();
  });

  it('session store: sessions within retention of the task\'s stream time stay readable', async () => {
    const { store: first, ctx: firstCtx } = await sessionStore(false);
    for (let m = 0; m <= 10; m++) {
      firstCtx.recordTimestamp = m * MIN;
      first.put(Windowed.of('k', m * MIN, m * MIN + 10), `s${m}`);
    }
    const { store, ctx } = await sessionStore(persistent);
    ctx.recordTimestamp = -1;
    store.restore(firstCtx.logged);
    ctx.recordTimestamp = 7 * MIN;
    expect(store.findSessions('k', 7 * MIN, 7 * MIN + 10).map(([w, v]) => `${w.window.start}=${v}`)).toEqual([`${7 * MIN}=s7`]);
    expect(store.findSessions('k', 6 * MIN, 6 * MIN + 10)).toEqual([]);
    expect(store.lostBefore()).toBe(Number.MIN_SAFE_INTEGER);
    ctx.recordTimestamp = 10 * MIN + 10;
    expect(store.findSessions('k', 7 * MIN, 7 * MIN + 10)).toEqual([]);
    await first.close();
    await store.close();
  });
});

describe('a persistent window store reopened ahead of its task', () => {
  it('keeps the held bound of its restore across the reopen (a standby\'s store taken over by the active task)', async () => {
    const logged = await windowChangelog(10);
    const { store, ctx, dir } = await windowStore(true);
    ctx.recordTimestamp = -1; // a standby: never knows the task's stream time
    store.restore(logged);
    expect(store.fetch('k', 7 * MIN)).toBeNull(); // by its own stream time, as Kafka Streams
    await store.commit(logged.length);
    await store.close();
    const again = await windowStore(true, dir);
    again.ctx.recordTimestamp = 7 * MIN;
    expect(again.store.fetch('k', 7 * MIN)).toBe('w7');
    expect(again.store.lostBefore()).toBe(Number.MIN_SAFE_INTEGER);
    await again.store.close();
  });
});

describe('a store in normal processing', () => {
  it('expires by its own stream time, as Kafka Streams (the task\'s stream time only matters for restored data)', async () => {
    const { store, ctx } = await windowStore(false);
    ctx.recordTimestamp = 0; // e.g. a punctuator writing ahead of every record
    store.putWithTimestamp('k', 'far', 10 * MIN, 0);
    store.putWithTimestamp('k', 'old', 9 * MIN, 0);
    expect(store.fetch('k', 9 * MIN)).toBeNull();
    expect(store.isExpired(9 * MIN)).toBe(true);
    expect(store.lostBefore()).toBe(Number.MIN_SAFE_INTEGER);
    await store.close();
  });
});
