import type { RawHeaders } from '../processor/headers.js';
import { readLong, writeLong } from '../serde/long-bytes.js';
import type { ChangelogRecord, ManagedStore, StoreInitContext } from './managed-store.js';
import { StoreBuilderBase } from './store-builder-base.js';
import type { StateStore } from './store.js';

/**
 * The suppression buffer (Kafka Streams' InMemoryTimeOrderedKeyValueChangeBuffer): the latest
 * change per key, ordered by (buffer time, key bytes), held in memory and made durable through its
 * own changelog. On flush (each commit) every key touched since the last flush is logged: its
 * current buffered value, or a tombstone when it was evicted. A restore replays the changelog.
 *
 * Changelog value layout (after Kafka Streams' BufferValue + ProcessorRecordContext):
 *   timestamp(8) ‖ offset(8) ‖ topic (len(4), -1 = none) ‖ partition(4) ‖ headers (count(4), -1 = none;
 *   each: keyLen(4) key valueLen(4, -1 = null) value) ‖ prior (len(4), -1 = null) ‖ old (len(4), -1 =
 *   null, -2 = same as prior) ‖ new (len(4), -1 = null) ‖ bufferTime(8); header `v` = 0x03.
 */

/** The record context kept with a buffered change (emitted records carry it). */
export interface BufferedContext {
  readonly timestamp: number;
  readonly offset: number;
  readonly topic: string | null;
  readonly partition: number;
  readonly headers: RawHeaders | undefined;
}

export interface BufferedChange {
  readonly keyBytes: Buffer;
  readonly time: number;
  /** The value before the first buffered change of this key (Kafka Streams' prior value). */
  readonly prior: Buffer | null;
  readonly oldValue: Buffer | null;
  readonly newValue: Buffer | null;
  readonly context: BufferedContext;
}

interface Entry extends BufferedChange {
  readonly id: string;
  readonly size: number;
  version: number;
}

interface HeapNode {
  readonly time: number;
  readonly keyBytes: Buffer;
  readonly id: string;
  readonly version: number;
}

function before(a: HeapNode, b: HeapNode): boolean {
  return a.time < b.time || (a.time === b.time && Buffer.compare(a.keyBytes, b.keyBytes) < 0);
}

const VERSION_HEADER: RawHeaders = [['v', Buffer.from([0x03])]];

function lengthPrefixed(parts: Buffer[], bytes: Buffer | null, marker = -1): void {
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(bytes === null ? marker : bytes.length, 0);
  parts.push(len);
  if (bytes !== null) parts.push(bytes);
}

export function encodeBufferValue(e: BufferedChange): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(16);
  writeLong(head, 0, e.context.timestamp);
  writeLong(head, 8, e.context.offset);
  parts.push(head);
  lengthPrefixed(parts, e.context.topic === null ? null : Buffer.from(e.context.topic, 'utf8'));
  const p = Buffer.allocUnsafe(4);
  p.writeInt32BE(e.context.partition, 0);
  parts.push(p);
  const headers = e.context.headers;
  const hc = Buffer.allocUnsafe(4);
  hc.writeInt32BE(headers === undefined ? -1 : headers.length, 0);
  parts.push(hc);
  if (headers !== undefined) {
    for (const [k, v] of headers) {
      lengthPrefixed(parts, Buffer.from(k, 'utf8'));
      lengthPrefixed(parts, v);
    }
  }
  lengthPrefixed(parts, e.prior);
  if (e.oldValue !== null && e.oldValue === e.prior) lengthPrefixed(parts, null, -2);
  else lengthPrefixed(parts, e.oldValue);
  lengthPrefixed(parts, e.newValue);
  const t = Buffer.allocUnsafe(8);
  writeLong(t, 0, e.time);
  parts.push(t);
  return Buffer.concat(parts);
}

export function decodeBufferValue(keyBytes: Buffer, data: Buffer): BufferedChange {
  let o = 0;
  const timestamp = readLong(data, o);
  const offset = readLong(data, o + 8);
  o += 16;
  const readBytes = (): Buffer | null | 'prior' => {
    const n = data.readInt32BE(o);
    o += 4;
    if (n === -2) return 'prior';
    if (n < 0) return null;
    const b = data.subarray(o, o + n);
    o += n;
    return b;
  };
  const topicBytes = readBytes() as Buffer | null;
  const partition = data.readInt32BE(o);
  o += 4;
  const count = data.readInt32BE(o);
  o += 4;
  let headers: Array<[string, Buffer | null]> | undefined;
  if (count >= 0) {
    headers = [];
    for (let i = 0; i < count; i++) {
      const k = readBytes() as Buffer;
      headers.push([k.toString('utf8'), readBytes() as Buffer | null]);
    }
  }
  const prior = readBytes() as Buffer | null;
  const oldRaw = readBytes();
  const oldValue = oldRaw === 'prior' ? prior : oldRaw;
  const newValue = readBytes() as Buffer | null;
  const time = readLong(data, o);
  return {
    keyBytes,
    time,
    prior,
    oldValue,
    newValue,
    context: { timestamp, offset, topic: topicBytes === null ? null : topicBytes.toString('utf8'), partition, headers: headers?.length ? headers : undefined },
  };
}

function sizeOf(e: BufferedChange): number {
  let n = e.keyBytes.length + 8 + 8 + 8 + 4 + (e.context.topic?.length ?? 0);
  n += (e.prior?.length ?? 0) + (e.oldValue !== e.prior ? (e.oldValue?.length ?? 0) : 0) + (e.newValue?.length ?? 0);
  if (e.context.headers !== undefined) for (const [k, v] of e.context.headers) n += k.length + (v?.length ?? 0);
  return n;
}

