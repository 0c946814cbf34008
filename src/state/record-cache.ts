import type { Headers, RawHeaders } from '../processor/headers.js';

/**
 * One cached entry. By default its key, value and timestamp never change (a put replaces the
 * entry), so a reader may keep an entry as an old value; a cache made with `reuseEntries` updates
 * its entries in place instead (its owner never hands entries out). Only the bookkeeping fields move.
 */
export class CacheEntry<K, V> {
  /** Position in the cache's dirty log; -1 when clean. */
  logPos: number;
  /** CLOCK eviction: set on access, cleared when the clock hand passes. */
  referenced = true;
  /** Position in the cache's clock. */
  slot = -1;
  /** The store below holds a value under this id (read from it or flushed to it); kept across puts. */
  persisted = false;
  /** The store engine's handle of this key's last flushed write (StoreEngine.putAt). */
  storeSlot: unknown = undefined;
  constructor(
    readonly id: string,
    public key: K,
    public value: V | null,
    public timestamp: number,
    public size: number,
    public headers: Headers | RawHeaders | undefined,
  ) {
    this.logPos = -1;
  }

  get dirty(): boolean {
    return this.logPos >= 0;
  }
}

/**
 * Kafka Streams' ThreadCache: one byte budget shared by the caches of every store of a worker.
 * A budget of 0 disables caching (every update is forwarded and logged at once).
 */
export class RecordCache {
  currentBytes = 0;
  /** Reads that found an entry / did not (record-cache-metrics hit-ratio). */
  hits = 0;
  misses = 0;
  /** Interactive queries in progress: their reads must not add entries (that could evict and flush). */
  private queryReads = 0;
  constructor(readonly maxBytes: number) {}

  get readingForQuery(): boolean {
    return this.queryReads > 0;
  }

  /**
   * Runs reads of an interactive query: they see cached entries but insert none, so a query never
   * evicts, flushes or forwards anything (Kafka Streams only caches reads of the stream thread).
   */
  readOnly<T>(read: () => T): T {
    this.queryReads++;
    try {
      return read();
    } finally {
      this.queryReads--;
    }
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** `reuseEntries`: a put updates the key's entry in place (no object per update); see CacheEntry. */
  namedCache<K, V>(onEvictDirty: (entry: CacheEntry<K, V>) => void, reuseEntries = false): NamedCache<K, V> {
    return new NamedCache<K, V>(this, onEvictDirty, reuseEntries);
  }
}

/** Dirty entries flushed between two points where a flush in steps lets its caller yield. */
export const FLUSH_STEP = 250;

/**
 * Flushes a cache's dirty entries in the order of their last update, in rounds (flushing may
 * forward into stores downstream and dirty entries again; those are taken in the next round, 100
 * rounds at most). Pauses after every `step` entries: its caller may let the event loop run there
 * (nothing may write to the cache meanwhile). Running it to its end is one whole flush.
 */
export function* flushSteps<K, V>(cache: NamedCache<K, V>, flushEntry: (e: CacheEntry<K, V>) => void, step = FLUSH_STEP): Generator<void, void, void> {
  for (let round = 0; cache.dirtyCount > 0 && round < 100; round++) {
    // A round: the entries dirty now. Entries dirtied meanwhile go to the end of the log (next round).
    for (let left = cache.dirtyCount; left > 0; ) {
      const chunk = cache.takeDirty(Math.min(step, left));
      if (chunk.length === 0) break; // an eviction flushed the rest meanwhile
      left -= chunk.length;
      for (let i = 0; i < chunk.length; i++) flushEntry(chunk[i]!);
      if (left > 0) yield;
    }
  }
}

/** Runs a flush in steps to its end (see flushSteps). */
export function runSteps(steps: Iterator<unknown>): void {
  while (!steps.next().done);
}

export function estimateSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 2 * value.length;
    case 'number':
    case 'boolean':
      return 8;
    case 'bigint':
      return 16;
    case 'object':
      if (value === null) return 0;
      if (value instanceof Uint8Array) return value.length;
      return 128;
    default:
      return 16;
  }
}

const ENTRY_OVERHEAD = 64;

/**
 * The cache of one store in one task, with dirty entries flushed in the order of their last update
 * (as Kafka Streams). Eviction approximates LRU with CLOCK over an array of slots: an access only
 * sets a bit on the entry it touched (a linked LRU list costs pointer writes on neighbours spread
 * over memory on every read). Dirty order is an append-only log of entries: an update moves its
 * entry to the end and leaves a hole (null) where it was; holes are skipped when read and squeezed
 * out when they outnumber the entries.
 */
export class NamedCache<K, V> {
  private readonly entries = new Map<string, CacheEntry<K, V>>();
  private dirtyLog: Array<CacheEntry<K, V> | null> = [];
  /** Entries of the dirty log before this index were taken (a flush in steps goes on from here). */
  private dirtyHead = 0;
  private dirtyEntriesCount = 0;
  private bytes = 0;
  private slots: Array<CacheEntry<K, V> | null> = [];
  private freeSlots: number[] = [];
  private hand = 0;
  /** The entry the last get() found: a read-modify-write (aggregations) then puts without a second lookup. */
  private lastHit: CacheEntry<K, V> | undefined;

