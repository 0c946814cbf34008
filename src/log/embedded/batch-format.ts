import type { ConsumedRecord, ProducedRecord, WireBytes } from '../types.js';
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
    for (const [name, value] of headers) size += 2 + 3 * name.length + 4 + (value === null ? 0 : value.length);
  }
  return size;
}

/** Upper bound of the bytes a value takes (a UTF-8 string takes at most 3 bytes per UTF-16 unit). */
function wireSize(bytes: WireBytes): number {
  if (bytes === null) return 0;
  return typeof bytes === 'string' ? 3 * bytes.length : bytes.length;
}

// Node's Buffer has a direct UTF-8 writer that skips Buffer.write's argument handling.
const utf8Write: (buf: Buffer, s: string, offset: number) => number =
  typeof (Buffer.prototype as any).utf8Write === 'function'
    ? (buf, str, offset) => (buf as any).utf8Write(str, offset)
    : (buf, str, offset) => buf.write(str, offset, 'utf8');

export function encodeBatch(records: readonly ProducedRecord[], baseOffset: number): Buffer {
  let bound = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    bound += 16 + wireSize(r.key) + wireSize(r.value) + headersSize(r.headers);
  }
  const buf = Buffer.allocUnsafe(bound);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(4, MAGIC);
  view.setFloat64(8, baseOffset);
  view.setUint32(16, records.length);
  view.setUint32(20, 0);
  let p = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    view.setFloat64(p, r.timestamp);
    p += 8;
    p = writeBytes(buf, view, p, r.key);
    p = writeBytes(buf, view, p, r.value);
    const headers = r.headers;
    if (headers === undefined || headers.length === 0) {
      view.setUint16(p, 0);
      p += 2;
    } else {
      view.setUint16(p, headers.length);
      p += 2;
      for (const [name, value] of headers) {
        const n = utf8Write(buf, name, p + 2);
        view.setUint16(p, n);
        p = writeBytes(buf, view, p + 2 + n, value);
      }
    }
  }
  view.setUint32(0, p);
  return buf.subarray(0, p);
}

function writeBytes(buf: Buffer, view: DataView, p: number, bytes: WireBytes): number {
  if (bytes === null) {
    view.setInt32(p, -1);
    return p + 4;
  }
  if (typeof bytes === 'string') {
    const n = utf8Write(buf, bytes, p + 4);
    view.setInt32(p, n);
    return p + 4 + n;
  }
  view.setInt32(p, bytes.length);
  buf.set(bytes, p + 4);
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
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < header.count && maxRecords > 0; i++) {
    const timestamp = view.getFloat64(p);
    p += 8;
    const keyLen = view.getInt32(p);
    p += 4;
    const key = keyLen < 0 ? null : buf.subarray(p, p + keyLen);
    if (keyLen > 0) p += keyLen;
    const valueLen = view.getInt32(p);
    p += 4;
    const value = valueLen < 0 ? null : buf.subarray(p, p + valueLen);
    if (valueLen > 0) p += valueLen;
    const headerCount = view.getUint16(p);
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