export class TimeOrderedBuffer implements ManagedStore, StateStore {
  readonly persistent = false;
  private readonly entries = new Map<string, Entry>();
  private heap: HeapNode[] = [];
  private readonly dirty = new Set<string>();
  private bytes = 0;
  /** Versions tell live heap nodes from stale ones (a key re-buffered at another time, or removed). */
  private versions = 0;
  private ctx!: StoreInitContext;
  private lastCheckpoint: number | undefined;

  constructor(readonly name: string) {}

  init(ctx: StoreInitContext): void {
    this.ctx = ctx;
  }

  // ---- buffer operations ------------------------------------------------------------------

  numRecords(): number {
    return this.entries.size;
  }

  bufferSize(): number {
    return this.bytes;
  }

  /** Smallest buffer time, or +∞ when empty. */
  minTimestamp(): number {
    const top = this.peek();
    return top === undefined ? Infinity : top.time;
  }

  get(keyBytes: Buffer): BufferedChange | undefined {
    return this.entries.get(keyBytes.toString('latin1'));
  }

  /**
   * Buffers the change of `keyBytes` at `time`. A key already buffered keeps its prior value and
   * takes the new change (and time).
   */
  put(time: number, keyBytes: Buffer, oldValue: Buffer | null, newValue: Buffer | null, context: BufferedContext): void {
    const id = keyBytes.toString('latin1');
    const prev = this.entries.get(id);
    const change: BufferedChange = { keyBytes, time, prior: prev === undefined ? oldValue : prev.prior, oldValue, newValue, context };
    this.insert(id, change, prev);
    this.dirty.add(id);
  }

  private insert(id: string, change: BufferedChange, prev: Entry | undefined): void {
    // Same buffer time (final results: the window end): the heap node already in place stays valid.
    const sameSlot = prev !== undefined && prev.time === change.time;
    const version = sameSlot ? prev.version : ++this.versions;
    const entry: Entry = { ...change, id, size: sizeOf(change), version };
    if (prev !== undefined) this.bytes -= prev.size;
    this.bytes += entry.size;
    this.entries.set(id, entry);
    if (!sameSlot) this.push({ time: entry.time, keyBytes: entry.keyBytes, id, version });
  }

  /** Emits (and removes) buffered changes in (time, key) order while `predicate()` holds. */
  evictWhile(predicate: () => boolean, callback: (change: BufferedChange) => void): void {
    for (;;) {
      const top = this.peek();
      if (top === undefined || !predicate()) return;
      this.pop();
      const e = this.entries.get(top.id)!;
      this.entries.delete(top.id);
      this.bytes -= e.size;
      this.dirty.add(top.id);
      callback(e);
    }
  }

  private live(n: HeapNode): boolean {
    const e = this.entries.get(n.id);
    return e !== undefined && e.version === n.version;
  }

  private peek(): HeapNode | undefined {
    while (this.heap.length > 0 && !this.live(this.heap[0]!)) this.pop();
    return this.heap[0];
  }

  private push(n: HeapNode): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }

  // ---- managed ------------------------------------------------------------------------------

  restoreFrom(): number {
    return this.lastCheckpoint ?? 0;
  }

  restore(records: readonly ChangelogRecord[]): void {
    for (const r of records) {
      if (r.key === null) continue;
      const id = r.key.toString('latin1');
      const prev = this.entries.get(id);
      if (r.value === null) {
        if (prev !== undefined) {
          this.entries.delete(id);
          this.bytes -= prev.size;
        }
        continue;
      }
      this.insert(id, decodeBufferValue(Buffer.from(r.key), r.value), prev);
    }
  }

  /** Logs every key touched since the last flush (Kafka Streams does this on flush/commit). */
  flushCache(): void {
    if (this.dirty.size === 0) return;
    const topic = this.ctx.changelogTopic;
    if (topic !== null) {
      for (const id of this.dirty) {
        const e = this.entries.get(id);
        const key = Buffer.from(id, 'latin1');
        if (e === undefined) {
          this.ctx.logChange(topic, this.ctx.changelogPartition, key, null, this.ctx.currentRecordTimestamp(), VERSION_HEADER);
        } else {
          this.ctx.logChange(topic, this.ctx.changelogPartition, key, encodeBufferValue(e), e.context.timestamp, VERSION_HEADER);
        }
      }
    }
    this.dirty.clear();
  }

  pendingBytes(): number {
    return 0;
  }

  async commit(changelogEnd: number | undefined): Promise<void> {
    if (changelogEnd !== undefined) this.lastCheckpoint = changelogEnd;
  }

  async close(): Promise<void> {}

  async wipe(): Promise<void> {
    this.entries.clear();
    this.heap = [];
    this.dirty.clear();
    this.bytes = 0;
    this.lastCheckpoint = undefined;
  }

  facade(): this {
    return this;
  }

  /** Buffered changes in eviction order (for tests and interactive queries). */
  snapshot(): BufferedChange[] {
    return [...this.entries.values()].sort((a, b) => a.time - b.time || Buffer.compare(a.keyBytes, b.keyBytes));
  }
}

/** Builds the suppression buffer store; logging is on by default and there is no cache. */
export class TimeOrderedBufferBuilder extends StoreBuilderBase {
  readonly kind = 'buffer' as const;
  readonly persistent = false;

  constructor(readonly name: string) {
    super();
  }

  build(): TimeOrderedBuffer {
    return new TimeOrderedBuffer(this.name);
  }
}
