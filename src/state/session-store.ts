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
import { SegmentClock, SortedEntries, ksSegmentInterval, reportExpiredPut } from './segmented.js';
import type { KeyValue, StateStore } from './store.js';

/**
 * Session stores (Kafka Streams' SessionStore): one aggregate per (key, session [start, end]).
 *
 * Engine layout (point lookups only):
 *
 *   entry: segment(8) ‖ 0x01 ‖ key ‖ end(8) ‖ start(8)  →  value
 *   index: segment(8) ‖ 0x00 ‖ key                    →  sorted (end(8) ‖ start(8))*
 *
 * Sessions are segmented by their end (as Kafka Streams' segmented session store), so the
 * sessions of a key that may overlap a record are found by reading the key's index in the few
 * live segments from the earliest end asked for up to the newest end written. Expired segments
 * leave with one range delete. Changelog: key = `key ‖ end(8) ‖ start(8)`, value = raw value.
 */

const INDEX = 0x00;
const ENTRY = 0x01;
const INDEX_WIDTH = 16;

export interface SessionStoreOptions<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly cachingEnabled: boolean;
}

export interface ReadOnlySessionStore<K, V> {
  /**
   * Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
   * `latestSessionStartTime`, ascending by (end, start).
   */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Array<KeyValue<Windowed<K>, V>>;
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Array<KeyValue<Windowed<K>, V>>;
  /** The aggregate of exactly the session [start, end] of `key`, or null. */
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): V | null;
  /** Every session of `key`. */
  fetch(key: K): Array<KeyValue<Windowed<K>, V>>;
  backwardFetch(key: K): Array<KeyValue<Windowed<K>, V>>;
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  /** Writes the aggregate of a session (null removes it). */
  put(sessionKey: Windowed<K>, aggregate: V | null): void;
  remove(sessionKey: Windowed<K>): void;
}

/** Flushed updates of a caching session store (forwarded with the session end as timestamp by the DSL). */
export type SessionFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers | RawHeaders | undefined) => void;

/** The session store the DSL's processors use: the public interface plus the cache's flush listener and headers on writes. */
export interface InternalSessionStore<K, V> extends SessionStore<K, V> {
  /** Forwards through cache flushes; false when the store has no cache (the caller forwards itself). */
  setFlushListener(listener: SessionFlushListener<K, V>, sendOldValues: boolean): boolean;
  /** A write with the record context the cache keeps (timestamp and headers of the causing record). */
  putWithContext(sessionKey: Windowed<K>, aggregate: V | null, timestamp: number, headers?: Headers): void;
  /** Interactive queries: sessions of the keys in [keyFrom, keyTo], cached updates included, nothing flushed. */
  queryRange(keyFrom: K | null, keyTo: K | null): Promise<Array<KeyValue<Windowed<K>, V>>>;
  /** Session ends below this were dropped by a restore ahead of the task's stream time (SegmentClock.lostBefore). */
  lostBefore(): number;
}

interface RawSession {
  start: number;
  end: number;
  raw: Buffer;
}

/** Byte-level session store over an engine: layout, index, expiry and change-logging. */
class SessionBytesLayer {
  readonly clock: SegmentClock;

  constructor(
    private readonly engine: StoreEngine,
    private readonly options: SessionStoreOptions<any, any>,
    private readonly ctx: StoreInitContext,
  ) {
    this.clock = new SegmentClock(options.retentionMs, ksSegmentInterval(options.retentionMs), options.persistent, () => ctx.currentStreamTime());
  }

  private indexKey(key: Buffer, segment: number): Buffer {
    const out = Buffer.allocUnsafe(9 + key.length);
    writeLong(out, 0, segment);
    out[8] = INDEX;
    key.copy(out, 9);
    return out;
  }

