import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeFetchResponse, decodeRecordSet, RecordSetCursor, type FetchedPartition } from './fetch.js';

const require = createRequire(import.meta.url);
// Batches are written by kafkajs's encoder: an independent implementation of the format.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: Record<string, unknown>) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromNumber(n: number): unknown };
const GZIP = 1;
const snappy = require('snappyjs') as { compress(data: Uint8Array): Uint8Array };
const lz4 = require('lz4js') as { compress(data: Uint8Array): Uint8Array };

interface TestRecord {
  key: string | Buffer | null;
  value: string | Buffer | null;
  timestampDelta?: number;
  headers?: Record<string, string>;
}

async function batch(
  firstOffset: number,
  records: TestRecord[],
  options: { producerId?: number; transactional?: boolean; compression?: number; firstTimestamp?: number; maxTimestamp?: number } = {},
): Promise<Buffer> {
  const encoded = await RecordBatch({
    firstOffset: Long.fromNumber(firstOffset),
    firstTimestamp: options.firstTimestamp ?? 1_700_000_000_000,
    maxTimestamp: options.maxTimestamp ?? 1_700_000_000_999,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromNumber(options.producerId ?? -1),
    transactional: options.transactional ?? false,
    compression: options.compression ?? 0,
    records: records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: r.timestampDelta ?? i,
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value === null ? null : Buffer.from(r.value),
        headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      }),
    ),
  });
  return Buffer.from(encoded.buffer);
}

/** Sets attribute bits of an encoded batch (control, log-append time); the CRC is not checked by readers here. */
function withAttributes(b: Buffer, bits: number): Buffer {
  const copy = Buffer.from(b);
  copy.writeInt16BE(copy.readInt16BE(21) | bits, 21);
  return copy;
}

/** A control batch: one abort (type 0) or commit (type 1) marker of a producer. */
async function marker(offset: number, producerId: number, commit: boolean): Promise<Buffer> {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  // value: version (int16) and coordinator epoch (int32)
  const b = await batch(offset, [{ key, value: Buffer.alloc(6) }], { producerId, transactional: true });
  return withAttributes(b, 0x20);
}

function partition(recordSet: Buffer, aborted: Array<{ producerId: number; firstOffset: number }> = []): FetchedPartition {
  return { partition: 3, errorCode: 0, highWatermark: 100, lastStableOffset: 90, abortedTransactions: aborted, recordSet };
}

const show = (rs: ReturnType<typeof decodeRecordSet>['records']) => rs.map((r) => `${r.offset}:${r.key?.toString() ?? 'null'}=${r.value?.toString() ?? 'null'}`);

