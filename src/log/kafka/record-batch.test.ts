import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c, encodeProduceRequest } from './record-batch.js';

const require = createRequire(import.meta.url);
// kafkajs's decoders read what a broker would store: the encoding must round-trip through them.
const Decoder = require('kafkajs/src/protocol/decoder');
const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');

describe('record batch encoding', () => {
  it('computes CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const big = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    // slicing-by-8 and byte-at-a-time agree for every alignment
    for (const start of [0, 1, 3, 7]) {
      let c = -1;
      for (let i = start; i < big.length; i++) {
        c ^= big[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      expect(crc32c(big, start)).toBe((c ^ -1) >>> 0);
    }
  });

  it('writes a Produce v3 body whose record batches decode to the records, with a valid CRC', async () => {
    const records = [
      { key: 'k1', value: 'héllo', timestamp: 1_700_000_000_000 },
      { key: null, value: Buffer.from([0, 1, 2]), timestamp: 1_700_000_000_005 },
      { key: Buffer.from('k3'), value: null, timestamp: 5, headers: [['h', Buffer.from('x')], ['h', null]] as const },
      { key: 'k4', value: 'x'.repeat(300), timestamp: 0 },
    ];
    const body = encodeProduceRequest({ transactionalId: 'tx', producerId: 42, producerEpoch: 3 }, -1, 30_000, [
      { topic: 'topic-a', partition: 2, records, baseSequence: 7 },
    ]);
    const d = new Decoder(body);
    expect(d.readString()).toBe('tx');
    expect(d.readInt16()).toBe(-1);
    expect(d.readInt32()).toBe(30_000);
    expect(d.readInt32()).toBe(1);
    expect(d.readString()).toBe('topic-a');
    expect(d.readInt32()).toBe(1);
    expect(d.readInt32()).toBe(2);
    const size = d.readInt32();
    const batchBytes = d.readBytes(size);
    expect(d.canReadBytes(1)).toBe(false);
    // CRC over attributes..end
    expect(batchBytes.readUInt32BE(17)).toBe(crc32c(batchBytes, 21));
    const batch = await RecordBatchDecoder(new Decoder(batchBytes));
    expect(batch.inTransaction).toBe(true);
    expect(batch.producerId).toBe('42');
    expect(batch.producerEpoch).toBe(3);
    expect(batch.firstSequence).toBe(7);
    expect(batch.lastOffsetDelta).toBe(3);
    expect(batch.maxTimestamp).toBe('1700000000005');
    expect(
      batch.records.map((r: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, unknown> }) => [
        r.offset,
        r.timestamp,
        r.key?.toString('latin1') ?? null,
        r.value?.toString('utf8') ?? null,
        Object.keys(r.headers),
      ]),
    ).toEqual([
      ['0', '1700000000000', 'k1', 'héllo', []],
      ['1', '1700000000005', null, '\u0000\u0001\u0002', []],
      ['2', '5', 'k3', null, ['h']],
      ['3', '0', 'k4', 'x'.repeat(300), []],
    ]);
  });

  it('writes keys and values around the short-copy length (32), non-ASCII strings and large timestamp deltas exactly', async () => {
    const values = ['a'.repeat(31), 'b'.repeat(32), 'c'.repeat(33), 'é'.repeat(16), 'x'.repeat(31) + 'é', '', '\u{1F600}'];
    const records = values.flatMap((v, i) => [
      { key: v, value: Buffer.from(v), timestamp: 1000 + i * 2 ** 33 },
      { key: Buffer.from(v), value: v, timestamp: 1000 + i * 2 ** 33 + 1 },
    ]);
    const body = encodeProduceRequest({ transactionalId: null, producerId: 1, producerEpoch: 0 }, -1, 1000, [{ topic: 't', partition: 0, records, baseSequence: 0 }]);
    const d = new Decoder(body);
    d.readString();
    d.readInt16();
    d.readInt32();
    d.readInt32();
    d.readString();
    d.readInt32();
    d.readInt32();
    const batchBytes = d.readBytes(d.readInt32());
    expect(batchBytes.readUInt32BE(17)).toBe(crc32c(batchBytes, 21));
    const batch = await RecordBatchDecoder(new Decoder(batchBytes));
    expect(batch.records.map((r: { timestamp: string; key: Buffer; value: Buffer }) => [Number(r.timestamp), r.key.toString('utf8'), r.value.toString('utf8')])).toEqual(
      records.map((r) => [r.timestamp, r.key.toString(), r.value.toString()]),
    );
  });

  it('writes one batch per partition, grouped by topic, non-transactional without the flag', async () => {
    const body = encodeProduceRequest({ transactionalId: null, producerId: 1, producerEpoch: 0 }, -1, 1000, [
      { topic: 'a', partition: 0, records: [{ key: null, value: 'x', timestamp: 1 }], baseSequence: 0 },
      { topic: 'b', partition: 1, records: [{ key: null, value: 'y', timestamp: 2 }], baseSequence: 5 },
      { topic: 'a', partition: 1, records: [{ key: null, value: 'z', timestamp: 3 }], baseSequence: 9 },
    ]);
    const d = new Decoder(body);
    expect(d.readInt16()).toBe(-1); // null transactional id
    d.readInt16();
    d.readInt32();
    expect(d.readInt32()).toBe(2);
    const seen: string[] = [];
    for (let t = 0; t < 2; t++) {
      const topic = d.readString();
      const n = d.readInt32();
      for (let p = 0; p < n; p++) {
        const partition = d.readInt32();
        const batch = await RecordBatchDecoder(new Decoder(d.readBytes(d.readInt32())));
        expect(batch.inTransaction).toBe(false);
        seen.push(`${topic}-${partition}:${batch.firstSequence}:${batch.records[0].value.toString()}`);
      }
    }
    expect(seen).toEqual(['a-0:0:x', 'a-1:9:z', 'b-1:5:y']);
  });
});
