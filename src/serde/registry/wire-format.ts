/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the payload; for Protobuf
 * the payload starts with the message indexes (the path to the message type within the schema file), written as
 * a zigzag-varint count followed by zigzag-varint indexes, with a single 0 byte meaning [0] (the first message).
 */
import { SerdeError } from '../serde.js';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function writeHeader(id: number, payload: Uint8Array, prefix?: Uint8Array): Buffer {
  const pre = prefix?.length ?? 0;
  const out = Buffer.allocUnsafe(HEADER_SIZE + pre + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  if (prefix) out.set(prefix, HEADER_SIZE);
  out.set(payload, HEADER_SIZE + pre);
  return out;
}

/** The schema id of a record in the wire format; throws for anything else. */
export function readSchemaId(data: Buffer, serde: string): number {
  if (data.length < HEADER_SIZE || data[0] !== MAGIC_BYTE) {
    throw new SerdeError(
      data.length === 0 ? `${serde}: empty record, expected the schema registry wire format` : `${serde}: unknown magic byte ${data[0]} (expected 0: not written in the schema registry wire format)`,
    );
  }
  return data.readInt32BE(1);
}

function zigzag(n: number): number {
  return (n << 1) ^ (n >> 31);
}

function writeVarint(out: number[], v: number): void {
  let u = v >>> 0;
  while (u > 0x7f) {
    out.push((u & 0x7f) | 0x80);
    u >>>= 7;
  }
  out.push(u);
}

const FIRST_MESSAGE = Uint8Array.of(0);

export function encodeMessageIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return FIRST_MESSAGE;
  const out: number[] = [];
  writeVarint(out, zigzag(indexes.length));
  for (const i of indexes) writeVarint(out, zigzag(i));
  return Uint8Array.from(out);
}

/** Reads the message indexes at `offset`; returns them and the offset of the Protobuf payload. */
export function decodeMessageIndexes(data: Buffer, offset: number, serde: string): { indexes: number[]; next: number } {
  let pos = offset;
  const read = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= data.length) throw new SerdeError(`${serde}: truncated message indexes`);
      const b = data[pos++];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new SerdeError(`${serde}: malformed message indexes`);
    }
    return (result >>> 1) ^ -(result & 1);
  };
  const count = read();
  if (count === 0) return { indexes: [0], next: pos };
  if (count < 0 || count > 100) throw new SerdeError(`${serde}: malformed message indexes (count ${count})`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(read());
  return { indexes, next: pos };
}