  private entryKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(25 + key.length);
    writeLong(out, 0, Math.floor(end / this.clock.segmentMs));
    out[8] = ENTRY;
    key.copy(out, 9);
    writeLong(out, 9 + key.length, end);
    writeLong(out, 17 + key.length, start);
    return out;
  }

  private write(key: Buffer, start: number, end: number, value: Buffer | null): void {
    const idxKey = this.indexKey(key, Math.floor(end / this.clock.segmentMs));
    const idx = this.engine.get(idxKey);
    const probe = Buffer.allocUnsafe(INDEX_WIDTH);
    writeLong(probe, 0, end);
    writeLong(probe, 8, start);
    const [at, found] = SortedEntries.search(idx, probe, INDEX_WIDTH);
    const entryKey = this.entryKey(key, start, end);
    if (value === null) {
      if (!found) return;
      this.engine.put(entryKey, null);
      this.engine.put(idxKey, SortedEntries.remove(idx!, at, INDEX_WIDTH));
      return;
    }
    this.engine.put(entryKey, value);
    if (!found) this.engine.put(idxKey, SortedEntries.insert(idx, at, probe, INDEX_WIDTH));
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp: number): void {
    this.clock.observe(end);
    this.clock.dropExpiredSegments(this.engine);
    if (this.clock.isExpiredPut(end)) {
      reportExpiredPut(this.ctx, this.options.name);
    } else if (end >= this.clock.visibleFrom()) {
      this.write(key, start, end, value);
    }
    const topic = this.ctx.changelogTopic;
    if (topic !== null) {
      const logKey = Buffer.allocUnsafe(key.length + 16);
      key.copy(logKey, 0);
      writeLong(logKey, key.length, end);
      writeLong(logKey, key.length + 8, start);
      this.ctx.logChange(topic, this.ctx.changelogPartition, logKey, value, timestamp);
    }
  }

  get(key: Buffer, start: number, end: number): Buffer | undefined {
    if (end < this.clock.visibleFrom()) return undefined;
    return this.engine.get(this.entryKey(key, start, end));
  }

  /** Sessions with end >= earliestEnd and start <= latestStart, ascending by (end, start). */
  find(key: Buffer, earliestEnd: number, latestStart: number): RawSession[] {
    const lo = Math.max(earliestEnd, this.clock.visibleFrom(), 0);
    const out: RawSession[] = [];
    const hi = this.clock.observedStreamTime;
    if (hi < lo) return out;
    const s1 = Math.floor(hi / this.clock.segmentMs);
    for (let s = Math.floor(lo / this.clock.segmentMs); s <= s1; s++) {
      const idx = this.engine.get(this.indexKey(key, s));
      if (idx === undefined) continue;
      for (let o = 0; o < idx.length; o += INDEX_WIDTH) {
        const end = readLong(idx, o);
        const start = readLong(idx, o + 8);
        if (end < lo || start > latestStart) continue;
        const raw = this.engine.get(this.entryKey(key, start, end));
        if (raw !== undefined) out.push({ start, end, raw });
      }
    }
    return out;
  }

  static collect(entries: Iterable<[Buffer, Buffer]>, visibleFrom: number): Array<{ key: Buffer; start: number; end: number; raw: Buffer }> {
    const out: Array<{ key: Buffer; start: number; end: number; raw: Buffer }> = [];
    for (const [k, raw] of entries) {
      if (k[8] !== ENTRY) continue;
      const n = k.length - 16;
      const end = readLong(k, n);
      if (end < visibleFrom) continue;
      out.push({ key: k.subarray(9, n), start: readLong(k, n + 8), end, raw });
    }
    out.sort((a, b) => Buffer.compare(a.key, b.key) || a.end - b.end || a.start - b.start);
    return out;
  }

  restore(records: readonly ChangelogRecord[]): void {
    for (const r of records) {
      if (r.key === null || r.key.length < 16) continue;
      const n = r.key.length - 16;
      const end = readLong(r.key, n);
      const start = readLong(r.key, n + 8);
      this.clock.observeRestored(end);
      if (this.clock.isExpiredRestore(end)) continue;
      this.write(r.key.subarray(0, n), start, end, r.value);
    }
    this.clock.dropRestoredSegments(this.engine);
  }
}

interface SessionCacheKey<K> {
  readonly key: K;
  readonly keyBytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The cached sessions of one key, ordered by (end, start): a find looks up its first candidate by binary
 * search and reads on from there (sessions arrive mostly in time order, so an insert is mostly a push).
 */
class CachedSessionsOfKey {
  readonly ends: number[] = [];
  readonly starts: number[] = [];
  readonly ids: string[] = [];

