/** Converting records between the log interface and kafkajs's fetch and produce shapes. */
import type { RawHeaders } from '../../processor/headers.js';
import type { ConsumedRecord, ProducedRecord } from '../types.js';
import type { FetchPartitionResponse, RawRecord } from './kafkajs-internals.js';

export interface DecodedPartition {
  readonly records: ConsumedRecord[];
  /** Where the next fetch starts: after the last record batch seen, control batches included. */
  readonly nextOffset: number;
}

function headersOf(h: RawRecord['headers']): RawHeaders | undefined {
  let out: Array<[string, Buffer | null]> | undefined;
  for (const key in h) {
    const v = h[key];
    out ??= [];
    if (Array.isArray(v)) for (const one of v) out.push([key, one ?? null]);
    else out.push([key, v ?? null]);
  }
  return out;
}

/**
 * The records of one partition of a fetch response, as a read_committed (or read_uncommitted)
 * reader sees them: records below the fetch offset, control records and records of aborted
 * transactions are left out. The next offset follows the record batches (so it steps over
 * transaction markers that end the data, as a Kafka consumer's position does).
 */
export function decodePartition(topic: string, data: FetchPartitionResponse, fetchOffset: number): DecodedPartition {
  const messages = data.messages;
  const records: ConsumedRecord[] = [];
  let next = fetchOffset;
  const aborted = data.abortedTransactions;
  let abortedIndex = 0;
  const abortedFirst = aborted !== undefined && aborted.length > 0 ? sortedAborted(aborted) : null;
  let active: Set<string> | null = null;
  let lastContext: RawRecord['batchContext'] | undefined;
  const partition = data.partition;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const ctx = m.batchContext;
    const offset = Number(m.offset);
    if (ctx !== undefined) {
      if (ctx !== lastContext) {
        lastContext = ctx;
        const end = Number(ctx.firstOffset) + ctx.lastOffsetDelta + 1;
        if (end > next) next = end;
      }
    } else if (offset + 1 > next) {
      next = offset + 1;
    }
    if (offset < fetchOffset) continue;
    if (abortedFirst !== null) {
      while (abortedIndex < abortedFirst.length && offset >= abortedFirst[abortedIndex]!.first) {
        (active ??= new Set()).add(abortedFirst[abortedIndex]!.producerId);
        abortedIndex++;
      }
    }
    if (m.isControlRecord) {
      // A marker ends its producer's transaction; after an abort marker its records count again.
      if (active !== null && ctx !== undefined) active.delete(ctx.producerId);
      continue;
    }
    if (active !== null && active.size > 0 && ctx !== undefined && ctx.inTransaction && active.has(ctx.producerId)) continue;
    const headers = headersOf(m.headers);
    records.push(
      headers === undefined
        ? { topic, partition, offset, key: m.key, value: m.value, timestamp: Number(m.timestamp) }
        : { topic, partition, offset, key: m.key, value: m.value, timestamp: Number(m.timestamp), headers },
    );
  }
  return { records, nextOffset: next };
}

function sortedAborted(list: ReadonlyArray<{ producerId: string; firstOffset: string }>): Array<{ producerId: string; first: number }> {
  return list.map((a) => ({ producerId: a.producerId, first: Number(a.firstOffset) })).sort((a, b) => a.first - b.first);
}

/** About the bytes a record takes on the wire (a string's length stands in for its UTF-8 size). */
export function producedBytes(r: ProducedRecord): number {
  return 24 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
}