  constructor(
    private readonly parent: RecordCache,
    private readonly onEvictDirty: (entry: CacheEntry<K, V>) => void,
    private readonly reuseEntries = false,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get dirtyCount(): number {
    return this.dirtyEntriesCount;
  }

  get(id: string): CacheEntry<K, V> | undefined {
    const e = this.entries.get(id);
    if (e !== undefined) {
      e.referenced = true;
      this.lastHit = e;
      this.parent.hits++;
    } else {
      this.parent.misses++;
    }
    return e;
  }

  /** The entry, without counting it as an access (for scans, which do not keep entries cached). */
  peek(id: string): CacheEntry<K, V> | undefined {
    return this.entries.get(id);
  }

  /** Puts an entry; returns it, or undefined when a clean put was ignored. */
  put(id: string, key: K, value: V | null, timestamp: number, dirty: boolean, headers?: Headers | RawHeaders): CacheEntry<K, V> | undefined {
    const size = ENTRY_OVERHEAD + 2 * id.length + estimateSize(value);
    const last = this.lastHit;
    const prev = last !== undefined && last.id === id ? last : this.entries.get(id);
    if (!dirty && prev !== undefined && prev.logPos >= 0) return undefined; // a clean read never replaces a dirty entry
    if (!dirty && this.parent.readingForQuery) return undefined;
    let entry: CacheEntry<K, V>;
    if (prev === undefined) {
      entry = new CacheEntry(id, key, value, timestamp, size, headers);
      entry.slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slots.length;
      this.slots[entry.slot] = entry;
      this.entries.set(id, entry);
      this.account(size);
    } else {
      if (this.reuseEntries) {
        entry = prev;
        entry.key = key;
        entry.value = value;
        entry.timestamp = timestamp;
        entry.headers = headers;
      } else {
        // The replaced entry keeps its contents for whoever holds it, and gives its clock slot.
        entry = new CacheEntry(id, key, value, timestamp, size, headers);
        entry.slot = prev.slot;
        entry.persisted = prev.persisted;
        this.slots[entry.slot] = entry;
        this.entries.set(id, entry);
        if (last === prev) this.lastHit = entry;
      }
      entry.referenced = true;
      this.account(size - prev.size);
      entry.size = size;
      if (prev.logPos >= 0) {
        this.dirtyLog[prev.logPos] = null;
        prev.logPos = -1;
        this.dirtyEntriesCount--;
      }
    }
    if (dirty) {
      entry.logPos = this.dirtyLog.length;
      this.dirtyLog.push(entry);
      this.dirtyEntriesCount++;
      if (this.dirtyLog.length > 1024 && this.dirtyLog.length > 4 * this.dirtyEntriesCount) this.compactLog();
    }
    if (this.parent.currentBytes > this.parent.maxBytes) this.evict();
    return entry;
  }

  /** Squeezes the holes out of the dirty log (keeps the order). */
  private compactLog(): void {
    const log = this.dirtyLog;
    let n = 0;
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e === null) continue;
      e.logPos = n;
      log[n++] = e;
    }
    log.length = n;
    this.dirtyHead = 0;
  }

  private account(delta: number): void {
    this.bytes += delta;
    this.parent.currentBytes += delta;
  }

  /** Evicts entries of this cache (CLOCK order) until the shared budget is met or it is empty. */
  private evict(): void {
    const slots = this.slots;
    while (this.parent.currentBytes > this.parent.maxBytes && this.entries.size > 0) {
      if (this.hand >= slots.length) this.hand = 0;
      const e = slots[this.hand];
      if (e === null || e === undefined) {
        this.hand++;
        continue;
      }
      if (e.referenced) {
        e.referenced = false;
        this.hand++;
        continue;
      }
      slots[this.hand] = null;
      this.freeSlots.push(this.hand++);
      this.entries.delete(e.id);
      if (this.lastHit === e) this.lastHit = undefined;
      this.account(-e.size);
      if (e.logPos >= 0) {
        this.dirtyLog[e.logPos] = null;
        e.logPos = -1;
        this.dirtyEntriesCount--;
        this.onEvictDirty(e);
      }
    }
  }

  /**
   * The first `max` dirty entries in order of their last update (all by default), marking them
   * clean; the others stay dirty (scans keep seeing them) until taken.
   */
  takeDirty(max = Infinity): CacheEntry<K, V>[] {
    const log = this.dirtyLog;
    if (this.dirtyEntriesCount === 0) {
      this.dirtyLog = [];
      this.dirtyHead = 0;
      return [];
    }
    const out: CacheEntry<K, V>[] = [];
    let i = this.dirtyHead;
    for (; i < log.length && out.length < max; i++) {
      const e = log[i]!;
      if (e === null) continue; // superseded, evicted or already flushed
      log[i] = null;
      e.logPos = -1;
      out.push(e);
    }
    this.dirtyEntriesCount -= out.length;
    if (i >= log.length) {
      this.dirtyLog = [];
      this.dirtyHead = 0;
    } else {
      this.dirtyHead = i;
    }
    return out;
  }

  /** Dirty entries, without cleaning them (for scans that must see unflushed updates). */
  *dirtyEntries(): Iterable<CacheEntry<K, V>> {
    const log = this.dirtyLog;
    for (let i = this.dirtyHead; i < log.length; i++) {
      const e = log[i]!;
      if (e !== null) yield e;
    }
  }

  clear(): void {
    this.account(-this.bytes);
    this.entries.clear();
    this.lastHit = undefined;
    this.slots = [];
    this.freeSlots = [];
    this.hand = 0;
    for (const e of this.dirtyLog) if (e !== null) e.logPos = -1;
    this.dirtyLog = [];
    this.dirtyHead = 0;
    this.dirtyEntriesCount = 0;
  }
}
