import { describe, expect, it } from 'vitest';
import { type CacheEntry, RecordCache, flushSteps, runSteps } from './record-cache.js';

function flushed<K, V>(entries: CacheEntry<K, V>[]): Array<[K, V | null, number]> {
  return entries.map((e) => [e.key, e.value, e.timestamp]);
}

describe.each([false, true])('NamedCache (reuseEntries=%s)', (reuse) => {
  it('flushes each dirty key once, with its last value, in order of last update', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, reuse);
    cache.put('a', 'a', 1, 10, true);
    cache.put('b', 'b', 1, 11, true);
    cache.put('a', 'a', 2, 12, true);
    cache.put('c', 'c', 1, 13, true);
    cache.put('b', 'b', 2, 14, true);
    expect(cache.dirtyCount).toBe(3);
    expect([...cache.dirtyEntries()].map((e) => e.key)).toEqual(['a', 'c', 'b']);
    expect(flushed(cache.takeDirty())).toEqual([
      ['a', 2, 12],
      ['c', 1, 13],
      ['b', 2, 14],
    ]);
    expect(cache.dirtyCount).toBe(0);
    expect(cache.takeDirty()).toEqual([]);
    // Clean entries stay readable.
    expect(cache.get('b')?.value).toBe(2);
  });

  it('keeps order and counts when many updates of few keys leave holes in the dirty log', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, reuse);
    for (let i = 0; i < 10_000; i++) cache.put(`k${i % 7}`, `k${i % 7}`, i, i, true);
    expect(cache.dirtyCount).toBe(7);
    // The seven last updates are i = 9993..9999, of k4, k5, k6, k0, k1, k2, k3 in that order.
    expect(flushed(cache.takeDirty()).map(([k, v]) => `${k}=${v}`)).toEqual(['k4=9993', 'k5=9994', 'k6=9995', 'k0=9996', 'k1=9997', 'k2=9998', 'k3=9999']);
  });

  it('a clean read never replaces a dirty entry, and a read-modify-write updates the entry read', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, reuse);
    cache.put('a', 'a', 5, 1, true);
    cache.put('a', 'a', 99, 2, false);
    expect(cache.get('a')?.value).toBe(5);
    cache.put('a', 'a', 6, 3, true);
    expect(cache.get('a')?.value).toBe(6);
    cache.put('b', 'b', 1, 4, true); // a put of another key right after get('a')
    expect(cache.get('a')?.value).toBe(6);
    expect(flushed(cache.takeDirty())).toEqual([
      ['a', 6, 3],
      ['b', 1, 4],
    ]);
  });

  it('evicts over budget: an evicted dirty entry is handed to the owner once, and is gone afterwards', () => {
    const parent = new RecordCache(1_000);
    const evicted: Array<[string, number | null]> = [];
    const cache = parent.namedCache<string, number>((e) => evicted.push([e.key, e.value]), reuse);
    for (let i = 0; i < 40; i++) {
      cache.get(`k${i}`); // the last hit must not survive its entry's eviction
      cache.put(`k${i}`, `k${i}`, i, i, true);
    }
    expect(parent.currentBytes).toBeLessThanOrEqual(1_000);
    expect(evicted.length).toBeGreaterThan(0);
    expect(new Set(evicted.map(([k]) => k)).size).toBe(evicted.length);
    for (const [k] of evicted) expect(cache.peek(k)).toBeUndefined();
    const rest = cache.takeDirty().map((e) => e.key);
    expect(rest.length + evicted.length).toBe(40);
    for (const [k] of evicted) expect(rest).not.toContain(k);
    // A key evicted earlier comes back as a new entry.
    const first = evicted[0]![0];
    cache.put(first, first, -1, 100, true);
    expect(cache.get(first)?.value).toBe(-1);
  });

  it('clear() forgets entries, dirty ones included', () => {
    const parent = new RecordCache(1 << 20);
    const cache = parent.namedCache<string, number>(() => {}, reuse);
    cache.put('a', 'a', 1, 1, true);
    cache.get('a');
    cache.clear();
    expect(cache.dirtyCount).toBe(0);
    expect(parent.currentBytes).toBe(0);
    expect(cache.get('a')).toBeUndefined();
    cache.put('a', 'a', 2, 2, true);
    expect(flushed(cache.takeDirty())).toEqual([['a', 2, 2]]);
  });
});

