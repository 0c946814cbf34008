import { describe, expect, it } from 'vitest';
import type { ConsumedBatch } from '../types.js';
import { FetchBuffer } from './fetch-buffer.js';

function batch(topic: string, partition: number, offsets: number[]): ConsumedBatch {
  const records = offsets.map((offset) => ({ topic, partition, offset, key: null, value: Buffer.from(`v${offset}`), timestamp: 0 }));
  return { topic, partition, records, endOffset: (offsets.at(-1) ?? 0) + 1 };
}

describe('FetchBuffer (fetched data not yet polled, bounded by fetch.max.bytes)', () => {
  it('leaves room for fetches until the byte bound, none at it, and room again once poll() took the data', () => {
    const buffer = new FetchBuffer(1000);
    expect(buffer.room()).toBe(1000);
    buffer.add(batch('t', 0, [0, 1]), 600);
    expect(buffer.room()).toBe(400);
    expect(buffer.bufferedBytes).toBe(600);
    // The broker returns at least one whole batch, so a fetch can overshoot the room it asked for.
    buffer.add(batch('t', 1, [5]), 700);
    expect(buffer.room()).toBe(0);
    expect(buffer.bufferedBytes).toBe(1300);

    const taken = buffer.take();
    expect(taken.map((b) => [b.partition, b.records.map((r) => r.offset)])).toEqual([
      [0, [0, 1]],
      [1, [5]],
    ]);
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.room()).toBe(1000);
    expect(buffer.take()).toEqual([]);
  });

  it('holds a partition until its data is taken', () => {
    const buffer = new FetchBuffer(1000);
    buffer.add(batch('t', 2, [7]), 10);
    expect(buffer.holds('t', 2)).toBe(true);
    expect(buffer.holds('t', 3)).toBe(false);
    expect(buffer.holds('u', 2)).toBe(false);
    buffer.take();
    expect(buffer.holds('t', 2)).toBe(false);
  });

  it('drop (after a seek) removes only that partition and gives its bytes back', () => {
    const buffer = new FetchBuffer(1000);
    buffer.add(batch('t', 0, [0]), 300);
    buffer.add(batch('t', 1, [0]), 500);
    buffer.add(batch('u', 0, [3]), 100);
    buffer.drop('t', 1);
    expect(buffer.bufferedBytes).toBe(400);
    expect(buffer.room()).toBe(600);
    expect(buffer.holds('t', 1)).toBe(false);
    buffer.drop('t', 9); // not held: nothing changes
    expect(buffer.bufferedBytes).toBe(400);
    expect(buffer.take().map((b) => `${b.topic}-${b.partition}`)).toEqual(['t-0', 'u-0']);
  });

  it('clear (on a new assignment) empties it', () => {
    const buffer = new FetchBuffer(10);
    buffer.add(batch('t', 0, [0]), 50);
    buffer.clear();
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.room()).toBe(10);
    expect(buffer.holds('t', 0)).toBe(false);
  });
});
