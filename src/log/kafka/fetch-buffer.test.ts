import { describe, expect, it } from 'vitest';
import { RecordSetCursor } from './fetch.js';
import { FetchBuffer } from './fetch-buffer.js';
import { encodeProduceRequest } from './record-batch.js';

/** A record set of one batch at `firstOffset` with values v<offset> (the Produce request's batch, base offset set). */
function recordSet(firstOffset: number, count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${firstOffset + i}`), timestamp: 1000 + i }));
  const request = encodeProduceRequest({ transactionalId: null, producerId: -1, producerEpoch: -1 }, -1, 1000, [{ topic: 't', partition: 0, records, baseSequence: 0 }]);
  // transactional id (2) acks (2) timeout (4) topics (4) topic (2 + 1) partitions (4) partition (4) size (4)
  const set = Buffer.from(request.subarray(2 + 2 + 4 + 4 + 3 + 4 + 4 + 4));
  set.writeBigInt64BE(BigInt(firstOffset), 0);
  return set;
}

function cursor(topic: string, partition: number, firstOffset: number, count: number): RecordSetCursor {
  return new RecordSetCursor(topic, { partition, errorCode: 0, highWatermark: firstOffset + count, lastStableOffset: -1, abortedTransactions: [], recordSet: recordSet(firstOffset, count) }, firstOffset);
}

const NONE = new Set<string>();
const offsets = (batches: ReturnType<FetchBuffer['take']>) => batches.map((b) => `${b.topic}-${b.partition}:${b.records.map((r) => r.offset).join(',')}>${b.nextOffset}`);

describe('FetchBuffer (fetched data not yet polled, bounded by fetch.max.bytes, decoded by poll)', () => {
  it('leaves room for fetches until the byte bound, none at it, and room again once poll() took the data', () => {
    const buffer = new FetchBuffer(1000);
    expect(buffer.room()).toBe(1000);
    buffer.add('t', 0, cursor('t', 0, 0, 2), 2, 600);
    expect(buffer.room()).toBe(400);
    expect(buffer.bufferedBytes).toBe(600);
    // The broker returns at least one whole batch, so a fetch can overshoot the room it asked for.
    buffer.add('t', 1, cursor('t', 1, 5, 1), 6, 700);
    expect(buffer.room()).toBe(0);
    expect(buffer.bufferedBytes).toBe(1300);

    const taken = buffer.take(NONE);
    expect(offsets(taken)).toEqual(['t-0:0,1>2', 't-1:5>6']);
    expect(taken[0]!.records.map((r) => r.value!.toString())).toEqual(['v0', 'v1']);
    expect(taken.map((b) => b.endOffset)).toEqual([2, 6]);
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.room()).toBe(1000);
    expect(buffer.take(NONE)).toEqual([]);
  });

  it('hands over at most max.poll.records per take, shared among partitions, and goes on where it stopped', () => {
    const buffer = new FetchBuffer(1_000_000, 4);
    buffer.add('t', 0, cursor('t', 0, 0, 5), 5, 100);
    buffer.add('t', 1, cursor('t', 1, 10, 3), 13, 100);
    expect(offsets(buffer.take(NONE))).toEqual(['t-0:0,1>2', 't-1:10,11>12']);
    // Not fetched again while some of its data waits here; its bytes count until all is taken.
    expect(buffer.holds('t', 0)).toBe(true);
    expect(buffer.bufferedBytes).toBe(200);
    expect(offsets(buffer.take(NONE))).toEqual(['t-0:2,3>4', 't-1:12>13']);
    expect(buffer.holds('t', 1)).toBe(false);
    expect(buffer.bufferedBytes).toBe(100);
    expect(offsets(buffer.take(NONE))).toEqual(['t-0:4>5']);
    expect(buffer.isEmpty).toBe(true);
  });

  it('keeps a paused partition\'s data and hands it over once resumed', () => {
    const buffer = new FetchBuffer(1_000_000, 100);
    buffer.add('t', 0, cursor('t', 0, 0, 2), 2, 100);
    buffer.add('t', 1, cursor('t', 1, 0, 2), 2, 100);
    const paused = new Set(['t/0']);
    expect(buffer.hasReady(paused)).toBe(true);
    expect(offsets(buffer.take(paused))).toEqual(['t-1:0,1>2']);
    expect(buffer.hasReady(paused)).toBe(false);
    expect(buffer.take(paused)).toEqual([]);
    expect(buffer.isEmpty).toBe(false);
    expect(buffer.hasReady(NONE)).toBe(true);
    expect(offsets(buffer.take(NONE))).toEqual(['t-0:0,1>2']);
  });

  it('drop (after a seek) removes only that partition and gives its bytes back', () => {
    const buffer = new FetchBuffer(1000);
    buffer.add('t', 0, cursor('t', 0, 0, 1), 1, 300);
    buffer.add('t', 1, cursor('t', 1, 0, 1), 1, 500);
    buffer.add('u', 0, cursor('u', 0, 3, 1), 4, 100);
    buffer.drop('t', 1);
    expect(buffer.bufferedBytes).toBe(400);
    expect(buffer.room()).toBe(600);
    expect(buffer.holds('t', 1)).toBe(false);
    buffer.drop('t', 9); // not held: nothing changes
    expect(buffer.bufferedBytes).toBe(400);
    expect(buffer.take(NONE).map((b) => `${b.topic}-${b.partition}`)).toEqual(['t-0', 'u-0']);
  });

  it('clear (on a new assignment) empties it', () => {
    const buffer = new FetchBuffer(10);
    buffer.add('t', 0, cursor('t', 0, 0, 1), 1, 50);
    buffer.clear();
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.room()).toBe(10);
    expect(buffer.holds('t', 0)).toBe(false);
  });
});