describe('NamedCache entries', () => {
  it('without reuseEntries a replaced entry keeps its contents for whoever holds it', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, false);
    cache.put('a', 'a', 1, 1, true);
    const held = cache.get('a')!;
    cache.put('a', 'a', 2, 2, true);
    expect(held.value).toBe(1);
    expect(held.dirty).toBe(false);
    expect(cache.get('a')!.value).toBe(2);
  });

  it('with reuseEntries an update changes the entry in place (no new object)', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, true);
    cache.put('a', 'a', 1, 1, true);
    const held = cache.get('a')!;
    cache.put('a', 'a', 2, 2, true);
    expect(cache.get('a')).toBe(held);
    expect(held.value).toBe(2);
    expect(held.dirty).toBe(true);
  });
});

describe('flushing in steps (a commit that yields between steps)', () => {
  it('takeDirty(max) takes the oldest updates first; the others stay dirty and visible to scans', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, true);
    for (let i = 0; i < 10; i++) cache.put(`k${i}`, `k${i}`, i, i, true);
    cache.put('k0', 'k0', 100, 100, true); // k0 moves to the end
    expect(cache.takeDirty(3).map((e) => e.key)).toEqual(['k1', 'k2', 'k3']);
    expect(cache.dirtyCount).toBe(7);
    expect([...cache.dirtyEntries()].map((e) => e.key)).toEqual(['k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k0']);
    // An update between steps of a key not yet taken moves it to the end; one already taken is dirty again.
    cache.put('k5', 'k5', 55, 55, true);
    cache.put('k2', 'k2', 22, 22, true);
    expect(flushed(cache.takeDirty(4))).toEqual([
      ['k4', 4, 4],
      ['k6', 6, 6],
      ['k7', 7, 7],
      ['k8', 8, 8],
    ]);
    expect(flushed(cache.takeDirty())).toEqual([
      ['k9', 9, 9],
      ['k0', 100, 100],
      ['k5', 55, 55],
      ['k2', 22, 22],
    ]);
    expect(cache.dirtyCount).toBe(0);
    expect([...cache.dirtyEntries()]).toEqual([]);
  });

  it('flushSteps flushes what a whole flush does, in the same order, pausing every `step` entries', () => {
    const make = () => {
      const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, true);
      for (let i = 0; i < 2_500; i++) cache.put(`k${i % 1_100}`, `k${i % 1_100}`, i, i, true);
      return cache;
    };
    const whole: Array<[string, number | null, number]> = [];
    const one = make();
    runSteps(flushSteps(one, (e) => whole.push([e.key, e.value, e.timestamp]), Infinity));
    const stepped: Array<[string, number | null, number]> = [];
    const cache = make();
    const steps = flushSteps(cache, (e) => stepped.push([e.key, e.value, e.timestamp]), 500);
    const atPauses: number[] = [];
    while (!steps.next().done) atPauses.push(stepped.length);
    expect(atPauses).toEqual([500, 1_000]);
    expect(stepped).toEqual(whole);
    expect(whole.length).toBe(1_100);
    expect(cache.dirtyCount).toBe(0);
  });

  it('entries dirtied by the flush itself are flushed in a later round; an eviction meanwhile ends the round early', () => {
    const cache = new RecordCache(1 << 20).namedCache<string, number>(() => {}, true);
    for (let i = 0; i < 6; i++) cache.put(`k${i}`, `k${i}`, i, i, true);
    const seen: string[] = [];
    runSteps(
      flushSteps(
        cache,
        (e) => {
          seen.push(`${e.key}=${e.value}`);
          // Flushing k1 writes k4 (not yet flushed) and k0 (already flushed) again, as a downstream store could.
          if (e.key === 'k1' && e.value === 1) {
            cache.put('k4', 'k4', 40, 40, true);
            cache.put('k0', 'k0', 10, 10, true);
          }
        },
        2,
      ),
    );
    expect(seen).toEqual(['k0=0', 'k1=1', 'k2=2', 'k3=3', 'k5=5', 'k4=40', 'k0=10']);
    expect(cache.dirtyCount).toBe(0);

    // Another flush (an eviction's) between two steps takes the rest: the stepped flush then ends.
    for (let i = 0; i < 6; i++) cache.put(`k${i}`, `k${i}`, i, i, true);
    const stepped: string[] = [];
    const steps = flushSteps(cache, (e) => stepped.push(e.key), 2);
    steps.next();
    runSteps(flushSteps(cache, (e) => stepped.push(e.key)));
    expect(steps.next().done).toBe(true);
    expect(stepped).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });
});
