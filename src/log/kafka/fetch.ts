/**
 * Fetch (v11) on kafkajs's connections, with the response decoded here. kafkajs's decoder builds
 * several objects per record (a Long and string for every offset and timestamp, a headers object,
 * a batch context) and awaits per batch: on a busy worker that was a quarter of its CPU. Here a
 * partition's record set is read straight into `ConsumedRecord`s; keys, values and header values
 * are views of the response buffer (as kafkajs's are).
 *
 * As a read_committed Java consumer: records below the fetch offset, control records and the
 * records of aborted transactions are left out, and the next offset follows the last complete
 * record batch (so it steps over transaction markers that end the data).
 */
import { createRequire } from 'node:module';
import type { RawHeaders } from '../../processor/headers.js';
import type { ConsumedRecord } from '../types.js';
import type { KBroker } from './kafkajs-internals.js';
import { CODEC_NAMES, decompressRecords } from './compression.js';

const require = createRequire(import.meta.url);
const fetchV11Request = require('kafkajs/src/protocol/requests/fetch/v11/request') as (request: Record<string, unknown>) => unknown;
/** Turns a partition's error code into kafkajs's error (OFFSET_OUT_OF_RANGE included), as its own fetch does. */
const fetchV11Parse = (require('kafkajs/src/protocol/requests/fetch/v11/response') as { parse: (data: unknown) => Promise<unknown> }).parse;

export interface FetchRequestOptions {
  readonly isolationLevel: number;
  readonly maxWaitTime: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly topics: ReadonlyArray<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
}

export interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  /** -1 when the broker does not say. */
  readonly lastStableOffset: number;
  /** Producer ids and first offsets of the aborted transactions in the fetched range. */
  readonly abortedTransactions: ReadonlyArray<{ producerId: number; firstOffset: number }>;
  readonly recordSet: Buffer;
}

export interface FetchedTopic {
  readonly topicName: string;
  readonly partitions: FetchedPartition[];
}

export interface DecodedPartition {
  readonly records: ConsumedRecord[];
  /** Where the next fetch starts: after the last complete record batch, control batches included. */
  readonly nextOffset: number;
}

/** Sends a Fetch request to `broker`; partition errors are thrown as kafkajs's errors. */
export async function fetchFrom(broker: KBroker, options: FetchRequestOptions): Promise<FetchedTopic[]> {
  const request = fetchV11Request({
    replicaId: -1,
    isolationLevel: options.isolationLevel,
    maxWaitTime: options.maxWaitTime,
    minBytes: options.minBytes,
    maxBytes: options.maxBytes,
    topics: options.topics,
  });
  try {
    const data = (await broker.connectionPool.send({
      request,
      response: { decode: async (raw: Buffer) => decodeFetchResponse(raw), parse: fetchV11Parse },
      // kafkajs waits at least its request.timeout.ms; the broker may hold a fetch for maxWaitTime.
      requestTimeout: options.maxWaitTime + 100,
    })) as { responses: FetchedTopic[] };
    return data.responses;
  } catch (error) {
    // As kafkajs's own requests do: a closed connection is dropped so the next request reconnects.
    if ((error as { name?: string }).name === 'KafkaJSConnectionClosedError') await broker.disconnect();
    throw error;
  }
}

/** Fetch response v11 → topics and partitions with their record sets (not yet decoded). */
export function decodeFetchResponse(raw: Buffer): { throttleTime: number; errorCode: number; sessionId: number; responses: FetchedTopic[] } {
  const r = new Reader(raw);
  r.int32(); // throttle time: kafkajs's parse wants 0 here (the broker did the throttling)
  const errorCode = r.int16();
  const sessionId = r.int32();
  const responses: FetchedTopic[] = [];
  for (let t = r.int32(); t > 0; t--) {
    const topicName = r.string();
    const partitions: FetchedPartition[] = [];
    for (let p = r.int32(); p > 0; p--) {
      const partition = r.int32();
      const partitionError = r.int16();
      const highWatermark = r.int64();
      const lastStableOffset = r.int64();
      r.int64(); // log start offset
      const abortedTransactions: Array<{ producerId: number; firstOffset: number }> = [];
      for (let a = r.int32(); a > 0; a--) abortedTransactions.push({ producerId: r.int64(), firstOffset: r.int64() });
      r.int32(); // preferred read replica
      const size = r.int32();
      const recordSet = size <= 0 ? EMPTY : raw.subarray(r.pos, Math.min(raw.length, r.pos + size));
      r.pos += Math.max(0, size);
      partitions.push({ partition, errorCode: partitionError, highWatermark, lastStableOffset, abortedTransactions, recordSet });
    }
    responses.push({ topicName, partitions });
  }
  return { throttleTime: 0, errorCode, sessionId, responses };
}

