import type { Serde } from '../serde/serde.js';
import { isStringSerde } from '../serde/serdes.js';
import { SerdeError } from '../serde/serde.js';
import type { Headers, RawHeaders } from '../processor/headers.js';

/** Headers kept with a cached update: a Headers object or the raw pairs of the record. */
type EntryHeaders = Headers | RawHeaders | undefined;
import type { StoreEngine } from './engine.js';
import { EngineBackedStore } from './engine-backed-store.js';
import { type CacheEntry, type NamedCache, flushSteps, runSteps } from './record-cache.js';
import type { ChangelogRecord, ManagedStore, StoreInitContext } from './managed-store.js';
import { CachingStoreBuilderBase } from './store-builder-base.js';
import type { KeyValue, TimestampedKeyValueStore, ValueAndTimestamp } from './store.js';

/**
 * Receives the updates a caching store emits when it flushes or evicts (Kafka Streams'
 * CacheFlushListener). `oldValue` is the value as of the previous flush, when requested.
 */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number, headers: EntryHeaders) => void;

/**
 * The key-value store the DSL's processors use: the public interface plus what Kafka Streams keeps
 * internal (the cache's flush listener, headers kept with a cached update).
 */
export interface InternalKeyValueStore<K, V> extends TimestampedKeyValueStore<K, V> {
  /** Forwards through cache flushes; false when the store has no cache (the caller forwards itself). */
  setFlushListener(listener: FlushListener<K, V>, sendOldValues: boolean): boolean;
  putWithTimestamp(key: K, value: V | null, timestamp: number, headers?: EntryHeaders): void;
  /** Interactive queries: an ordered scan with timestamps that sees cached updates without flushing them. */
  queryScan(from: K | null, to: K | null, reverse: boolean, prefix?: K): AsyncIterable<KeyValue<K, ValueAndTimestamp<V>>>;
}

/** The typed layers under a key-value facade. */
interface KeyValueLayer<K, V> {
  get(key: K): ValueAndTimestamp<V> | null;
  put(key: K, value: V | null, timestamp: number, headers?: EntryHeaders): void;
  flush(): void;
}

const TS_BYTES = 8;

/** Values on disk and in the engine are [8-byte timestamp][value bytes], as Kafka Streams' timestamped stores. */
function withTimestamp(value: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(TS_BYTES + value.length);
  out.writeDoubleBE(timestamp, 0);
  value.copy(out, TS_BYTES);
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Typed access to the byte engine; logs every write to the changelog when logging is on. */
class SerializingLayer<K, V> implements KeyValueLayer<K, V> {
  private readonly stringKeys: boolean;

  constructor(
    private readonly engine: StoreEngine,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly ctx: StoreInitContext,
  ) {
    this.stringKeys = isStringSerde(keySerde as Serde<unknown>);
  }

  /** The engine's id of a key: an ASCII string key is its own latin1 image, no conversion needed. */
  private idOf(key: K): string | undefined {
    return this.stringKeys && typeof key === 'string' && isAscii(key) ? key : undefined;
  }

  keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(key);
    if (bytes === null) throw new SerdeError('a state store key must not serialize to null');
    return bytes;
  }

  get(key: K): ValueAndTimestamp<V> | null {
    const raw = this.engine.get(this.keyBytes(key), this.idOf(key));
    return raw === undefined ? null : this.decode(raw);
  }

  decode(raw: Buffer): ValueAndTimestamp<V> {
    return { value: this.valueSerde.deserialize(raw.subarray(TS_BYTES)) as V, timestamp: raw.readDoubleBE(0) };
  }

  put(key: K, value: V | null, timestamp: number): void {
    const keyBytes = this.keyBytes(key);
    const valueBytes = value === null ? null : this.valueSerde.serialize(value);
    this.engine.put(keyBytes, valueBytes === null ? null : withTimestamp(valueBytes, timestamp), this.idOf(key));
    this.logChange(keyBytes, valueBytes, timestamp);
  }

  /** put() of a flushed cache entry: the entry keeps the engine's handle of its key (no lookup next time). */
  putEntry(e: CacheEntry<K, V>): void {
    const engine = this.engine;
    if (engine.putAt === undefined) {
      this.put(e.key, e.value, e.timestamp);
      return;
    }
    const keyBytes = this.keyBytes(e.key);
    const valueBytes = e.value === null ? null : this.valueSerde.serialize(e.value);
    // The cache's id of a key is the latin1 image of its bytes, except for non-ASCII string keys.
    const id = !this.stringKeys || isAscii(e.id) ? e.id : keyBytes.toString('latin1');
    e.storeSlot = engine.putAt(e.storeSlot, keyBytes, valueBytes === null ? null : withTimestamp(valueBytes, e.timestamp), id);
    this.logChange(keyBytes, valueBytes, e.timestamp);
  }

  private logChange(keyBytes: Buffer, valueBytes: Buffer | null, timestamp: number): void {
    const topic = this.ctx.changelogTopic;
    if (topic !== null) this.ctx.logChange(topic, this.ctx.changelogPartition, keyBytes, valueBytes, timestamp);
  }

  flush(): void {}
}

