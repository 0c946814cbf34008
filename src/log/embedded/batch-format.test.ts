import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../types.js';
import { BATCH_HEADER_BYTES, batchProblem, decodeBatch, encodeBatch, readBatchHeader } from './batch-format.js';
import { crc32c } from './checksum.js';

const records = [
  { topic: 't', partition: 0, key: Buffer.from('k1'), value: Buffer.from('hello'), timestamp: 5 },
  { topic: 't', partition: 0, key: null, value: 'wörld', timestamp: 6, headers: [['h', Buffer.from('x')], ['n', null]] as Array<[string, Buffer | null]> },
  { topic: 't', partition: 0, key: 'k3', value: null, timestamp: 7 },
];

describe('record batch format', () => {
  it('computes CRC-32C (Castagnoli) check values', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
    expect(crc32c(Buffer.alloc(32)).toString(16)).toBe('8a9136aa');
    expect(crc32c(Buffer.from('xx123456789yy'), 2, 11)).toBe(0xe3069283);
  });

  it('round-trips records and checks its own checksum', () => {
    const batch = encodeBatch(records, 40, 38);
    expect(batchProblem(batch, 0)).toBeUndefined();
    expect(readBatchHeader(batch, 0)).toEqual({ length: batch.length, baseOffset: 40, count: 3, previousEnd: 38 });
    const out: ConsumedRecord[] = [];
    expect(decodeBatch(batch, 0, 't', 0, 41, out)).toBeUndefined();
    expect(out.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      [41, null, 'wörld', 6],
      [42, 'k3', null, 7],
    ]);
    expect(out[0]!.headers).toEqual([['h', Buffer.from('x')], ['n', null]]);
  });

  it('detects every single-bit flip anywhere in a batch', () => {
    const batch = encodeBatch(records, 0, 0);
    let undetected = 0;
    for (let byte = 0; byte < batch.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(batch);
        copy[byte]! ^= 1 << bit;
        if (batchProblem(copy, 0) === undefined) undetected++;
      }
    }
    expect(undetected).toBe(0);
  });

  it('bounds lengths: a batch by the bytes given, a record by its batch', () => {
    const batch = encodeBatch(records, 0, 0);
    const zero = Buffer.from(batch);
    zero.writeUInt32BE(0, 0);
    expect(batchProblem(zero, 0)).toBe('batch length 0 is out of bounds');
    expect(batchProblem(batch.subarray(0, batch.length - 1), 0)).toBe(`batch length ${batch.length} is out of bounds`);
    // A record length that passes the checksum (a writer bug) still cannot reach past the batch.
    const wild = Buffer.from(batch);
    wild.writeInt32BE(0x7ffffff0, BATCH_HEADER_BYTES + 8 + 4 + 2);
    wild.writeUInt32BE(crc32c(wild, 12, wild.length), 8);
    expect(batchProblem(wild, 0)).toBeUndefined();
    const out: ConsumedRecord[] = [];
    expect(decodeBatch(wild, 0, 't', 0, 0, out)).toBe(`its 3 records do not fill its ${batch.length} bytes`);
    expect(out).toEqual([]);
  });
});