describe('fetch response decoding', () => {
  it('reads records, keys, values, headers and timestamps of plain and gzip batches from the fetch offset on', async () => {
    const set = Buffer.concat([
      await batch(0, [
        { key: 'a', value: 'one' },
        { key: null, value: 'two', headers: { h1: 'x', h2: 'y' } },
        { key: 'c', value: null, timestampDelta: -5 },
      ]),
      await batch(3, [{ key: 'd', value: 'four' }, { key: 'e', value: 'five' }], { compression: GZIP }),
    ]);
    const { records, nextOffset } = decodeRecordSet('t', partition(set), 1);
    expect(show(records)).toEqual(['1:null=two', '2:c=null', '3:d=four', '4:e=five']);
    expect(nextOffset).toBe(5);
    expect(records[0]!.headers?.map(([k, v]) => `${k}=${v?.toString()}`)).toEqual(['h1=x', 'h2=y']);
    expect(records[1]!.headers).toBeUndefined();
    expect(records.map((r) => r.timestamp)).toEqual([1_700_000_000_001, 1_700_000_000_000 - 5, 1_700_000_000_000, 1_700_000_000_001]);
    expect(records.every((r) => r.topic === 't' && r.partition === 3)).toBe(true);
  });

  it('leaves out aborted transactions and control records, and steps over a marker that ends the data', async () => {
    const set = Buffer.concat([
      await batch(0, [{ key: 'a', value: '0' }]),
      await batch(1, [{ key: 'b', value: '1' }, { key: 'c', value: '2' }], { producerId: 7, transactional: true }),
      await batch(3, [{ key: 'x', value: '3' }], { producerId: 8, transactional: true }),
      await marker(4, 7, false),
      await batch(5, [{ key: 'd', value: '5' }], { producerId: 7, transactional: true }),
      await marker(6, 8, true),
      await marker(7, 7, true),
    ]);
    const committed = decodeRecordSet('t', partition(set, [{ producerId: 7, firstOffset: 1 }]), 0);
    // 7's first transaction was aborted; its next one (offset 5) and 8's transaction were committed
    expect(show(committed.records)).toEqual(['0:a=0', '3:x=3', '5:d=5']);
    expect(committed.nextOffset).toBe(8);
    const uncommitted = decodeRecordSet('t', partition(set), 0);
    expect(show(uncommitted.records)).toEqual(['0:a=0', '1:b=1', '2:c=2', '3:x=3', '5:d=5']);
  });

  it('a cursor hands the same records out a slice at a time, resuming inside plain, compressed and transactional batches', async () => {
    const set = Buffer.concat([
      await batch(0, [{ key: 'a', value: '0' }, { key: 'b', value: '1' }, { key: 'c', value: '2' }]),
      await batch(3, [{ key: 'x', value: '3' }], { producerId: 8, transactional: true }),
      await batch(4, [{ key: 'd', value: '4' }, { key: 'e', value: '5' }, { key: 'f', value: '6' }], { compression: GZIP }),
      await batch(7, [{ key: 'y', value: '7' }, { key: 'z', value: '8' }], { producerId: 7, transactional: true }),
      await marker(9, 7, false),
      await batch(10, [{ key: 'g', value: '10' }], { producerId: 7, transactional: true }),
      await marker(11, 7, true),
      await marker(12, 8, true),
    ]);
    const data = partition(set, [{ producerId: 7, firstOffset: 7 }]);
    const whole = decodeRecordSet('t', data, 1);
    expect(show(whole.records)).toEqual(['1:b=1', '2:c=2', '3:x=3', '4:d=4', '5:e=5', '6:f=6', '10:g=10']);
    expect(whole.nextOffset).toBe(13);
    for (const size of [1, 2, 3, 5]) {
      const cursor = new RecordSetCursor('t', data, 1);
      expect(cursor.fetchEnd).toBe(13);
      const slices: string[][] = [];
      const positions: number[] = [];
      while (!cursor.done) {
        const slice = cursor.next(size);
        expect(slice.length, `slice of ${size}`).toBeGreaterThan(0);
        expect(slice.length).toBeLessThanOrEqual(size);
        slices.push(show(slice));
        positions.push(cursor.nextOffset);
      }
      expect(slices.flat(), `slices of ${size}`).toEqual(show(whole.records));
      // Until the end: after the last record handed out; at the end: past the trailing markers.
      expect(positions.at(-1)).toBe(13);
      expect(positions.slice(0, -1).every((p, i) => p === Number(slices[i]!.at(-1)!.split(':')[0]) + 1)).toBe(true);
      expect(cursor.next(size)).toEqual([]);
    }
  });

  it('stops before a partial batch at the end (the response was cut at max bytes)', async () => {
    const whole = await batch(0, [{ key: 'a', value: '0' }]);
    const next = await batch(1, [{ key: 'b', value: 'x'.repeat(100) }]);
    const { records, nextOffset } = decodeRecordSet('t', partition(Buffer.concat([whole, next.subarray(0, 70)])), 0);
    expect(show(records)).toEqual(['0:a=0']);
    expect(nextOffset).toBe(1);
  });

  it('uses the batch max timestamp for log-append-time topics', async () => {
    const b = withAttributes(await batch(0, [{ key: 'a', value: '0' }, { key: 'b', value: '1' }]), 0x08);
    expect(decodeRecordSet('t', partition(b), 0).records.map((r) => r.timestamp)).toEqual([1_700_000_000_999, 1_700_000_000_999]);
  });

  it('reads snappy and lz4 batches (zstd: compression.test.ts and the kcat test), and names the codec of a batch it cannot decompress', async () => {
    const plain = await batch(0, [{ key: 'a', value: 'zero' }, { key: 'b', value: 'one', headers: { h: 'x' } }]);
    const records = plain.subarray(61);
    const recompressed = (codec: number, body: Uint8Array) => {
      const head = Buffer.from(plain.subarray(0, 61));
      head.writeInt32BE(61 - 12 + body.length, 8);
      head.writeInt16BE((head.readInt16BE(21) & ~0x07) | codec, 21);
      return Buffer.concat([head, body]);
    };
    for (const [codec, body] of [
      [2, snappy.compress(records)],
      [3, lz4.compress(records)],
    ] as const) {
      const decoded = decodeRecordSet('t', partition(recompressed(codec, body)), 0).records;
      expect(show(decoded), `codec ${codec}`).toEqual(['0:a=zero', '1:b=one']);
      expect(decoded[1]!.headers?.map(([k, v]) => `${k}=${v?.toString()}`)).toEqual(['h=x']);
    }
    expect(() => decodeRecordSet('t', partition(recompressed(3, Buffer.from('not lz4'))), 0)).toThrow(/t-3@0: cannot decompress lz4 record batch/);
  });

  it('decodes the response frame: topics, partitions, offsets, aborted transactions', async () => {
    const set = await batch(0, [{ key: 'a', value: '0' }]);
    const parts: Buffer[] = [];
    const int = (n: number, size: 2 | 4 | 8) => {
      const b = Buffer.alloc(size);
      if (size === 2) b.writeInt16BE(n);
      else if (size === 4) b.writeInt32BE(n);
      else b.writeBigInt64BE(BigInt(n));
      return b;
    };
    const str = (s: string) => Buffer.concat([int(Buffer.byteLength(s), 2), Buffer.from(s)]);
    parts.push(int(0, 4), int(0, 2), int(12, 4), int(1, 4), str('topic-a'), int(1, 4));
    parts.push(int(5, 4), int(0, 2), int(2 ** 40, 8), int(2 ** 40 - 3, 8), int(0, 8), int(1, 4), int(42, 8), int(7, 8), int(-1, 4), int(set.length, 4), set);
    const decoded = decodeFetchResponse(Buffer.concat(parts));
    expect(decoded.sessionId).toBe(12);
    const p = decoded.responses[0]!.partitions[0]!;
    expect(decoded.responses[0]!.topicName).toBe('topic-a');
    expect({ partition: p.partition, hw: p.highWatermark, lso: p.lastStableOffset, aborted: p.abortedTransactions }).toEqual({
      partition: 5,
      hw: 2 ** 40,
      lso: 2 ** 40 - 3,
      aborted: [{ producerId: 42, firstOffset: 7 }],
    });
    expect(show(decodeRecordSet('topic-a', p, 0).records)).toEqual(['0:a=0']);
  });
});