/** Kafka Streams' caching layer: absorbs repeated updates to a key between flushes. */
class CachingLayer<K, V> implements KeyValueLayer<K, V> {
  listener: FlushListener<K, V> | null = null;
  sendOldValues = false;
  readonly cache: NamedCache<K, V>;

  constructor(
    private readonly inner: SerializingLayer<K, V>,
    private readonly idOf: (key: K) => string,
    ctx: StoreInitContext,
  ) {
    // Entries are updated in place: get() hands out copies, never the entries themselves.
    this.cache = ctx.cache.namedCache<K, V>((e) => this.onEvict(e), true);
  }

  get(key: K): ValueAndTimestamp<V> | null {
    const id = this.idOf(key);
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit.value === null ? null : { value: hit.value, timestamp: hit.timestamp };
    const found = this.inner.get(key);
    if (found !== null) this.cache.put(id, key, found.value, found.timestamp, false);
    return found;
  }

  put(key: K, value: V | null, timestamp: number, headers?: EntryHeaders): void {
    this.cache.put(this.idOf(key), key, value, timestamp, true, headers);
  }

  private flushEntry(e: CacheEntry<K, V>): void {
    const old = e.value === null || (this.listener !== null && this.sendOldValues) ? this.inner.get(e.key) : null;
    // Deleting a key the store never had is not written or forwarded (Kafka Streams' caching store).
    if (e.value === null && old === null) return;
    this.inner.putEntry(e);
    if (this.listener !== null) {
      this.listener(e.key, e.value, this.sendOldValues && old !== null ? old.value : null, e.timestamp, e.headers);
    }
  }

  /** An evicted dirty entry flushes the whole cache of this store: the evicted entry first. */
  private onEvict(e: CacheEntry<K, V>): void {
    this.flushEntry(e);
    this.flush();
  }

  flush(): void {
    runSteps(this.flushSteps());
  }

  flushSteps(): Generator<void, void, void> {
    return flushSteps(this.cache, this.flushOne);
  }

  private readonly flushOne = (e: CacheEntry<K, V>): void => this.flushEntry(e);
}

function cacheIdOf<K>(keySerde: Serde<K>, serialize: (key: K) => Buffer): (key: K) => string {
  if (isStringSerde(keySerde as Serde<unknown>)) return (key: K) => key as unknown as string;
  return (key: K) => serialize(key).toString('latin1');
}

export interface KeyValueStoreOptions<K, V> {
  name: string;
  persistent: boolean;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  cachingEnabled: boolean;
}

/**
 * A key-value state store: facade (what processors call) + managed lifecycle. The layers are
 * cache → serialization/change-logging → engine (LevelDB or memory).
 */
export class KeyValueStoreImpl<K, V> extends EngineBackedStore implements InternalKeyValueStore<K, V>, ManagedStore {
  readonly name: string;
  readonly persistent: boolean;
  private serializing!: SerializingLayer<K, V>;
  private caching: CachingLayer<K, V> | null = null;
  private top!: KeyValueLayer<K, V>;
  private ctx!: StoreInitContext;