  private lowerBound(end: number, start: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < end || (this.ends[mid] === end && this.starts[mid]! < start)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds the session; false when it is already there. */
  add(id: string, start: number, end: number): boolean {
    const n = this.ends.length;
    if (n === 0 || this.ends[n - 1]! < end || (this.ends[n - 1] === end && this.starts[n - 1]! < start)) {
      this.ends.push(end);
      this.starts.push(start);
      this.ids.push(id);
      return true;
    }
    const at = this.lowerBound(end, start);
    if (this.ends[at] === end && this.starts[at] === start) return false;
    this.ends.splice(at, 0, end);
    this.starts.splice(at, 0, start);
    this.ids.splice(at, 0, id);
    return true;
  }

  /** Position of the first session whose end is at least `end`. */
  firstEndingAtOrAfter(end: number): number {
    return this.lowerBound(end, Number.MIN_SAFE_INTEGER);
  }

  removeAt(i: number): void {
    this.ends.splice(i, 1);
    this.starts.splice(i, 1);
    this.ids.splice(i, 1);
  }
}

/** Kafka Streams' CachingSessionStore: absorbs repeated updates of a session between flushes. */
class SessionCacheLayer<K, V> {
  listener: SessionFlushListener<K, V> | null = null;
  sendOldValues = false;
  readonly cache: NamedCache<SessionCacheKey<K>, V>;
  /**
   * Cached sessions per key (latin1 key bytes → cache ids), dirty or clean: like Kafka Streams'
   * CachingSessionStore, findSessions sees every session still in the cache, also one that the
   * underlying store no longer shows (older than its retention). Ids of evicted entries are pruned
   * when a find passes them and by a sweep once they outnumber the cache.
   */
  private readonly cachedByKey = new Map<string, CachedSessionsOfKey>();
  private trackedIds = 0;

  constructor(
    private readonly inner: SessionBytesLayer,
    private readonly options: SessionStoreOptions<K, V>,
    ctx: StoreInitContext,
  ) {
    this.cache = ctx.cache.namedCache((e) => this.onEvict(e));
  }

  static id(keyBytes: Buffer, start: number, end: number): string {
    const b = Buffer.allocUnsafe(keyBytes.length + 16);
    keyBytes.copy(b, 0);
    writeLong(b, keyBytes.length, end);
    writeLong(b, keyBytes.length + 8, start);
    return b.toString('latin1');
  }

  get(keyBytes: Buffer, start: number, end: number): CacheEntry<SessionCacheKey<K>, V> | undefined {
    return this.cache.get(SessionCacheLayer.id(keyBytes, start, end));
  }

  put(key: K, keyBytes: Buffer, start: number, end: number, value: V | null, timestamp: number, headers: Headers | undefined): void {
    const id = SessionCacheLayer.id(keyBytes, start, end);
    this.cache.put(id, { key, keyBytes, start, end }, value, timestamp, true, headers);
    const kid = keyBytes.toString('latin1');
    let sessions = this.cachedByKey.get(kid);
    if (sessions === undefined) this.cachedByKey.set(kid, (sessions = new CachedSessionsOfKey()));
    if (sessions.add(id, start, end)) this.trackedIds++;
  }

  /** The cached sessions of a key (dirty or clean) with end >= earliestEnd and start <= latestStart. */
  cachedOf(keyBytes: Buffer, earliestEnd: number, latestStart: number): Array<CacheEntry<SessionCacheKey<K>, V>> {
    const kid = keyBytes.toString('latin1');
    const sessions = this.cachedByKey.get(kid);
    const out: Array<CacheEntry<SessionCacheKey<K>, V>> = [];
    if (sessions === undefined) return out;
    for (let i = sessions.firstEndingAtOrAfter(earliestEnd); i < sessions.ids.length; ) {
      const e = this.cache.peek(sessions.ids[i]!);
      if (e === undefined) {
        sessions.removeAt(i);
        this.trackedIds--;
        continue;
      }
      if (sessions.starts[i]! <= latestStart) out.push(e);
      i++;
    }
    if (sessions.ids.length === 0) this.cachedByKey.delete(kid);
    return out;
  }

  private sweepEvicted(): void {
    for (const [kid, sessions] of this.cachedByKey) {
      for (let i = sessions.ids.length - 1; i >= 0; i--) {
        if (this.cache.peek(sessions.ids[i]!) === undefined) {
          sessions.removeAt(i);
          this.trackedIds--;
        }
      }
      if (sessions.ids.length === 0) this.cachedByKey.delete(kid);
    }
  }

