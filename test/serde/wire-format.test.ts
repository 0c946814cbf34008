import { describe, expect, it } from 'vitest';
import { decodeMessageIndexes, encodeMessageIndexes, readSchemaId, writeHeader } from '../../src/serde/registry/wire-format.js';
import { SerdeError } from '../../src/serde/serde.js';

describe('Confluent wire format', () => {
  it('writes magic byte 0 and the schema id as a 4-byte big-endian int before the payload', () => {
    const out = writeHeader(0x01020304, Buffer.from('abc'));
    expect([...out]).toEqual([0, 1, 2, 3, 4, 0x61, 0x62, 0x63]);
    expect(readSchemaId(out, 'avro')).toBe(0x01020304);
  });

  it('rejects records without the magic byte, and empty or short ones, with one line', () => {
    expect(() => readSchemaId(Buffer.from('{"a":1}'), 'avro')).toThrow(SerdeError);
    expect(() => readSchemaId(Buffer.from('{"a":1}'), 'avro')).toThrow('avro: unknown magic byte 123 (expected 0: not written in the schema registry wire format)');
    expect(() => readSchemaId(Buffer.alloc(0), 'avro')).toThrow('empty record');
    expect(() => readSchemaId(Buffer.from([0, 0, 1]), 'avro')).toThrow('unknown magic byte 0');
  });

  it('Protobuf message indexes: [0] is the single byte 0; others a zigzag-varint count and zigzag-varint indexes', () => {
    expect([...encodeMessageIndexes([0])]).toEqual([0]);
    expect([...encodeMessageIndexes([1])]).toEqual([2, 2]);
    expect([...encodeMessageIndexes([0, 2])]).toEqual([4, 0, 4]);
    expect([...encodeMessageIndexes([70])]).toEqual([2, 0x8c, 0x01]);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.from([4, 0, 4]), Buffer.from([8, 1])]);
    expect(decodeMessageIndexes(framed, 5, 'protobuf')).toEqual({ indexes: [0, 2], next: 8 });
    expect(decodeMessageIndexes(Buffer.from([0, 0, 0, 0, 7, 0, 8, 1]), 5, 'protobuf')).toEqual({ indexes: [0], next: 6 });
    expect(decodeMessageIndexes(Buffer.from([2, 0x8c, 0x01]), 0, 'protobuf')).toEqual({ indexes: [70], next: 3 });
    expect(() => decodeMessageIndexes(Buffer.from([0, 0, 0, 0, 7, 4, 0]), 5, 'protobuf')).toThrow('truncated message indexes');
  });
});