const EMPTY = Buffer.alloc(0);
/** Record batch v2 header: base offset .. record count. */
const BATCH_HEADER = 61;
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/**
 * The records of one partition's record set, from `fetchOffset` on, as a read_committed (or
 * read_uncommitted: give no aborted transactions) reader sees them.
 */
export function decodeRecordSet(topic: string, data: FetchedPartition, fetchOffset: number): DecodedPartition {
  const cursor = new RecordSetCursor(topic, data, fetchOffset);
  return { records: cursor.next(Infinity), nextOffset: cursor.nextOffset };
}

/**
 * Decodes a partition's record set a slice at a time, so that fetched data waits as bytes (not as
 * objects) until poll() hands it over (`max.poll.records`). `next(n)` resumes where the last call
 * stopped, inside a record batch if need be (a compressed batch is decompressed once).
 */
export class RecordSetCursor {
  private readonly buf: Buffer;
  private readonly partition: number;
  /** Byte position of the next record batch in `buf`. */
  private pos = 0;
  /** Past the last complete record batch of the record set, control batches included. */
  private readonly batchesEnd: number;
  private readonly aborted: ReadonlyArray<{ producerId: number; firstOffset: number }> | null;
  private abortedIndex = 0;
  private active: Set<number> | null = null;
  // The record batch being read: its records in `body` from `at`, `left` of them to go.
  private body: Buffer = EMPTY;
  private reader: Reader = new Reader(EMPTY);
  private left = 0;
  private baseOffset = 0;
  private firstTimestamp = 0;
  private maxTimestamp = 0;
  private logAppendTime = false;
  /** One past the offset of the last record handed out (or the fetch offset before any). */
  private handedOut: number;

  constructor(
    private readonly topic: string,
    data: FetchedPartition,
    private readonly fetchOffset: number,
  ) {
    this.buf = data.recordSet;
    this.partition = data.partition;
    this.batchesEnd = endOfBatches(this.buf, fetchOffset);
    this.handedOut = fetchOffset;
    this.aborted = data.abortedTransactions.length > 0 ? [...data.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset) : null;
  }

  /** True once every record has been handed out. */
  get done(): boolean {
    return this.left === 0 && !this.seekBatch();
  }

  /** Where the partition's next fetch starts: after the record set's last complete record batch. */
  get fetchEnd(): number {
    return this.batchesEnd;
  }

  /**
   * Where the partition's next fetch starts once the record set is done: after its last complete
   * record batch (past trailing markers and aborted records). Before that: after the last record
   * handed out, since the rest is still to come.
   */
  get nextOffset(): number {
    return this.done ? this.batchesEnd : this.handedOut;
  }

  /** Up to `max` more records. */
  next(max: number): ConsumedRecord[] {
    const records: ConsumedRecord[] = [];
    const topic = this.topic;
    const partition = this.partition;
    const fetchOffset = this.fetchOffset;
    while (records.length < max && (this.left > 0 || this.seekBatch())) {
      const body = this.body;
      const r = this.reader;
      const baseOffset = this.baseOffset;
      let left = this.left;
      while (left > 0 && records.length < max) {
        left--;
        const recordEnd = r.varint() + r.pos;
        r.pos++; // attributes
        const timestampDelta = r.varlong();
        const offset = baseOffset + r.varint();
        const keyLength = r.varint();
        const key = keyLength < 0 ? null : body.subarray(r.pos, (r.pos += keyLength));
        const valueLength = r.varint();
        const value = valueLength < 0 ? null : body.subarray(r.pos, (r.pos += valueLength));
        const headerCount = r.varint();
        let headers: RawHeaders | undefined;
        if (headerCount > 0) {
          const list: Array<[string, Buffer | null]> = [];
          for (let h = 0; h < headerCount; h++) {
            const nameLength = r.varint();
            const name = body.toString('utf8', r.pos, (r.pos += nameLength));
            const headerValueLength = r.varint();
            list.push([name, headerValueLength < 0 ? null : body.subarray(r.pos, (r.pos += headerValueLength))]);
          }
          headers = list;
        }
        r.pos = recordEnd;
        if (offset < fetchOffset) continue;
        const timestamp = this.logAppendTime ? this.maxTimestamp : this.firstTimestamp + timestampDelta;
        records.push(headers === undefined ? { topic, partition, offset, key, value, timestamp } : { topic, partition, offset, key, value, timestamp, headers });
        this.handedOut = offset + 1;
      }
      this.left = left;
    }
    return records;
  }