  private flushEntry(e: CacheEntry<SessionCacheKey<K>, V>): void {
    const { key, keyBytes, start, end } = e.key;
    const wantOld = e.value === null || (this.listener !== null && this.sendOldValues);
    const oldRaw = wantOld ? this.inner.get(keyBytes, start, end) : undefined;
    if (e.value === null && oldRaw === undefined) return;
    this.inner.put(keyBytes, start, end, e.value === null ? null : this.options.valueSerde.serialize(e.value), e.timestamp);
    if (this.listener !== null) {
      const old = this.sendOldValues && oldRaw !== undefined ? (this.options.valueSerde.deserialize(oldRaw) as V) : null;
      this.listener(new Windowed(key, { start, end }), e.value, old, e.timestamp, e.headers);
    }
  }

  private onEvict(e: CacheEntry<SessionCacheKey<K>, V>): void {
    this.flushEntry(e);
    this.flush();
  }

  flush(): void {
    runSteps(this.flushSteps());
  }

  *flushSteps(): Generator<void, void, void> {
    yield* flushSteps(this.cache, this.flushOne);
    if (this.trackedIds > 2 * this.cache.size + 1024) this.sweepEvicted();
  }

  private readonly flushOne = (e: CacheEntry<SessionCacheKey<K>, V>): void => this.flushEntry(e);

  clear(): void {
    this.cache.clear();
    this.cachedByKey.clear();
    this.trackedIds = 0;
  }
}

/** A session store: facade + lifecycle; cache (optional) → change-logging → engine. */
export class SessionStoreImpl<K, V> extends SegmentedEngineStore<SessionBytesLayer, SessionCacheLayer<K, V>> implements InternalSessionStore<K, V>, ManagedStore {
  readonly name: string;
  readonly persistent: boolean;
  private ctx!: StoreInitContext;

  constructor(readonly options: SessionStoreOptions<K, V>) {
    super();
    this.name = options.name;
    this.persistent = options.persistent;
  }

  protected setUp(ctx: StoreInitContext, engine: StoreEngine): void {
    this.ctx = ctx;
    this.engine = engine;
    this.inner = new SessionBytesLayer(engine, this.options, ctx);
    this.inner.clock.load(engine);
    this.caching = this.options.cachingEnabled && ctx.cache.enabled ? new SessionCacheLayer(this.inner, this.options, ctx) : null;
  }

  setFlushListener(listener: SessionFlushListener<K, V>, sendOldValues: boolean): boolean {
    if (this.caching === null) return false;
    this.caching.listener = listener;
    this.caching.sendOldValues = sendOldValues;
    return true;
  }

  get cachingActive(): boolean {
    return this.caching !== null;
  }

  private keyBytes(key: K): Buffer {
    const bytes = this.options.keySerde.serialize(key);
    if (bytes === null) throw new SerdeError('a state store key must not serialize to null');
    return bytes;
  }

  // ---- facade -----------------------------------------------------------------------------

  put(sessionKey: Windowed<K>, aggregate: V | null): void {
    this.putWithContext(sessionKey, aggregate, this.ctx.currentRecordTimestamp());
  }

  /** A write with the record context the cache keeps (timestamp and headers of the causing record). */
  putWithContext(sessionKey: Windowed<K>, aggregate: V | null, timestamp: number, headers?: Headers): void {
    const kb = this.keyBytes(sessionKey.key);
    const { start, end } = sessionKey.window;
    if (this.caching !== null) {
      this.caching.put(sessionKey.key, kb, start, end, aggregate, timestamp, headers);
      return;
    }
    this.inner.put(kb, start, end, aggregate === null ? null : this.options.valueSerde.serialize(aggregate), timestamp);
  }

