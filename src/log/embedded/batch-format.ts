import type { ConsumedRecord, ProducedRecord, WireBytes } from '../types.js';
import type { RawHeaders } from '../../processor/headers.js';
import { crc32c } from './checksum.js';

/**
 * On-disk record batch (one write per partition per commit, like Kafka's RecordBatch):
 *
 *   u32 totalLength | u32 magic | u32 crc | u32 count | f64 baseOffset | f64 previousEnd   (32 bytes)
 *   count × ( f64 timestamp | i32 keyLen | key | i32 valueLen | value | u16 headerCount |
 *             headerCount × ( u16 nameLen | name | i32 valueLen | value ) )
 *
 * `crc` is the CRC-32C of bytes [12, totalLength): count, offsets and every record. `previousEnd`
 * is where the partition's previous batch ended (offsets between it and `baseOffset` were never
 * written), so that a reader can tell a gap from a batch it skipped by a damaged length. Lengths of
 * -1 mean null. Offsets are doubles: exact up to 2^53. Format 1 (magic ...0001) had no checksum.
 */
export const BATCH_HEADER_BYTES = 32;
const MAGIC = 0x6b730002;
const CRC_FROM = 12;

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

export function encodeBatch(records: readonly ProducedRecord[], baseOffset: number, previousEnd: number): Buffer {
  let bound = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    bound += 16 + wireSize(r.key) + wireSize(r.value) + headersSize(r.headers);
  }
  const buf = Buffer.allocUnsafe(bound);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(4, MAGIC);
  view.setUint32(12, records.length);
  view.setFloat64(16, baseOffset);
  view.setFloat64(24, previousEnd);
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
  view.setUint32(8, crc32c(buf, CRC_FROM, p));
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
  readonly previousEnd: number;
}

/** Length field of the batch at `pos` (the caller has checked that a header's bytes are there). */
export function batchLength(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos);
}

/**
 * Checks the header of the batch at `pos` that claims `available` bytes at most (those of its
 * segment's committed extent from `pos`): its length and magic. Undefined when they are right.
 */
export function headerProblem(buf: Buffer, pos: number, available: number): string | undefined {
  const length = buf.readUInt32BE(pos);
  if (length < BATCH_HEADER_BYTES || length > available) return `batch length ${length} is out of bounds`;
  const magic = buf.readUInt32BE(pos + 4);
  if (magic !== MAGIC) return `bad batch magic 0x${magic.toString(16)}`;
  return undefined;
}

/**
 * Checks the batch at `pos`, whose bytes must all be in `buf`: returns what is wrong with it, or
 * undefined when its header and checksum are right. Nothing of a batch is trusted before this.
 */
export function batchProblem(buf: Buffer, pos: number): string | undefined {
  const problem = headerProblem(buf, pos, buf.length - pos);
  if (problem !== undefined) return problem;
  const stored = buf.readUInt32BE(pos + 8);
  const actual = crc32c(buf, pos + CRC_FROM, pos + buf.readUInt32BE(pos));
  if (stored !== actual) return `checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`;
  return undefined;
}

/** The header of a batch that `batchProblem` accepted. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  return { length: buf.readUInt32BE(pos), baseOffset: buf.readDoubleBE(pos + 16), count: buf.readUInt32BE(pos + 12), previousEnd: buf.readDoubleBE(pos + 24) };
}

/**
 * What is wrong with where a batch sits: it must follow the previous batch (`lastEnd`, when that
 * one is known) and hold at least one record after its own gap.
 */
export function placeProblem(header: BatchHeader, lastEnd: number | undefined): string | undefined {
  if (header.count === 0 || !(header.previousEnd <= header.baseOffset)) return `batch header out of shape (base offset ${header.baseOffset}, ${header.count} records)`;
  if (lastEnd !== undefined && header.previousEnd !== lastEnd) return `the batch of offset ${header.baseOffset} says the batch before it ended at offset ${header.previousEnd}, but that one ended at ${lastEnd}`;
  return undefined;
}

/**
 * Decodes the records of the batch at `pos` (checked by `batchProblem`) whose offsets are >=
 * `fromOffset`, pushing them to `out`. Keys and values are views into `buf` (no copy). Returns
 * what is wrong when the records do not fill the batch exactly (then nothing is pushed).
 */
export function decodeBatch(
  buf: Buffer,
  pos: number,
  topic: string,
  partition: number,
  fromOffset: number,
  out: ConsumedRecord[],
): string | undefined {
  const header = readBatchHeader(buf, pos);
  const end = pos + header.length;
  const view = new DataView(buf.buffer, buf.byteOffset, end);
  const before = out.length;
  let p = pos + BATCH_HEADER_BYTES;
  try {
    for (let i = 0; i < header.count; i++) {
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
          const nameLen = view.getUint16(p);
          const name = buf.toString('utf8', p + 2, p + 2 + nameLen);
          p += 2 + nameLen;
          const hLen = view.getInt32(p);
          p += 4;
          headers.push([name, hLen < 0 ? null : buf.subarray(p, p + hLen)]);
          if (hLen > 0) p += hLen;
        }
      }
      if (p > end) break;
      const offset = header.baseOffset + i;
      if (offset < fromOffset) continue;
      out.push({ topic, partition, offset, key, value, timestamp, headers });
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    p = end + 1;
  }
  if (p === end) return undefined;
  out.length = before;
  return `its ${header.count} records do not fill its ${header.length} bytes`;
}