  /** Moves to the next record batch with records to hand out; false at the end of the record set. */
  private seekBatch(): boolean {
    const buf = this.buf;
    const topic = this.topic;
    const partition = this.partition;
    while (this.left === 0 && this.pos + BATCH_HEADER <= buf.length) {
      const pos = this.pos;
      const baseOffset = readInt64(buf, pos);
      const length = buf.readInt32BE(pos + 8);
      const end = pos + 12 + length;
      if (end > buf.length) {
        this.pos = buf.length; // a partial batch at the end of the response (max bytes)
        break;
      }
      this.pos = end;
      const magic = buf.readInt8(pos + 16);
      if (magic !== 2) throw new Error(`${topic}-${partition}@${baseOffset}: message format v${magic} is not supported (Kafka 0.11+ writes v2)`);
      const attributes = buf.readInt16BE(pos + 21);
      const lastOffsetDelta = buf.readInt32BE(pos + 23);
      const producerId = readInt64(buf, pos + 43);
      const count = buf.readInt32BE(pos + 57);
      const batchEnd = baseOffset + lastOffsetDelta + 1;
      const inTransaction = (attributes & TRANSACTIONAL) !== 0;
      const aborted = this.aborted;
      if (aborted !== null) {
        while (this.abortedIndex < aborted.length && baseOffset + lastOffsetDelta >= aborted[this.abortedIndex]!.firstOffset) {
          (this.active ??= new Set()).add(aborted[this.abortedIndex]!.producerId);
          this.abortedIndex++;
        }
      }
      if ((attributes & CONTROL) !== 0) {
        // A marker ends its producer's transaction; after an abort marker its records count again.
        if (this.active !== null) this.active.delete(producerId);
        continue;
      }
      if (batchEnd <= this.fetchOffset || (inTransaction && this.active !== null && this.active.has(producerId)) || count <= 0) continue;
      const codec = attributes & COMPRESSION_MASK;
      if (codec === 0) {
        this.body = buf;
        this.reader = new Reader(buf, pos + BATCH_HEADER);
      } else {
        try {
          this.body = decompressRecords(codec, buf.subarray(pos + BATCH_HEADER, end));
        } catch (error) {
          throw new Error(`${topic}-${partition}@${baseOffset}: cannot decompress ${CODEC_NAMES[codec] ?? `codec ${codec}`} record batch: ${(error as Error).message}`);
        }
        this.reader = new Reader(this.body, 0);
      }
      this.left = count;
      this.baseOffset = baseOffset;
      this.firstTimestamp = readInt64(buf, pos + 27);
      this.maxTimestamp = readInt64(buf, pos + 35);
      this.logAppendTime = (attributes & LOG_APPEND_TIME) !== 0;
    }
    return this.left > 0;
  }
}

/** After the last complete record batch of a record set (at least `from`). */
function endOfBatches(buf: Buffer, from: number): number {
  let end = from;
  for (let pos = 0; pos + BATCH_HEADER <= buf.length; ) {
    const next = pos + 12 + buf.readInt32BE(pos + 8);
    if (next > buf.length) break;
    const batchEnd = readInt64(buf, pos) + buf.readInt32BE(pos + 23) + 1;
    if (batchEnd > end) end = batchEnd;
    pos = next;
  }
  return end;
}

/** An int64 as a number (offsets, timestamps and producer ids stay below 2^53). */
function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}

  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): number {
    const v = readInt64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const length = this.int16();
    if (length < 0) return '';
    return this.buf.toString('utf8', this.pos, (this.pos += length));
  }

  /** A zigzag varint (int32). */
  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    let raw = b & 0x7f;
    let shift = 7;
    while (b & 0x80) {
      b = buf[this.pos++]!;
      raw |= (b & 0x7f) << shift;
      shift += 7;
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A zigzag varlong, as a number (timestamp deltas). */
  varlong(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    let raw = b & 0x7f;
    let mul = 128;
    while (b & 0x80) {
      b = buf[this.pos++]!;
      raw += (b & 0x7f) * mul;
      mul *= 128;
    }
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
}