  remove(sessionKey: Windowed<K>): void {
    this.put(sessionKey, null);
  }

  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): V | null {
    const kb = this.keyBytes(key);
    if (this.caching !== null) {
      const hit = this.caching.get(kb, sessionStartTime, sessionEndTime);
      if (hit !== undefined) return hit.value;
    }
    const raw = this.inner.get(kb, sessionStartTime, sessionEndTime);
    return raw === undefined ? null : (this.options.valueSerde.deserialize(raw) as V);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Array<KeyValue<Windowed<K>, V>> {
    const kb = this.keyBytes(key);
    let rows: Array<{ start: number; end: number; value: V }> = this.inner
      .find(kb, earliestSessionEndTime, latestSessionStartTime)
      .map((r) => ({ start: r.start, end: r.end, value: this.options.valueSerde.deserialize(r.raw) as V }));
    if (this.caching !== null) {
      const cached = this.caching.cachedOf(kb, earliestSessionEndTime, latestSessionStartTime);
      if (cached.length > 0) {
        const byId = new Map<string, { start: number; end: number; value: V } | null>();
        for (const r of rows) byId.set(`${r.end}:${r.start}`, r);
        for (const d of cached) {
          const { start, end } = d.key;
          byId.set(`${end}:${start}`, d.value === null ? null : { start, end, value: d.value });
        }
        rows = [...byId.values()].filter((r): r is { start: number; end: number; value: V } => r !== null).sort((a, b) => a.end - b.end || a.start - b.start);
      }
    }
    return rows.map((r) => [new Windowed(key, { start: r.start, end: r.end }), r.value] as const);
  }

  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Array<KeyValue<Windowed<K>, V>> {
    return this.findSessions(key, earliestSessionEndTime, latestSessionStartTime).reverse();
  }

  fetch(key: K): Array<KeyValue<Windowed<K>, V>> {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  backwardFetch(key: K): Array<KeyValue<Windowed<K>, V>> {
    return this.fetch(key).reverse();
  }

  /** Every session of every key (in-memory stores; persistent ones: allAsync). */
  all(): Array<KeyValue<Windowed<K>, V>> {
    this.caching?.flush();
    return this.toWindowed(SessionBytesLayer.collect(this.engine.scan(null, null, false), this.inner.clock.visibleFrom()));
  }

  async allAsync(): Promise<Array<KeyValue<Windowed<K>, V>>> {
    this.caching?.flush();
    const entries: Array<[Buffer, Buffer]> = [];
    for await (const e of this.engine.scanAsync(null, null, false)) entries.push(e);
    return this.toWindowed(SessionBytesLayer.collect(entries, this.inner.clock.visibleFrom()));
  }

  /**
   * Interactive queries: sessions of the keys in [keyFrom, keyTo] (null: unbounded), ordered by key
   * bytes then end and start, cached updates included, nothing flushed.
   */
  async queryRange(keyFrom: K | null, keyTo: K | null): Promise<Array<KeyValue<Windowed<K>, V>>> {
    const lo = keyFrom === null ? null : this.keyBytes(keyFrom);
    const hi = keyTo === null ? null : this.keyBytes(keyTo);
    const visibleFrom = this.inner.clock.visibleFrom();
    const inRange = (kb: Buffer, end: number) => end >= visibleFrom && (lo === null || Buffer.compare(kb, lo) >= 0) && (hi === null || Buffer.compare(kb, hi) <= 0);
    type Row = { kb: Buffer; start: number; end: number; value: V };
    const rows = await collectWithOverlay<Row>(
      this.engine,
      (k, raw) => {
        const e = SessionBytesLayer.collect([[k, raw]], visibleFrom)[0];
        if (e === undefined || !inRange(e.key, e.end)) return null;
        return [SessionCacheLayer.id(e.key, e.start, e.end), { kb: e.key, start: e.start, end: e.end, value: this.options.valueSerde.deserialize(e.raw) as V }];
      },
      () => {
        const out = new Map<string, Row | null>();
        for (const e of this.caching?.cache.dirtyEntries() ?? []) {
          const { keyBytes, start, end } = e.key;
          if (inRange(keyBytes, end)) out.set(e.id, e.value === null ? null : { kb: keyBytes, start, end, value: e.value });
        }
        return out;
      },
    );
    rows.sort((a, b) => Buffer.compare(a.kb, b.kb) || a.end - b.end || a.start - b.start);
    return rows.map((r) => [new Windowed(this.options.keySerde.deserialize(r.kb) as K, { start: r.start, end: r.end }), r.value] as const);
  }

  private toWindowed(rows: Array<{ key: Buffer; start: number; end: number; raw: Buffer }>): Array<KeyValue<Windowed<K>, V>> {
    return rows.map((r) => [
      new Windowed(this.options.keySerde.deserialize(r.key) as K, { start: r.start, end: r.end }),
      this.options.valueSerde.deserialize(r.raw) as V,
    ]);
  }

}

/** Builds session stores (Kafka Streams' SessionStoreBuilder). */
export class SessionStoreBuilder<K, V> extends CachingStoreBuilderBase {
  readonly kind = 'session' as const;

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly retentionMs: number,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    super();
  }

  protected override defaultChangelogConfig(): Record<string, string> {
    return windowedChangelogConfig(this.retentionMs);
  }

  build(): SessionStoreImpl<K, V> {
    return new SessionStoreImpl({
      name: this.name,
      persistent: this.persistent,
      retentionMs: this.retentionMs,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      cachingEnabled: this.cachingEnabled,
    });
  }
}
