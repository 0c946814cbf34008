import type { Headers, RawHeaders } from '../processor/headers.js';

/**
 * One cached entry. Its key, value and timestamp never change (a put replaces the entry), so a
 * reader may keep an entry as an old value; only the bookkeeping fields move.
 */
export class CacheEntry<K, V> {
  /** Sequence number of the update that made it dirty; 0 when clean. */
  dirtySeq: number;
  /** Neighbours in the cache's LRU list (older, newer). */
  older: CacheEntry<K, V> | null = null;
  newer: CacheEntry<K, V> | null = null;
  constructor(
    readonly id: string,
    readonly key: K,
    readonly value: V | null,
    readonly timestamp: number,
    dirtySeq: number,
    readonly size: number,
    readonly headers: Headers | RawHeaders | undefined,
  ) {
    this.dirtySeq = dirtySeq;
  }

  get dirty(): boolean {
    return this.dirtySeq !== 0;
  }
}

/**
 * Kafka Streams' ThreadCache: one byte budget shared by the caches of every store of a worker.
 * A budget of 0 disables caching (every update is forwarded and logged at once).
 */
export class RecordCache {
  currentBytes = 0;
  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  namedCache<K, V>(onEvictDirty: (entry: CacheEntry<K, V>) => void): NamedCache<K, V> {
    return new NamedCache<K, V>(this, onEvictDirty);
  }
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
 * The cache of one store in one task: LRU eviction (a linked list through the entries), with dirty
 * entries flushed in the order of their last update (as Kafka Streams). Dirty order is an
 * append-only log of (entry, sequence) pairs; stale pairs are skipped when read.
 */
export class NamedCache<K, V> {
  private readonly entries = new Map<string, CacheEntry<K, V>>();
  private dirtyLog: CacheEntry<K, V>[] = [];
  private dirtySeqs: number[] = [];
  /** The entry the last get() returned: a put of the same key right after skips a lookup. */
  private lastId: string | null = null;
  private lastEntry: CacheEntry<K, V> | undefined;
  private seq = 0;
  private dirtyEntriesCount = 0;
  private bytes = 0;
  private oldest: CacheEntry<K, V> | null = null;
  private newest: CacheEntry<K, V> | null = null;

  constructor(
    private readonly parent: RecordCache,
    private readonly onEvictDirty: (entry: CacheEntry<K, V>) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get dirtyCount(): number {
    return this.dirtyEntriesCount;
  }

  private unlink(e: CacheEntry<K, V>): void {
    if (e.older !== null) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer !== null) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = null;
  }

  private append(e: CacheEntry<K, V>): void {
    e.older = this.newest;
    e.newer = null;
    if (this.newest !== null) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  get(id: string): CacheEntry<K, V> | undefined {
    const e = this.entries.get(id);
    if (e !== undefined && e !== this.newest) {
      this.unlink(e);
      this.append(e);
    }
    this.lastId = id;
    this.lastEntry = e;
    return e;
  }

  put(id: string, key: K, value: V | null, timestamp: number, dirty: boolean, headers?: Headers | RawHeaders): void {
    const size = ENTRY_OVERHEAD + 2 * id.length + estimateSize(value);
    const prev = id === this.lastId ? this.lastEntry : this.entries.get(id);
    if (!dirty && prev !== undefined && prev.dirtySeq !== 0) return; // a clean read never replaces a dirty entry
    let dirtySeq = 0;
    const entry = new CacheEntry(id, key, value, timestamp, 0, size, headers);
    if (dirty) {
      dirtySeq = ++this.seq;
      entry.dirtySeq = dirtySeq;
      this.dirtyLog.push(entry);
      this.dirtySeqs.push(dirtySeq);
      if (prev === undefined || prev.dirtySeq === 0) this.dirtyEntriesCount++;
    }
    // The replaced entry leaves the dirty log (its log slot is skipped) and the LRU list.
    if (prev !== undefined) {
      prev.dirtySeq = 0;
      this.unlink(prev);
    }
    this.append(entry);
    this.account(prev === undefined ? size : size - prev.size);
    this.entries.set(id, entry);
    this.lastId = id;
    this.lastEntry = entry;
    if (this.parent.currentBytes > this.parent.maxBytes) this.evict();
  }

  private account(delta: number): void {
    this.bytes += delta;
    this.parent.currentBytes += delta;
  }

  /** Evicts least recently used entries of this cache until the shared budget is met or it is empty. */
  private evict(): void {
    while (this.parent.currentBytes > this.parent.maxBytes && this.oldest !== null) {
      const e = this.oldest;
      this.unlink(e);
      this.entries.delete(e.id);
      if (this.lastEntry === e) this.lastId = null;
      this.account(-e.size);
      if (e.dirtySeq !== 0) {
        e.dirtySeq = 0;
        this.dirtyEntriesCount--;
        this.onEvictDirty(e);
      }
    }
  }

  /** Dirty entries in order of their last update, marking them clean. */
  takeDirty(): CacheEntry<K, V>[] {
    const log = this.dirtyLog;
    const seqs = this.dirtySeqs;
    this.resetLog();
    if (this.dirtyEntriesCount === 0) return [];
    const out: CacheEntry<K, V>[] = [];
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e.dirtySeq !== seqs[i]) continue; // superseded, evicted or already flushed
      e.dirtySeq = 0;
      out.push(e);
    }
    this.dirtyEntriesCount = 0;
    return out;
  }

  private resetLog(): void {
    this.dirtyLog = [];
    this.dirtySeqs = [];
  }

  /** Dirty entries, without cleaning them (for scans that must see unflushed updates). */
  *dirtyEntries(): Iterable<CacheEntry<K, V>> {
    for (let i = 0; i < this.dirtyLog.length; i++) {
      const e = this.dirtyLog[i]!;
      if (e.dirtySeq === this.dirtySeqs[i]) yield e;
    }
  }

  clear(): void {
    this.account(-this.bytes);
    this.entries.clear();
    this.oldest = this.newest = null;
    this.lastId = null;
    this.lastEntry = undefined;
    this.resetLog();
    this.dirtyEntriesCount = 0;
  }
}
