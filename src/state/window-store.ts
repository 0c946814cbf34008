import type { Serde } from '../serde/serde.js';
import { SerdeError } from '../serde/serde.js';
import type { Headers, RawHeaders } from '../processor/headers.js';
import { Windowed } from '../common/windowed.js';
import { readLong, writeLong } from '../serde/long-bytes.js';
import type { StoreEngine } from './engine.js';
import { type CacheEntry, type NamedCache, flushSteps, runSteps } from './record-cache.js';
import { SegmentedEngineStore } from './engine-backed-store.js';
import { collectWithOverlay } from './query-scan.js';
import type { ChangelogRecord, ManagedStore, StoreInitContext } from './managed-store.js';
import { CachingStoreBuilderBase, windowedChangelogConfig } from './store-builder-base.js';
import { SegmentClock, SortedEntries, ksSegmentInterval, reportExpiredPut, segmentPrefix } from './segmented.js';
import type { KeyValue, StateStore, ValueAndTimestamp } from './store.js';

/**
 * Window stores (Kafka Streams' WindowStore / TimestampedWindowStore): values per (key, window
 * start), optionally several per start (`retainDuplicates`, the stream-stream join stores).
 *
 * Engine layout (all reads are point lookups, so LevelDB's synchronous `getSync` suffices):
 *
 *   entry: segment(8) ‖ 0x01 ‖ key ‖ start(8) ‖ seq(4)  →  [timestamp(8) ‖] value
 *   index: segment(8) ‖ 0x00 ‖ key ‖ bucket(8)         →  sorted (start(8) ‖ seq(4))*
 *
 * `segment` is the physical time segment of the start (a multiple of the index bucket width, so a
 * bucket never straddles two segments); expired segments leave with one range delete. The index
 * lists, per key and time bucket, the entries that exist, so `fetch(key, from, to)` reads the few
 * buckets overlapping [from, to] and then the entries they name. Changelog records use Kafka
 * Streams' layout: key = `key ‖ start(8) ‖ seq(4)`, value = the raw value, record timestamp = the
 * value's timestamp.
 */

const INDEX = 0x00;
const ENTRY = 0x01;
const INDEX_WIDTH = 12;
/** Above this many index buckets a range fetch scans instead (in memory) or refuses (LevelDB). */
const MAX_BUCKETS_PER_FETCH = 1_000_000;

export interface WindowStoreOptions<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** Values carry the timestamp of their last update (DSL aggregation stores). */
  readonly timestamped: boolean;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly cachingEnabled: boolean;
  /** Width of the per-key index buckets; about a quarter of the typical fetch range is a good value. */
  readonly indexBucketMs?: number;
}

/** A key with its serialized forms, computed once per record (see WindowStoreImpl.keyRef). */
export interface WindowKeyRef<K> {
  readonly key: K;
  readonly kb: Buffer;
  /** latin1 string of `kb`. */
  readonly kid: string;
}

