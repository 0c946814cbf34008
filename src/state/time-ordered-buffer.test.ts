import { describe, expect, it } from 'vitest';
import { TimeOrderedBuffer, decodeBufferValue, encodeBufferValue } from './time-ordered-buffer.js';
import { OuterJoinStore } from './outer-join-store.js';
import { testStoreContext } from './test-context.js';

const ctxOf = (timestamp: number, headers?: Array<[string, Buffer | null]>) => ({ timestamp, offset: 4, topic: 'in', partition: 0, headers });

describe('suppression buffer', () => {
  it('round-trips its changelog value format', () => {
    const prior = Buffer.from('p');
    const e = { keyBytes: Buffer.from('k'), time: 42, prior, oldValue: prior, newValue: Buffer.from('n'), context: ctxOf(7, [['h', Buffer.from('v')]]) };
    const back = decodeBufferValue(Buffer.from('k'), encodeBufferValue(e));
    expect(back.time).toBe(42);
    expect(back.prior!.toString()).toBe('p');
    expect(back.oldValue!.toString()).toBe('p');
    expect(back.newValue!.toString()).toBe('n');
    expect(back.context).toEqual({ timestamp: 7, offset: 4, topic: 'in', partition: 0, headers: [['h', Buffer.from('v')]] });
  });

  it('evicts by (time, key bytes), keeps the prior value on re-put, logs on flush and restores', () => {
    const ctx = testStoreContext();
    const buf = new TimeOrderedBuffer('buf');
    buf.init(ctx);
    buf.put(20, Buffer.from('b'), null, Buffer.from('b1'), ctxOf(1));
    buf.put(10, Buffer.from('z'), Buffer.from('z0'), Buffer.from('z1'), ctxOf(2));
    buf.put(20, Buffer.from('a'), null, Buffer.from('a1'), ctxOf(3));
    buf.put(10, Buffer.from('z'), Buffer.from('z1'), Buffer.from('z2'), ctxOf(4));
    expect(buf.get(Buffer.from('z'))!.prior!.toString()).toBe('z0');
    expect(buf.minTimestamp()).toBe(10);
    buf.flushCache();
    expect(ctx.logged.length).toBe(3);

    const restored = new TimeOrderedBuffer('buf');
    restored.init(testStoreContext());
    restored.restore(ctx.logged);
    for (const b of [buf, restored]) {
      const out: string[] = [];
      b.evictWhile(() => b.minTimestamp() <= 20, (e) => out.push(`${e.keyBytes}@${e.time}=${e.newValue}`));
      expect(out).toEqual(['z@10=z2', 'a@20=a1', 'b@20=b1']);
      expect(b.numRecords()).toBe(0);
    }
    buf.flushCache();
    expect(ctx.logged.slice(3).map((r) => r.value)).toEqual([null, null, null]);
  });
});

describe('outer join store', () => {
  it('iterates by (timestamp, side, key), keeps value lists, logs whole lists and restores', () => {
    const ctx = testStoreContext();
    const store = new OuterJoinStore('outer');
    store.init(ctx);
    store.append(5, 1, Buffer.from('b'), Buffer.from('l1'), 5);
    store.append(5, 0, Buffer.from('b'), Buffer.from('r1'), 5);
    store.append(3, 1, Buffer.from('a'), Buffer.from('l0'), 3);
    store.append(5, 1, Buffer.from('b'), Buffer.from('l2'), 5);
    const view = (s: OuterJoinStore) => s.entries().map((e) => `${e.timestamp}/${e.side}/${e.keyBytes}=${e.values.join('+')}`);
    expect(view(store)).toEqual(['3/1/a=l0', '5/0/b=r1', '5/1/b=l1+l2']);
    store.delete(5, 0, Buffer.from('b'), 6);
    const restored = new OuterJoinStore('outer');
    restored.init(testStoreContext());
    restored.restore(ctx.logged);
    expect(view(restored)).toEqual(['3/1/a=l0', '5/1/b=l1+l2']);
  });
});