  constructor(private readonly options: KeyValueStoreOptions<K, V>) {
    super();
    this.name = options.name;
    this.persistent = options.persistent;
  }

  protected setUp(ctx: StoreInitContext, engine: StoreEngine): void {
    this.ctx = ctx;
    this.engine = engine;
    this.serializing = new SerializingLayer(this.engine, this.options.keySerde, this.options.valueSerde, ctx);
    if (this.options.cachingEnabled && ctx.cache.enabled) {
      const s = this.serializing;
      this.caching = new CachingLayer(s, cacheIdOf(this.options.keySerde, (k) => s.keyBytes(k)), ctx);
      this.top = this.caching;
    } else {
      this.top = this.serializing;
    }
  }

  /** Registers the processor that forwards this store's flushed updates (DSL KTable stores). */
  setFlushListener(listener: FlushListener<K, V>, sendOldValues: boolean): boolean {
    if (this.caching === null) return false;
    this.caching.listener = listener;
    this.caching.sendOldValues = sendOldValues;
    return true;
  }

  get cachingActive(): boolean {
    return this.caching !== null;
  }

  // ---- facade -----------------------------------------------------------------------------

  get(key: K): V | null {
    const e = this.top.get(key);
    return e === null ? null : e.value;
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | null {
    return this.top.get(key);
  }

  put(key: K, value: V | null): void {
    this.top.put(key, value, this.ctx.currentRecordTimestamp());
  }

  putWithTimestamp(key: K, value: V | null, timestamp: number, headers?: EntryHeaders): void {
    this.top.put(key, value, timestamp, headers);
  }

  putIfAbsent(key: K, value: V): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }

  putAll(entries: Iterable<KeyValue<K, V>>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  delete(key: K): V | null {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  private bounds(from: K | null, to: K | null): [Buffer | null, Buffer | null] {
    const lo = from === null ? null : this.serializing.keyBytes(from);
    // `to` is inclusive in Kafka Streams' range(); the engine's upper bound is exclusive.
    const hi = to === null ? null : Buffer.concat([this.serializing.keyBytes(to), Buffer.from([0])]);
    return [lo, hi];
  }

  /** Cached updates not yet in the engine, keyed by serialized key, within [lo, hi). */
  private unflushed(lo: Buffer | null, hi: Buffer | null): Map<string, V | null> {
    const out = new Map<string, V | null>();
    if (this.caching === null) return out;
    for (const e of this.caching.cache.dirtyEntries()) {
      const kb = this.serializing.keyBytes(e.key);
      if ((lo === null || Buffer.compare(kb, lo) >= 0) && (hi === null || Buffer.compare(kb, hi) < 0)) {
        out.set(kb.toString('latin1'), e.value);
      }
    }
    return out;
  }

  private *scan(lo: Buffer | null, hi: Buffer | null, reverse: boolean): Iterable<KeyValue<K, V>> {
    const overlay = this.unflushed(lo, hi);
    const merged = new Map<string, Buffer | V | null>();
    for (const [k, raw] of this.engine.scan(lo, hi, reverse)) merged.set(k.toString('latin1'), raw);
    for (const [k, v] of overlay) merged.set(k, v);
    const keys = [...merged.keys()].sort();
    if (reverse) keys.reverse();
    for (const k of keys) {
      const v = merged.get(k);
      if (v === null || v === undefined) continue;
      const keyBytes = Buffer.from(k, 'latin1');
      const value = overlay.has(k) ? (v as V) : this.serializing.decode(v as Buffer).value;
      yield [this.options.keySerde.deserialize(keyBytes) as K, value];
    }
  }

  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    const [lo, hi] = this.bounds(from, to);
    return this.scan(lo, hi, false);
  }

  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    const [lo, hi] = this.bounds(from, to);
    return this.scan(lo, hi, true);
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.scan(null, null, false);
  }

  reverseAll(): Iterable<KeyValue<K, V>> {
    return this.scan(null, null, true);
  }