/** One window of a key as a store returns it. */
export interface WindowEntry<V> {
  readonly start: number;
  readonly value: V;
  readonly timestamp: number;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key`'s window starting at `windowStart`, or null. */
  fetch(key: K, windowStart: number): V | null;
  /** `[windowStart, value]` of `key`'s windows with a start in [timeFrom, timeTo], ascending. */
  fetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>>;
  backwardFetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>>;
  /** Every window of every key with a start in [timeFrom, timeTo] (in-memory stores; see fetchAllAsync). */
  fetchAll(timeFrom: number, timeTo: number): Array<KeyValue<Windowed<K>, V>>;
  all(): Array<KeyValue<Windowed<K>, V>>;
  fetchAllAsync(timeFrom: number, timeTo: number): Promise<Array<KeyValue<Windowed<K>, V>>>;
  allAsync(): Promise<Array<KeyValue<Windowed<K>, V>>>;
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Writes (null: deletes) the window of `key` starting at `windowStart`; timestamp = current record's. */
  put(key: K, value: V | null, windowStart: number): void;
}

/** A window store whose values carry the timestamp of their last update. */
export interface TimestampedWindowStore<K, V> extends WindowStore<K, V> {
  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | null;
  putWithTimestamp(key: K, value: V | null, windowStart: number, timestamp: number): void;
}

/**
 * Receives what a caching window store emits on flush/eviction (Kafka Streams' flush listener of
 * CachingWindowStore): the window, the new value and (when requested) the previous one.
 */
export type WindowFlushListener<K, V> = (
  key: Windowed<K>,
  newValue: V | null,
  oldValue: V | null,
  timestamp: number,
  headers: Headers | RawHeaders | undefined,
) => void;

/**
 * The window store the DSL's processors use: the public interface plus the cache's flush listener,
 * headers on writes and allocation-free access by a prepared key reference.
 */
export interface InternalWindowStore<K, V> extends TimestampedWindowStore<K, V> {
  /** Forwards through cache flushes; false when the store has no cache (the caller forwards itself). */
  setFlushListener(listener: WindowFlushListener<K, V>, sendOldValues: boolean): boolean;
  putWithTimestamp(key: K, value: V | null, windowStart: number, timestamp: number, headers?: Headers): void;
  /** A key serialized once for several operations on it (a record updating several windows). */
  keyRef(key: K): WindowKeyRef<K>;
  putRef(ref: WindowKeyRef<K>, value: V | null, windowStart: number, timestamp: number, headers?: Headers): void;
  fetchRef(ref: WindowKeyRef<K>, windowStart: number): ValueAndTimestamp<V> | null;
  /**
   * Whether windows starting at `windowStart` fell out of the store's retention (by its effective
   * stream time, see SegmentClock) or were dropped by a restore: reads no longer see them.
   */
  isExpired(windowStart: number): boolean;
  /** Window starts below this were dropped by a restore ahead of the task's stream time (SegmentClock.lostBefore). */
  lostBefore(): number;
  /** Visits the key's windows with a start in [timeFrom, timeTo], lazily; `visit` returns false to stop. */
  visitRef(ref: WindowKeyRef<K>, timeFrom: number, timeTo: number, backward: boolean, visit: (e: WindowEntry<V>) => boolean): void;
  /** Windows of `key` with a start in [timeFrom, timeTo] with their timestamps. */
  fetchEntries(key: K, timeFrom: number, timeTo: number, backward: boolean): Array<WindowEntry<V>>;
  /** Interactive queries: windows of the keys in [keyFrom, keyTo], cached updates included, nothing flushed. */
  queryRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Promise<Array<KeyValue<Windowed<K>, V>>>;
}

function keyBytesOf<K>(serde: Serde<K>, key: K): Buffer {
  const bytes = serde.serialize(key);
  if (bytes === null) throw new SerdeError('a state store key must not serialize to null');
  return bytes;
}

interface RawEntry {
  start: number;
  seq: number;
  raw: Buffer;
}

/** The byte-level window store over an engine: layout, index, expiry and change-logging. */
class WindowBytesLayer<V> {
  readonly clock: SegmentClock;
  readonly bucketMs: number;
  private seq = 0;

  constructor(
    private readonly engine: StoreEngine,
    private readonly options: WindowStoreOptions<any, V>,
    private readonly ctx: StoreInitContext,
  ) {
    this.bucketMs = Math.max(1, Math.floor(options.indexBucketMs ?? options.windowSizeMs));
    const ks = ksSegmentInterval(options.retentionMs);
    const segmentMs = Math.max(this.bucketMs, Math.ceil(ks / this.bucketMs) * this.bucketMs);
    this.clock = new SegmentClock(options.retentionMs, segmentMs, options.persistent, () => ctx.currentStreamTime());
  }

  private segmentOf(start: number): number {
    return Math.floor(start / this.clock.segmentMs);
  }

  private indexKey(key: Buffer, bucket: number): Buffer {
    const out = Buffer.allocUnsafe(17 + key.length);
    writeLong(out, 0, this.segmentOf(bucket * this.bucketMs));
    out[8] = INDEX;
    key.copy(out, 9);
    writeLong(out, 9 + key.length, bucket);
    return out;
  }

  private entryKey(key: Buffer, start: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(21 + key.length);
    writeLong(out, 0, this.segmentOf(start));
    out[8] = ENTRY;
    key.copy(out, 9);
    writeLong(out, 9 + key.length, start);
    out.writeUInt32BE(seq, 17 + key.length);
    return out;
  }

  private static indexEntry(start: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(INDEX_WIDTH);
    writeLong(out, 0, start);
    out.writeUInt32BE(seq, 8);
    return out;
  }

  encodeValue(value: Buffer, timestamp: number): Buffer {
    if (!this.options.timestamped) return value;
    const out = Buffer.allocUnsafe(8 + value.length);
    writeLong(out, 0, timestamp);
    value.copy(out, 8);
    return out;
  }

  decode(raw: Buffer): { value: V; timestamp: number } {
    if (!this.options.timestamped) return { value: this.options.valueSerde.deserialize(raw) as V, timestamp: -1 };
    return { value: this.options.valueSerde.deserialize(raw.subarray(8)) as V, timestamp: readLong(raw, 0) };
  }

  /**
   * Engine write of one entry with its index; no expiry check, no logging. `indexed`: the caller
   * knows the entry exists (seq 0), so a new value leaves the index as it is, unread.
   */
  private write(key: Buffer, start: number, seq: number, value: Buffer | null, indexed: boolean): void {
    if (indexed && value !== null && seq === 0) {
      this.engine.put(this.entryKey(key, start, 0), value);
      return;
    }
    const bucket = Math.floor(start / this.bucketMs);
    const idxKey = this.indexKey(key, bucket);
    const idx = this.engine.get(idxKey);
    const probe = WindowBytesLayer.indexEntry(start, seq);
    const [at, found] = SortedEntries.search(idx, probe, INDEX_WIDTH);
    const entryKey = this.entryKey(key, start, seq);
    if (value === null) {
      if (!found) return;
      this.engine.put(entryKey, null);
      this.engine.put(idxKey, SortedEntries.remove(idx!, at, INDEX_WIDTH));
      return;
    }
    this.engine.put(entryKey, value);
    if (!found) this.engine.put(idxKey, SortedEntries.insert(idx, at, probe, INDEX_WIDTH));
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  /**
   * A put as Kafka Streams' logged segmented store does it: expiry check, write, changelog.
   * `indexed`: the store is known to hold this window already (see write). Returns whether the
   * engine now holds a value for it.
   */
  put(key: Buffer, start: number, value: Buffer | null, timestamp: number, indexed = false): boolean {
    const dup = this.options.retainDuplicates;
    // A store that keeps duplicates ignores deletes (Kafka Streams' RocksDBWindowStore).
    if (dup && value === null) return false;
    const seq = dup ? this.nextSeq() : 0;
    this.clock.observe(start);
    this.clock.dropExpiredSegments(this.engine);
    let written = false;
    if (this.clock.isExpiredPut(start)) {
      reportExpiredPut(this.ctx, this.options.name);
    } else if (start >= this.clock.visibleFrom()) {
      // (A put Kafka Streams accepts but never shows again is not written; it is still logged.)
      this.write(key, start, seq, value === null ? null : this.encodeValue(value, timestamp), indexed);
      written = value !== null && !dup;
    }
    const topic = this.ctx.changelogTopic;
    if (topic !== null) {
      const logKey = Buffer.allocUnsafe(key.length + 12);
      key.copy(logKey, 0);
      writeLong(logKey, key.length, start);
      logKey.writeUInt32BE(seq, key.length + 8);
      this.ctx.logChange(topic, this.ctx.changelogPartition, logKey, value, timestamp);
    }
    return written;
  }

  get(key: Buffer, start: number): Buffer | undefined {
    if (start < this.clock.visibleFrom()) return undefined;
    return this.engine.get(this.entryKey(key, start, 0));
  }

  /** Entries of `key` with a start in [from, to], ascending by (start, seq). */
  range(key: Buffer, from: number, to: number): RawEntry[] {
    const lo = Math.max(from, this.clock.visibleFrom(), 0);
    const hi = Math.min(to, this.clock.observedStreamTime);
    const out: RawEntry[] = [];
    if (hi < lo) return out;
    const b0 = Math.floor(lo / this.bucketMs);
    const b1 = Math.floor(hi / this.bucketMs);
    if (b1 - b0 > MAX_BUCKETS_PER_FETCH) return this.rangeByScan(key, lo, hi);
    for (let b = b0; b <= b1; b++) {
      const idx = this.engine.get(this.indexKey(key, b));
      if (idx === undefined) continue;
      for (let o = 0; o < idx.length; o += INDEX_WIDTH) {
        const start = readLong(idx, o);
        if (start < lo || start > hi) continue;
        const seq = idx.readUInt32BE(o + 8);
        const raw = this.engine.get(this.entryKey(key, start, seq));
        if (raw !== undefined) out.push({ start, seq, raw });
      }
    }
    return out;
  }

  /** Starts of `key`'s entries in [from, to] from the index only (no-duplicate stores), ascending. */
  starts(key: Buffer, from: number, to: number): number[] {
    const lo = Math.max(from, this.clock.visibleFrom(), 0);
    const hi = Math.min(to, this.clock.observedStreamTime);
    const out: number[] = [];
    if (hi < lo) return out;
    const b0 = Math.floor(lo / this.bucketMs);
    const b1 = Math.floor(hi / this.bucketMs);
    if (b1 - b0 > MAX_BUCKETS_PER_FETCH) return this.rangeByScan(key, lo, hi).map((e) => e.start);
    for (let b = b0; b <= b1; b++) {
      const idx = this.engine.get(this.indexKey(key, b));
      if (idx === undefined) continue;
      for (let o = 0; o < idx.length; o += INDEX_WIDTH) {
        const start = readLong(idx, o);
        if (start >= lo && start <= hi) out.push(start);
      }
    }
    return out;
  }

  /** A very wide range (tiny windows, long retention): an ordered scan, where the engine has one. */
  private rangeByScan(key: Buffer, lo: number, hi: number): RawEntry[] {
    if (this.engine.persistent) {
      throw new Error(
        `window store '${this.options.name}': fetch(key, ${lo}, ${hi}) spans more than ${MAX_BUCKETS_PER_FETCH} index buckets; ` +
          'use a narrower time range or fetchAllAsync()',
      );
    }
    return WindowBytesLayer.collect(this.engine.scan(null, null, false), lo, hi, -Infinity)
      .filter((e) => e.key.equals(key))
      .map((e) => ({ start: e.start, seq: e.seq, raw: e.raw }));
  }

  /** Every visible entry (ordered by key bytes, start, seq) from an ordered engine scan. */
  static collect(entries: Iterable<[Buffer, Buffer]>, from: number, to: number, visibleFrom: number): Array<{ key: Buffer; start: number; seq: number; raw: Buffer }> {
    const out: Array<{ key: Buffer; start: number; seq: number; raw: Buffer }> = [];
    for (const [k, raw] of entries) {
      if (k[8] !== ENTRY) continue;
      const n = k.length - 12;
      const start = readLong(k, n);
      if (start < from || start > to || start < visibleFrom) continue;
      out.push({ key: k.subarray(9, n), start, seq: k.readUInt32BE(n + 8), raw });
    }
    out.sort((a, b) => Buffer.compare(a.key, b.key) || a.start - b.start || a.seq - b.seq);
    return out;
  }

  restore(records: readonly ChangelogRecord[]): void {
    const dup = this.options.retainDuplicates;
    for (const r of records) {
      if (r.key === null || r.key.length < 12) continue;
      const n = r.key.length - 12;
      const key = r.key.subarray(0, n);
      const start = readLong(r.key, n);
      const seq = r.key.readUInt32BE(n + 8);
      if (dup) {
        if (r.value === null) continue;
        if (seq > this.seq) this.seq = seq;
      }
      this.clock.observeRestored(start);
      if (this.clock.isExpiredRestore(start)) continue;
      this.write(key, start, dup ? seq : 0, r.value === null ? null : this.encodeValue(r.value, r.timestamp), false);
    }
    this.clock.dropRestoredSegments(this.engine);
  }
}

/** Kafka Streams' caching layer of window stores: absorbs repeated updates of a window between flushes. */
/** Starts of a key's dirty cache entries: one number in the common case (one open window), else a set. */
type DirtyStarts = number | Set<number>;

/** A window cache entry's key: the record key, its bytes and their latin1 text (the cache id's prefix). */
interface WindowCacheKey<K> {
  readonly key: K;
  readonly keyBytes: Buffer;
  readonly kid: string;
  readonly start: number;
}

class WindowCacheLayer<K, V> {
  listener: WindowFlushListener<K, V> | null = null;
  sendOldValues = false;
  readonly cache: NamedCache<WindowCacheKey<K>, V>;
  /** Starts of dirty entries per key (latin1 key bytes), so range fetches can merge them. */
  private readonly dirtyStarts = new Map<string, DirtyStarts>();

  constructor(
    private readonly inner: WindowBytesLayer<V>,
    private readonly options: WindowStoreOptions<K, V>,
    ctx: StoreInitContext,
  ) {
    this.cache = ctx.cache.namedCache((e) => this.onEvict(e));
  }

  /** Cache id: latin1 key bytes, '|', decimal start (unique: the start never contains '|'). */
  static id(kid: string, start: number): string {
    return `${kid}|${start}`;
  }

  get(kid: string, start: number): CacheEntry<WindowCacheKey<K>, V> | undefined {
    return this.cache.get(WindowCacheLayer.id(kid, start));
  }

  /** Keeps a value read from the store (clean: never written back). */
  remember(key: K, keyBytes: Buffer, kid: string, start: number, value: V, timestamp: number): void {
    const e = this.cache.put(WindowCacheLayer.id(kid, start), { key, keyBytes, kid, start }, value, timestamp, false);
    if (e !== undefined) e.persisted = true;
  }

  put(key: K, keyBytes: Buffer, kid: string, start: number, value: V | null, timestamp: number, headers: Headers | undefined): void {
    this.cache.put(WindowCacheLayer.id(kid, start), { key, keyBytes, kid, start }, value, timestamp, true, headers);
    const cur = this.dirtyStarts.get(kid);
    if (cur === undefined) this.dirtyStarts.set(kid, start);
    else if (typeof cur !== 'number') cur.add(start);
    else if (cur !== start) this.dirtyStarts.set(kid, new Set([cur, start]));
  }

  /** Dirty entries of `key` with a start in [from, to]. */
  dirtyIn(kid: string, from: number, to: number): Array<CacheEntry<WindowCacheKey<K>, V>> {
    const out: Array<CacheEntry<WindowCacheKey<K>, V>> = [];
    for (const start of this.dirtyStartsOf(kid)) {
      if (start < from || start > to) continue;
      const e = this.cache.get(WindowCacheLayer.id(kid, start));
      if (e !== undefined && e.dirty) out.push(e);
    }
    return out;
  }

  /** Starts of dirty entries of `key` in [from, to] (unordered). */
  dirtyStartsIn(kid: string, from: number, to: number, into: number[]): void {
    for (const start of this.dirtyStartsOf(kid)) if (start >= from && start <= to) into.push(start);
  }

  private dirtyStartsOf(kid: string): Iterable<number> {
    const cur = this.dirtyStarts.get(kid);
    return cur === undefined ? [] : typeof cur === 'number' ? [cur] : cur;
  }

  private undirty(kid: string, start: number): void {
    const cur = this.dirtyStarts.get(kid);
    if (cur === undefined) return;
    if (typeof cur === 'number') {
      if (cur === start) this.dirtyStarts.delete(kid);
      return;
    }
    cur.delete(start);
    if (cur.size === 0) this.dirtyStarts.delete(kid);
  }


  private flushEntry(e: CacheEntry<WindowCacheKey<K>, V>): void {
    const { key, keyBytes, kid, start } = e.key;
    this.undirty(kid, start);
    const wantOld = e.value === null || (this.listener !== null && this.sendOldValues);
    const oldRaw = wantOld ? this.inner.get(keyBytes, start) : undefined;
    // Deleting a window the store never had is neither written nor forwarded.
    if (e.value === null && oldRaw === undefined) return;
    const bytes = e.value === null ? null : this.options.valueSerde.serialize(e.value);
    e.persisted = this.inner.put(keyBytes, start, bytes, e.timestamp, e.persisted);
    if (this.listener !== null) {
      const old = this.sendOldValues && oldRaw !== undefined ? this.inner.decode(oldRaw).value : null;
      const window = { start, end: start + this.options.windowSizeMs };
      this.listener(new Windowed(key, window), e.value, old, e.timestamp, e.headers);
    }
  }

  private onEvict(e: CacheEntry<WindowCacheKey<K>, V>): void {
    this.flushEntry(e);
    this.flush();
  }

  flush(): void {
    runSteps(this.flushSteps());
  }

  flushSteps(): Generator<void, void, void> {
    return flushSteps(this.cache, this.flushOne);
  }

  private readonly flushOne = (e: CacheEntry<WindowCacheKey<K>, V>): void => this.flushEntry(e);

  clear(): void {
    this.cache.clear();
    this.dirtyStarts.clear();
  }
}

/**
 * A window store: the facade processors and tests use plus the runtime's lifecycle. Layers:
 * cache (optional) → change-logging/serialization → engine (LevelDB or memory).
 */
export class WindowStoreImpl<K, V> extends SegmentedEngineStore<WindowBytesLayer<V>, WindowCacheLayer<K, V>> implements InternalWindowStore<K, V>, ManagedStore {
  readonly name: string;
  readonly persistent: boolean;
  private ctx!: StoreInitContext;

  constructor(readonly options: WindowStoreOptions<K, V>) {
    super();
    this.name = options.name;
    this.persistent = options.persistent;
  }

  get windowSizeMs(): number {
    return this.options.windowSizeMs;
  }

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  isExpired(windowStart: number): boolean {
    return windowStart < this.inner.clock.visibleFrom();
  }

  protected setUp(ctx: StoreInitContext, engine: StoreEngine): void {
    this.ctx = ctx;
    this.engine = engine;
    this.inner = new WindowBytesLayer(engine, this.options, ctx);
    this.inner.clock.load(engine);
    this.caching =
      this.options.cachingEnabled && !this.options.retainDuplicates && ctx.cache.enabled ? new WindowCacheLayer(this.inner, this.options, ctx) : null;
  }

  /** Registers the processor that forwards flushed updates; false when the store has no cache. */
  setFlushListener(listener: WindowFlushListener<K, V>, sendOldValues: boolean): boolean {
    if (this.caching === null) return false;
    this.caching.listener = listener;
    this.caching.sendOldValues = sendOldValues;
    return true;
  }

  get cachingActive(): boolean {
    return this.caching !== null;
  }

  private keyBytes(key: K): Buffer {
    return keyBytesOf(this.options.keySerde, key);
  }

  /**
   * A key serialized once for several operations on it (a record updating several windows):
   * pass the result to the `*Ref` methods.
   */
  keyRef(key: K): WindowKeyRef<K> {
    const kb = this.keyBytes(key);
    return { key, kb, kid: kb.toString('latin1') };
  }

  // ---- facade -----------------------------------------------------------------------------

  put(key: K, value: V | null, windowStart: number): void {
    this.putWithTimestamp(key, value, windowStart, this.ctx.currentRecordTimestamp());
  }

  putWithTimestamp(key: K, value: V | null, windowStart: number, timestamp: number, headers?: Headers): void {
    if (this.caching !== null) {
      this.putRef(this.keyRef(key), value, windowStart, timestamp, headers);
      return;
    }
    this.inner.put(this.keyBytes(key), windowStart, value === null ? null : this.options.valueSerde.serialize(value), timestamp);
  }

  putRef(ref: WindowKeyRef<K>, value: V | null, windowStart: number, timestamp: number, headers?: Headers): void {
    if (this.caching !== null) {
      this.caching.put(ref.key, ref.kb, ref.kid, windowStart, value, timestamp, headers);
      return;
    }
    this.inner.put(ref.kb, windowStart, value === null ? null : this.options.valueSerde.serialize(value), timestamp);
  }

  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | null {
    if (this.caching !== null) return this.fetchRef(this.keyRef(key), windowStart);
    const raw = this.inner.get(this.keyBytes(key), windowStart);
    return raw === undefined ? null : this.inner.decode(raw);
  }

  fetchRef(ref: WindowKeyRef<K>, windowStart: number): ValueAndTimestamp<V> | null {
    const caching = this.caching;
    if (caching !== null) {
      const hit = caching.get(ref.kid, windowStart);
      // A window cache's entries never change (a put replaces them), so the entry itself is the answer.
      if (hit !== undefined) return hit.value === null ? null : (hit as ValueAndTimestamp<V>);
    }
    const raw = this.inner.get(ref.kb, windowStart);
    if (raw === undefined) return null;
    const decoded = this.inner.decode(raw);
    caching?.remember(ref.key, ref.kb, ref.kid, windowStart, decoded.value, decoded.timestamp);
    return decoded;
  }

  /**
   * Visits `key`'s windows with a start in [timeFrom, timeTo] in start order (descending when
   * `backward`), reading each value only when it is visited; `visit` returns false to stop (the
   * lazy iteration Kafka Streams' sliding windows rely on). No-duplicate stores only.
   */
  visitRef(ref: WindowKeyRef<K>, timeFrom: number, timeTo: number, backward: boolean, visit: (e: WindowEntry<V>) => boolean): void {
    const starts = this.inner.starts(ref.kb, timeFrom, timeTo);
    const caching = this.caching;
    if (caching !== null) {
      const before = starts.length;
      caching.dirtyStartsIn(ref.kid, Math.max(timeFrom, this.inner.clock.visibleFrom()), timeTo, starts);
      if (starts.length > before) {
        starts.sort((a, b) => a - b);
        let w = 0;
        for (let i = 0; i < starts.length; i++) if (i === 0 || starts[i] !== starts[w - 1]) starts[w++] = starts[i]!;
        starts.length = w;
      }
    }
    const n = starts.length;
    for (let i = 0; i < n; i++) {
      const start = starts[backward ? n - 1 - i : i]!;
      const vt = this.fetchRef(ref, start);
      if (vt === null) continue;
      if (!visit({ start, value: vt.value, timestamp: vt.timestamp })) return;
    }
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>>;
  fetch(key: K, timeFrom: number, timeTo?: number): V | null | Array<KeyValue<number, V>> {
    if (timeTo === undefined) return this.fetchWithTimestamp(key, timeFrom)?.value ?? null;
    return this.fetchEntries(key, timeFrom, timeTo, false).map((e) => [e.start, e.value] as const);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>> {
    return this.fetchEntries(key, timeFrom, timeTo, true).map((e) => [e.start, e.value] as const);
  }

  /** Windows of `key` with a start in [timeFrom, timeTo] with their timestamps (ascending, or descending when `backward`). */
  fetchEntries(key: K, timeFrom: number, timeTo: number, backward: boolean): Array<WindowEntry<V>> {
    const ref = this.keyRef(key);
    if (!this.options.retainDuplicates) {
      const out: Array<WindowEntry<V>> = [];
      this.visitRef(ref, timeFrom, timeTo, backward, (e) => {
        out.push(e);
        return true;
      });
      return out;
    }
    const out: Array<WindowEntry<V>> = this.inner.range(ref.kb, timeFrom, timeTo).map((r) => {
      const d = this.inner.decode(r.raw);
      return { start: r.start, value: d.value, timestamp: d.timestamp };
    });
    if (backward) out.reverse();
    return out;
  }

  private toWindowed(rows: Array<{ key: Buffer; start: number; raw: Buffer }>): Array<KeyValue<Windowed<K>, V>> {
    return rows.map((r) => [
      new Windowed(this.options.keySerde.deserialize(r.key) as K, { start: r.start, end: r.start + this.options.windowSizeMs }),
      this.inner.decode(r.raw).value,
    ]);
  }

  fetchAll(timeFrom: number, timeTo: number): Array<KeyValue<Windowed<K>, V>> {
    this.caching?.flush();
    return this.toWindowed(WindowBytesLayer.collect(this.engine.scan(null, null, false), timeFrom, timeTo, this.inner.clock.visibleFrom()));
  }

  all(): Array<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(0, Number.MAX_SAFE_INTEGER);
  }

  async fetchAllAsync(timeFrom: number, timeTo: number): Promise<Array<KeyValue<Windowed<K>, V>>> {
    this.caching?.flush();
    const entries: Array<[Buffer, Buffer]> = [];
    for await (const e of this.engine.scanAsync(null, null, false)) entries.push(e);
    return this.toWindowed(WindowBytesLayer.collect(entries, timeFrom, timeTo, this.inner.clock.visibleFrom()));
  }

  allAsync(): Promise<Array<KeyValue<Windowed<K>, V>>> {
    return this.fetchAllAsync(0, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Interactive queries: windows with a start in [timeFrom, timeTo] of the keys in [keyFrom, keyTo]
   * (null: unbounded), ordered by key bytes then start, cached updates included, nothing flushed.
   */
  async queryRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Promise<Array<KeyValue<Windowed<K>, V>>> {
    const lo = keyFrom === null ? null : this.keyBytes(keyFrom);
    const hi = keyTo === null ? null : this.keyBytes(keyTo);
    const visibleFrom = this.inner.clock.visibleFrom();
    const inRange = (kb: Buffer, start: number) =>
      start >= timeFrom && start <= timeTo && start >= visibleFrom && (lo === null || Buffer.compare(kb, lo) >= 0) && (hi === null || Buffer.compare(kb, hi) <= 0);
    type Row = { kb: Buffer; start: number; value: V };
    const rows = await collectWithOverlay<Row>(
      this.engine,
      (k, raw) => {
        const e = WindowBytesLayer.collect([[k, raw]], timeFrom, timeTo, visibleFrom)[0];
        if (e === undefined || !inRange(e.key, e.start)) return null;
        return [`${e.key.toString('latin1')}|${e.start}|${e.seq}`, { kb: e.key, start: e.start, value: this.inner.decode(e.raw).value }];
      },
      () => {
        const out = new Map<string, Row | null>();
        for (const e of this.caching?.cache.dirtyEntries() ?? []) {
          const { keyBytes, start } = e.key;
          if (inRange(keyBytes, start)) out.set(`${keyBytes.toString('latin1')}|${start}|0`, e.value === null ? null : { kb: keyBytes, start, value: e.value });
        }
        return out;
      },
    );
    rows.sort((a, b) => Buffer.compare(a.kb, b.kb) || a.start - b.start);
    return rows.map((r) => [new Windowed(this.options.keySerde.deserialize(r.kb) as K, { start: r.start, end: r.start + this.options.windowSizeMs }), r.value] as const);
  }

}

/** Builds window stores (Kafka Streams' WindowStoreBuilder / TimestampedWindowStoreBuilder). */
export class WindowStoreBuilder<K, V> extends CachingStoreBuilderBase {
  readonly kind = 'window' as const;
  indexBucketMs: number | undefined;

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly timestamped: boolean,
  ) {
    super();
  }

  protected override defaultChangelogConfig(): Record<string, string> {
    return windowedChangelogConfig(this.retentionMs);
  }

  /** @internal Width of the per-key index buckets (see WindowStoreOptions.indexBucketMs). */
  withIndexBucket(ms: number): this {
    this.indexBucketMs = ms;
    return this;
  }

  build(): WindowStoreImpl<K, V> {
    return new WindowStoreImpl({
      name: this.name,
      persistent: this.persistent,
      retentionMs: this.retentionMs,
      windowSizeMs: this.windowSizeMs,
      retainDuplicates: this.retainDuplicates,
      timestamped: this.timestamped,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      cachingEnabled: this.cachingEnabled && !this.retainDuplicates,
      indexBucketMs: this.indexBucketMs,
    });
  }
}

export { segmentPrefix };
