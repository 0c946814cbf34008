/**
 * The byte-level storage under a state store: one engine per store per task. Higher layers
 * (caching, change-logging, typed facades) sit on top; the engine only knows byte keys/values.
 *
 * Writes between commits are pending: the LevelDB engine keeps them in memory and makes them
 * durable together with the store's checkpoint in one atomic batch at commit, so the local data
 * never runs ahead of what the log has committed (exactly_once needs this).
 */
export interface StoreEngine {
  readonly persistent: boolean;
  /** `id`, when given, must equal `key.toString('latin1')` (callers that have it save the conversion). */
  get(key: Buffer, id?: string): Buffer | undefined;
  /** A null value deletes. */
  put(key: Buffer, value: Buffer | null, id?: string): void;
  /**
   * put() for a caller that keeps a handle per key (a cache entry): `slot` is what the last putAt()
   * of the same key returned (undefined the first time); returns the handle for the next one. An
   * engine that holds writes in memory finds the key's pending write through it without a lookup.
   */
  putAt?(slot: unknown, key: Buffer, value: Buffer | null, id: string): unknown;
  /** Deletes every key in [from, to) at the next commit; reads of that range are the caller's concern. */
  deleteRange(from: Buffer, to: Buffer): void;
  /** Entries in key order within [from, to) (either bound may be null); only in-memory engines. */
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<[Buffer, Buffer]>;
  scanAsync(from: Buffer | null, to: Buffer | null, reverse: boolean): AsyncIterable<[Buffer, Buffer]>;
  approximateSize(): number;
  /** Bytes held in memory by writes not yet committed. */
  pendingBytes(): number;
  /**
   * Makes pending writes durable together with `checkpoint`: the changelog offset from which a
   * restore must continue to bring this store up to date.
   */
  commit(checkpoint: number | undefined): Promise<void>;
  /** The checkpoint of the last commit, or undefined when the store has none (restore from scratch). */
  checkpoint(): number | undefined;
  close(): Promise<void>;
  /** Closes and deletes all local data (wipe before a restore from the changelog). */
  destroy(): Promise<void>;
}

export function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** An engine on a Map; writes apply at once (an in-memory store is rebuilt from its changelog after any crash). */
export class MemoryEngine implements StoreEngine {
  readonly persistent = false;
  private readonly data = new Map<string, Buffer>();
  private sortedKeys: string[] | null = null;
  private lastCheckpoint: number | undefined;

  get(key: Buffer, id?: string): Buffer | undefined {
    return this.data.get(id ?? key.toString('latin1'));
  }

  put(key: Buffer, value: Buffer | null, knownId?: string): void {
    const id = knownId ?? key.toString('latin1');
    if (value === null) {
      if (this.data.delete(id)) this.sortedKeys = null;
    } else {
      if (!this.data.has(id)) this.sortedKeys = null;
      this.data.set(id, value);
    }
  }

  deleteRange(from: Buffer, to: Buffer): void {
    const lo = from.toString('latin1');
    const hi = to.toString('latin1');
    // No sort needed: one pass over the keys (window stores drop whole time segments this way).
    let deleted = false;
    for (const id of this.data.keys()) {
      if (id >= lo && id < hi) {
        this.data.delete(id);
        deleted = true;
      }
    }
    if (deleted) this.sortedKeys = null;
  }

  private keysInOrder(): string[] {
    if (this.sortedKeys === null) this.sortedKeys = [...this.data.keys()].sort();
    return this.sortedKeys;
  }

  *scan(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<[Buffer, Buffer]> {
    const lo = from === null ? null : from.toString('latin1');
    const hi = to === null ? null : to.toString('latin1');
    const keys = this.keysInOrder().filter((k) => (lo === null || k >= lo) && (hi === null || k < hi));
    if (reverse) keys.reverse();
    for (const k of keys) {
      const v = this.data.get(k);
      if (v !== undefined) yield [Buffer.from(k, 'latin1'), v];
    }
  }

  async *scanAsync(from: Buffer | null, to: Buffer | null, reverse: boolean): AsyncIterable<[Buffer, Buffer]> {
    yield* this.scan(from, to, reverse);
  }

  approximateSize(): number {
    return this.data.size;
  }

  pendingBytes(): number {
    return 0;
  }

  async commit(checkpoint: number | undefined): Promise<void> {
    if (checkpoint !== undefined) this.lastCheckpoint = checkpoint;
  }

  checkpoint(): number | undefined {
    return this.lastCheckpoint;
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {
    this.data.clear();
    this.sortedKeys = null;
    this.lastCheckpoint = undefined;
  }
}