  prefixScan(prefix: K): Iterable<KeyValue<K, V>> {
    const lo = this.serializing.keyBytes(prefix);
    return this.scan(lo, prefixEnd(lo), false);
  }

  async *rangeAsync(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>> {
    const [lo, hi] = this.bounds(from, to);
    yield* this.scanAsync(lo, hi);
  }

  async *allAsync(): AsyncIterable<KeyValue<K, V>> {
    yield* this.scanAsync(null, null);
  }

  private async *scanAsync(lo: Buffer | null, hi: Buffer | null): AsyncIterable<KeyValue<K, V>> {
    // Unflushed cache entries first go down to the engine's pending writes, which scans merge.
    this.caching?.flush();
    for await (const [k, raw] of this.engine.scanAsync(lo, hi, false)) {
      yield [this.options.keySerde.deserialize(k) as K, this.serializing.decode(raw).value];
    }
  }

  /**
   * Interactive queries: an ordered scan of [from, to] (null: unbounded; a prefix scan when `prefix`
   * is given) with timestamps, that sees cached updates without flushing them (a flush would
   * forward downstream).
   */
  async *queryScan(from: K | null, to: K | null, reverse: boolean, prefix?: K): AsyncIterable<KeyValue<K, ValueAndTimestamp<V>>> {
    let lo: Buffer | null;
    let hi: Buffer | null;
    if (prefix !== undefined) {
      lo = this.serializing.keyBytes(prefix);
      hi = prefixEnd(lo);
    } else {
      [lo, hi] = this.bounds(from, to);
    }
    const overlay: Array<[string, K, ValueAndTimestamp<V> | null]> = [];
    for (const e of this.caching?.cache.dirtyEntries() ?? []) {
      const kb = this.serializing.keyBytes(e.key);
      if ((lo !== null && Buffer.compare(kb, lo) < 0) || (hi !== null && Buffer.compare(kb, hi) >= 0)) continue;
      overlay.push([kb.toString('latin1'), e.key, e.value === null ? null : { value: e.value, timestamp: e.timestamp }]);
    }
    overlay.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (reverse) overlay.reverse();
    const before = (a: string, b: string) => (reverse ? a > b : a < b);
    let o = 0;
    for await (const [k, raw] of this.engine.scanAsync(lo, hi, reverse)) {
      const id = k.toString('latin1');
      for (; o < overlay.length && before(overlay[o]![0], id); o++) {
        const [, key, vt] = overlay[o]!;
        if (vt !== null) yield [key, vt];
      }
      if (o < overlay.length && overlay[o]![0] === id) {
        const [, key, vt] = overlay[o++]!;
        if (vt !== null) yield [key, vt];
        continue;
      }
      yield [this.options.keySerde.deserialize(k) as K, this.serializing.decode(raw)];
    }
    for (; o < overlay.length; o++) {
      const [, key, vt] = overlay[o]!;
      if (vt !== null) yield [key, vt];
    }
  }

  approximateNumEntries(): number {
    return this.engine.approximateSize() + (this.caching?.cache.size ?? 0);
  }

  // ---- managed ------------------------------------------------------------------------------

  restore(records: readonly ChangelogRecord[]): void {
    for (const r of records) {
      if (r.key === null) continue;
      this.engine.put(r.key, r.value === null ? null : withTimestamp(r.value, r.timestamp));
    }
  }

  flushCache(): void {
    this.caching?.flush();
  }

  flushCacheSteps(): Iterator<void> | null {
    return this.caching?.flushSteps() ?? null;
  }

  protected clearCache(): void {
    this.caching?.cache.clear();
  }
}

function prefixEnd(prefix: Buffer): Buffer | null {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return null;
}

export class KeyValueStoreBuilder<K, V> extends CachingStoreBuilderBase {
  readonly kind = 'keyValue' as const;

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    super();
  }

  build(): KeyValueStoreImpl<K, V> {
    return new KeyValueStoreImpl({
      name: this.name,
      persistent: this.persistent,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      cachingEnabled: this.cachingEnabled,
    });
  }
}
