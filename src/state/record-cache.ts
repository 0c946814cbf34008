import type { Headers } from '../processor/headers.js';

/** One cached entry. Entries are replaced, never mutated, so a reader may keep one as an old value. */
export class CacheEntry<K, V> {
  /** Second-chance bit for eviction: set on access, cleared when the evictor passes over it. */
  referenced = true;
  constructor(
    readonly key: K,
    readonly value: V | null,
    readonly timestamp: number,
    readonly dirty: boolean,
    readonly size: number,
    readonly headers: Headers | undefined,
  ) {}
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

/** The cache of one store in one task: LRU-ish (second chance) with dirty entries in update order. */
export class NamedCache<K, V> {
  private readonly entries = new Map<string, CacheEntry<K, V>>();
  /** Ids of dirty entries, oldest update first (re-dirtying moves an id to the end, as Kafka Streams). */
  private readonly dirty = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly parent: RecordCache,
    private readonly onEvictDirty: (entry: CacheEntry<K, V>) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  get(id: string): CacheEntry<K, V> | undefined {
    const e = this.entries.get(id);
    if (e !== undefined) e.referenced = true;
    return e;
  }

  put(id: string, key: K, value: V | null, timestamp: number, dirty: boolean, headers?: Headers): void {
    const size = ENTRY_OVERHEAD + 2 * id.length + estimateSize(value);
    const prev = this.entries.get(id);
    if (prev !== undefined) this.account(size - prev.size);
    else this.account(size);
    const entry = new CacheEntry(key, value, timestamp, dirty || (prev?.dirty ?? false), size, headers);
    this.entries.set(id, entry);
    if (entry.dirty) {
      this.dirty.delete(id);
      this.dirty.add(id);
    }
    if (this.parent.currentBytes > this.parent.maxBytes) this.evict();
  }

  private account(delta: number): void {
    this.bytes += delta;
    this.parent.currentBytes += delta;
  }

  /** Evicts from this cache until the shared budget is met or this cache is empty. */
  private evict(): void {
    let secondChances = this.entries.size;
    // Map iteration is live: entries moved to the back are visited again.
    for (const [id, e] of this.entries) {
      if (this.parent.currentBytes <= this.parent.maxBytes) return;
      if (e.referenced && secondChances-- > 0) {
        e.referenced = false;
        this.entries.delete(id);
        this.entries.set(id, e);
        continue;
      }
      this.entries.delete(id);
      this.account(-e.size);
      if (e.dirty) {
        this.dirty.delete(id);
        this.onEvictDirty(e);
      }
    }
  }

  /** Dirty entries in update order, marking them clean. */
  takeDirty(): CacheEntry<K, V>[] {
    if (this.dirty.size === 0) return [];
    const out: CacheEntry<K, V>[] = [];
    for (const id of this.dirty) {
      const e = this.entries.get(id)!;
      out.push(e);
      this.entries.set(id, new CacheEntry(e.key, e.value, e.timestamp, false, e.size, undefined));
    }
    this.dirty.clear();
    return out;
  }

  /** Dirty entries, without cleaning them (for scans that must see unflushed updates). */
  *dirtyEntries(): Iterable<CacheEntry<K, V>> {
    for (const id of this.dirty) yield this.entries.get(id)!;
  }

  clear(): void {
    this.account(-this.bytes);
    this.entries.clear();
    this.dirty.clear();
  }
}
