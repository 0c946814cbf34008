/**
 * Kafka's record batch format (magic 2) and the Produce request (v3) that carries it, written
 * straight into one Buffer per request: the hot write path of the Kafka backend. (kafkajs 2.2
 * encodes through an object and a small Buffer per record, and regroups a request's messages
 * with a copy per message; that cost more CPU than the stream processing itself.)
 *
 * Formats: https://kafka.apache.org/documentation/#recordbatch and the Produce request schema.
 */
import type { WireBytes } from '../types.js';
import type { RawHeaders } from '../../processor/headers.js';

// ---- CRC-32C (Castagnoli), slicing by 8 ----------------------------------------------------

const CRC_TABLES: Int32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0]![n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[0]![c & 0xff]! ^ (c >>> 8);
      tables[t]![n] = c;
    }
  }
  return tables;
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[buf[i + 4]!]! ^
      t2[buf[i + 5]!]! ^
      t1[buf[i + 6]!]! ^
      t0[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = t0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

// ---- varints -------------------------------------------------------------------------------

/** Zig-zag of an integer that fits in a double exactly (|n| < 2^52). */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function uvarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let size = 5;
  for (v = Math.floor(v / 0x800000000); v >= 1; v = Math.floor(v / 128)) size++;
  return size;
}

function writeUvarint(buf: Buffer, pos: number, v: number): number {
  if (v < 0x80000000) {
    // Integer arithmetic while the value fits 31 bits (lengths, deltas: nearly always).
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return pos;
  }
  while (v >= 128) {
    buf[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function varintSize(n: number): number {
  return uvarintSize(zigzag(n));
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  return writeUvarint(buf, pos, zigzag(n));
}

/** Up to this length, strings and Buffers are copied byte by byte here (cheaper than a call into C++ for short keys and values). */
const SHORT = 32;

/** UTF-8 length of a string: its length when it is short and ASCII, without a call into C++. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return n;
}

function bytesLength(b: WireBytes): number {
  return b === null ? -1 : typeof b === 'string' ? utf8Length(b) : b.length;
}

function writeBytes(buf: Buffer, pos: number, b: WireBytes, length: number): number {
  if (b === null) return pos;
  if (typeof b === 'string') {
    // A short string whose UTF-8 length is its length is ASCII (see utf8Length).
    if (length === b.length && length <= SHORT) {
      for (let i = 0; i < length; i++) buf[pos + i] = b.charCodeAt(i);
      return pos + length;
    }
    return pos + buf.write(b, pos, length, 'utf8');
  }
  if (length <= SHORT) {
    for (let i = 0; i < length; i++) buf[pos + i] = b[i]!;
    return pos + length;
  }
  b.copy(buf, pos);
  return pos + length;
}

// ---- record batches --------------------------------------------------------------------------

/** One record to encode. */
export interface BatchRecord {
  readonly key: WireBytes;
  readonly value: WireBytes;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly BatchRecord[];
  readonly baseSequence: number;
}

export interface ProducerIdentity {
  readonly transactionalId: string | null;
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** Size of the part of a record after its length prefix; `lengths` receives key/value sizes. */
function recordBodySize(r: BatchRecord, i: number, baseTimestamp: number, lengths: Int32Array, li: number): number {
  const keyLen = bytesLength(r.key);
  const valueLen = bytesLength(r.value);
  lengths[li] = keyLen;
  lengths[li + 1] = valueLen;
  let size = 1 + varintSize(r.timestamp - baseTimestamp) + varintSize(i);
  size += varintSize(keyLen) + (keyLen > 0 ? keyLen : 0);
  size += varintSize(valueLen) + (valueLen > 0 ? valueLen : 0);
  const headers = r.headers;
  const hn = headers === undefined ? 0 : headers.length;
  size += varintSize(hn);
  for (let h = 0; h < hn; h++) {
    const [k, v] = headers![h]!;
    const kl = Buffer.byteLength(k, 'utf8');
    const vl = v === null ? -1 : v.length;
    size += varintSize(kl) + kl + varintSize(vl) + (vl > 0 ? vl : 0);
  }
  return size;
}

const BATCH_OVERHEAD = 61; // baseOffset .. records count

/**
 * A Produce request (v3) body for these partition batches: one record batch per partition.
 * Returns the bytes after the request header.
 */
export function encodeProduceRequest(identity: ProducerIdentity, acks: number, timeoutMs: number, batches: readonly PartitionBatch[]): Buffer {
  // Pass 1: sizes.
  const byTopic = new Map<string, PartitionBatch[]>();
  for (const b of batches) {
    let list = byTopic.get(b.topic);
    if (list === undefined) byTopic.set(b.topic, (list = []));
    list.push(b);
  }
  const bodySizes: Int32Array[] = [];
  const lengthsPer: Int32Array[] = [];
  const batchSizes: number[] = [];
  let total = 2 + (identity.transactionalId === null ? 0 : Buffer.byteLength(identity.transactionalId, 'utf8')) + 2 + 4 + 4;
  let bi = 0;
  const ordered: PartitionBatch[] = [];
  for (const [topic, list] of byTopic) {
    total += 2 + Buffer.byteLength(topic, 'utf8') + 4;
    for (const b of list) {
      ordered.push(b);
      const n = b.records.length;
      const base = n > 0 ? b.records[0]!.timestamp : 0;
      const sizes = new Int32Array(n);
      const lengths = new Int32Array(2 * n);
      let size = BATCH_OVERHEAD;
      for (let i = 0; i < n; i++) {
        const body = recordBodySize(b.records[i]!, i, base, lengths, 2 * i);
        sizes[i] = body;
        size += uvarintSize(zigzag(body)) + body;
      }
      bodySizes.push(sizes);
      lengthsPer.push(lengths);
      batchSizes.push(size);
      total += 4 + 4 + size;
      bi++;
    }
  }

  // Pass 2: bytes.
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  if (identity.transactionalId === null) {
    pos = buf.writeInt16BE(-1, pos);
  } else {
    const len = Buffer.byteLength(identity.transactionalId, 'utf8');
    pos = buf.writeInt16BE(len, pos);
    pos += buf.write(identity.transactionalId, pos, len, 'utf8');
  }
  pos = buf.writeInt16BE(acks, pos);
  pos = buf.writeInt32BE(timeoutMs, pos);
  pos = buf.writeInt32BE(byTopic.size, pos);
  bi = 0;
  const attributes = identity.transactionalId === null ? 0 : 0x10;
  for (const [topic, list] of byTopic) {
    const tl = Buffer.byteLength(topic, 'utf8');
    pos = buf.writeInt16BE(tl, pos);
    pos += buf.write(topic, pos, tl, 'utf8');
    pos = buf.writeInt32BE(list.length, pos);
    for (const b of list) {
      const sizes = bodySizes[bi]!;
      const lengths = lengthsPer[bi]!;
      const size = batchSizes[bi]!;
      bi++;
      pos = buf.writeInt32BE(b.partition, pos);
      pos = buf.writeInt32BE(size, pos); // record set size
      const batchStart = pos;
      const n = b.records.length;
      const base = n > 0 ? b.records[0]!.timestamp : 0;
      let max = base;
      for (let i = 1; i < n; i++) if (b.records[i]!.timestamp > max) max = b.records[i]!.timestamp;
      pos = buf.writeBigInt64BE(0n, pos); // base offset
      pos = buf.writeInt32BE(size - 12, pos); // batch length
      pos = buf.writeInt32BE(-1, pos); // partition leader epoch
      buf[pos++] = 2; // magic
      const crcAt = pos;
      pos += 4;
      pos = buf.writeInt16BE(attributes, pos);
      pos = buf.writeInt32BE(n - 1, pos); // last offset delta
      pos = buf.writeBigInt64BE(BigInt(base), pos);
      pos = buf.writeBigInt64BE(BigInt(max), pos);
      pos = buf.writeBigInt64BE(BigInt(identity.producerId), pos);
      pos = buf.writeInt16BE(identity.producerEpoch, pos);
      pos = buf.writeInt32BE(b.baseSequence, pos);
      pos = buf.writeInt32BE(n, pos);
      for (let i = 0; i < n; i++) {
        const r = b.records[i]!;
        pos = writeVarint(buf, pos, sizes[i]!);
        buf[pos++] = 0; // record attributes
        pos = writeVarint(buf, pos, r.timestamp - base);
        pos = writeVarint(buf, pos, i);
        const kl = lengths[2 * i]!;
        pos = writeVarint(buf, pos, kl);
        if (kl > 0) pos = writeBytes(buf, pos, r.key, kl);
        const vl = lengths[2 * i + 1]!;
        pos = writeVarint(buf, pos, vl);
        if (vl > 0) pos = writeBytes(buf, pos, r.value, vl);
        const headers = r.headers;
        const hn = headers === undefined ? 0 : headers.length;
        pos = writeVarint(buf, pos, hn);
        for (let h = 0; h < hn; h++) {
          const [k, v] = headers![h]!;
          const hkl = Buffer.byteLength(k, 'utf8');
          pos = writeVarint(buf, pos, hkl);
          pos += buf.write(k, pos, hkl, 'utf8');
          if (v === null) {
            pos = writeVarint(buf, pos, -1);
          } else {
            pos = writeVarint(buf, pos, v.length);
            v.copy(buf, pos);
            pos += v.length;
          }
        }
      }
      buf.writeUInt32BE(crc32c(buf, crcAt + 4, batchStart + size), crcAt);
      if (pos !== batchStart + size) throw new Error(`record batch encoding: wrote ${pos - batchStart} bytes, expected ${size}`);
    }
  }
  if (pos !== total) throw new Error(`produce request encoding: wrote ${pos} bytes, expected ${total}`);
  return buf;
}
