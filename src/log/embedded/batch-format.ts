import type { ConsumedRecord, ProducedRecord } from '../types.js';
import type { RawHeaders } from '../../processor/headers.js';

/**
 * On-disk record batch (one write per partition per commit, like Kafka's RecordBatch):
 *
 *   u32 totalLength | u32 magic | f64 baseOffset | u32 count | u32 reserved      (24 bytes)
 *   count × ( f64 timestamp | i32 keyLen | key | i32 valueLen | value | u16 headerCount |
 *             headerCount × ( u16 nameLen | name | i32 valueLen | value ) )
 *
 * Lengths of -1 mean null. Offsets are doubles: exact up to 2^53.
 */
export const BATCH_HEADER_BYTES = 24;
const MAGIC = 0x6b730001;

function headersSize(headers: RawHeaders | undefined): number {
  let size = 2;
  if (headers !== undefined) {
    for (const [name, value] of headers) size += 2 + Buffer.byteLength(name, 'utf8') + 4 + (value === null ? 0 : value.length);
  }
  return size;
}

export function encodeBatch(records: readonly ProducedRecord[], baseOffset: number): Buffer {
  let size = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    size += 16 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length) + headersSize(r.headers);
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeUInt32BE(size, 0);
  buf.writeUInt32BE(MAGIC, 4);
  buf.writeDoubleBE(baseOffset, 8);
  buf.writeUInt32BE(records.length, 16);
  buf.writeUInt32BE(0, 20);
  let p = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    buf.writeDoubleBE(r.timestamp, p);
    p += 8;
    p = writeBytes(buf, p, r.key);
    p = writeBytes(buf, p, r.value);
    const headers = r.headers;
    if (headers === undefined || headers.length === 0) {
      buf.writeUInt16BE(0, p);
      p += 2;
    } else {
      buf.writeUInt16BE(headers.length, p);
      p += 2;
      for (const [name, value] of headers) {
        const n = buf.write(name, p + 2, 'utf8');
        buf.writeUInt16BE(n, p);
        p = writeBytes(buf, p + 2 + n, value);
      }
    }
  }
  return buf;
}

function writeBytes(buf: Buffer, p: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, p);
    return p + 4;
  }
  buf.writeInt32BE(bytes.length, p);
  bytes.copy(buf, p + 4);
  return p + 4 + bytes.length;
}

export interface BatchHeader {
  readonly length: number;
  readonly baseOffset: number;
  readonly count: number;
}

/** Reads the header at `pos`; undefined if fewer than a header's bytes are available. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader | undefined {
  if (buf.length - pos < BATCH_HEADER_BYTES) return undefined;
  const magic = buf.readUInt32BE(pos + 4);
  if (magic !== MAGIC) throw new Error(`corrupt log segment: bad batch magic ${magic.toString(16)} at byte ${pos}`);
  return { length: buf.readUInt32BE(pos), baseOffset: buf.readDoubleBE(pos + 8), count: buf.readUInt32BE(pos + 16) };
}

/**
 * Decodes the records of the batch at `pos` whose offsets are >= `fromOffset`, pushing them to
 * `out`. Keys and values are views into `buf` (no copy).
 */
export function decodeBatch(
  buf: Buffer,
  pos: number,
  topic: string,
  partition: number,
  fromOffset: number,
  maxRecords: number,
  out: ConsumedRecord[],
): void {
  const header = readBatchHeader(buf, pos)!;
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < header.count && maxRecords > 0; i++) {
    const timestamp = buf.readDoubleBE(p);
    p += 8;
    const keyLen = buf.readInt32BE(p);
    p += 4;
    const key = keyLen < 0 ? null : buf.subarray(p, p + keyLen);
    if (keyLen > 0) p += keyLen;
    const valueLen = buf.readInt32BE(p);
    p += 4;
    const value = valueLen < 0 ? null : buf.subarray(p, p + valueLen);
    if (valueLen > 0) p += valueLen;
    const headerCount = buf.readUInt16BE(p);
    p += 2;
    let headers: Array<[string, Buffer | null]> | undefined;
    if (headerCount > 0) {
      headers = [];
      for (let h = 0; h < headerCount; h++) {
        const nameLen = buf.readUInt16BE(p);
        const name = buf.toString('utf8', p + 2, p + 2 + nameLen);
        p += 2 + nameLen;
        const hLen = buf.readInt32BE(p);
        p += 4;
        headers.push([name, hLen < 0 ? null : buf.subarray(p, p + hLen)]);
        if (hLen > 0) p += hLen;
      }
    }
    const offset = header.baseOffset + i;
    if (offset < fromOffset) continue;
    out.push({ topic, partition, offset, key, value, timestamp, headers });
    maxRecords--;
  }
}
