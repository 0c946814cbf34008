/**
 * Read-only views over one store name across the local tasks (Kafka Streams' composite read-only
 * stores). Each call asks the provider for the stores anew, so a store that migrated away or
 * started restoring fails the call with InvalidStateStoreException instead of answering wrongly.
 * Point reads are synchronous; scans are asynchronous (LevelDB scans are). Scans go store by
 * store (each ordered by serialized key), as Kafka Streams' composite iterators do.
 */
import type { KeyValue, StateStore, ValueAndTimestamp } from '../state/store.js';
import type { InternalKeyValueStore } from '../state/key-value-store.js';
import type { InternalWindowStore } from '../state/window-store.js';
import type { InternalSessionStore } from '../state/session-store.js';
import type { Windowed } from '../common/windowed.js';
import type { QueryableStoreProvider } from './interactive-queries.js';
import { InvalidStateStoreException } from './store-exceptions.js';

/** A time bound: epoch milliseconds or a Date (Kafka Streams takes an Instant). */
export type TimeBound = number | Date;

function ms(t: TimeBound): number {
  return typeof t === 'number' ? t : t.getTime();
}

function migrated(provider: QueryableStoreProvider, error: unknown): Error {
  if (error instanceof InvalidStateStoreException) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new InvalidStateStoreException(`state store ${provider.storeName} may have migrated to another instance (${why})`);
}

/** Shared by the views: typed stores from the provider; scans that fail because a store closed say so. */
abstract class StoreView<S extends StateStore> {
  constructor(protected readonly provider: QueryableStoreProvider) {}

  protected stores(): S[] {
    return this.provider.stores() as S[];
  }

  /** The first non-null answer of a point read across the local stores. */
  protected first<R>(read: (store: S) => R | null): R | null {
    return this.provider.read(() => {
      for (const store of this.stores()) {
        const r = read(store);
        if (r !== null) return r;
      }
      return null;
    });
  }

  /** The first non-empty answer of a per-key fetch across the local stores. */
  protected firstNonEmpty<R>(read: (store: S) => R[]): R[] {
    return this.provider.read(() => {
      for (const store of this.stores()) {
        const r = read(store);
        if (r.length > 0) return r;
      }
      return [];
    });
  }

  /** A scan of every local store, one after the other; a store that closes meanwhile fails it. */
  protected async *scanAll<R>(scan: (store: S) => AsyncIterable<R>): AsyncIterable<R> {
    for (const store of this.stores()) {
      try {
        for await (const r of scan(store)) yield r;
      } catch (error) {
        if (!this.provider.serving(store)) throw migrated(this.provider, error);
        throw error;
      }
    }
  }

  /** Collected scans of every local store, concatenated. */
  protected async collectAll<R>(scan: (store: S) => Promise<R[]>): Promise<R[]> {
    const out: R[] = [];
    for await (const r of this.scanAll(async function* (store: S) {
      yield* await scan(store);
    })) {
      out.push(r);
    }
    return out;
  }
}

abstract class KeyValueViewBase<K, V, R> extends StoreView<InternalKeyValueStore<K, V>> {
  protected abstract presented(vt: ValueAndTimestamp<V>): R;

  get(key: K): R | null {
    const vt = this.first((s) => s.getWithTimestamp(key));
    return vt === null ? null : this.presented(vt);
  }

  private async *scan(from: K | null, to: K | null, reverse: boolean, prefix?: K): AsyncIterable<KeyValue<K, R>> {
    for await (const [k, vt] of this.scanAll((s) => s.queryScan(from, to, reverse, prefix))) yield [k, this.presented(vt)];
  }

  /** Keys in [from, to] (inclusive; null: unbounded) in serialized-key order, per store. */
  range(from: K | null, to: K | null): AsyncIterable<KeyValue<K, R>> {
    return this.scan(from, to, false);
  }

  reverseRange(from: K | null, to: K | null): AsyncIterable<KeyValue<K, R>> {
    return this.scan(from, to, true);
  }

  all(): AsyncIterable<KeyValue<K, R>> {
    return this.scan(null, null, false);
  }

  reverseAll(): AsyncIterable<KeyValue<K, R>> {
    return this.scan(null, null, true);
  }

  /** Keys whose serialized form starts with the serialized prefix. */
  prefixScan(prefix: K): AsyncIterable<KeyValue<K, R>> {
    return this.scan(null, null, false, prefix);
  }

  approximateNumEntries(): number {
    let n = 0;
    for (const s of this.stores()) n += s.approximateNumEntries();
    return n;
  }
}

/** QueryableStoreTypes.keyValueStore(): values. */
export class ReadOnlyKeyValueView<K, V> extends KeyValueViewBase<K, V, V> {
  protected presented(vt: ValueAndTimestamp<V>): V {
    return vt.value;
  }
}

/** QueryableStoreTypes.timestampedKeyValueStore(): values with their timestamps. */
export class TimestampedKeyValueView<K, V> extends KeyValueViewBase<K, V, ValueAndTimestamp<V>> {
  protected presented(vt: ValueAndTimestamp<V>): ValueAndTimestamp<V> {
    return { value: vt.value, timestamp: vt.timestamp };
  }
}

/** QueryableStoreTypes.windowStore(). */
export class ReadOnlyWindowView<K, V> extends StoreView<InternalWindowStore<K, V>> {
  /** The value of `key`'s window starting at `time`. */
  fetch(key: K, time: TimeBound): V | null;
  /** `[windowStart, value]` of `key`'s windows with a start in [timeFrom, timeTo], ascending. */
  fetch(key: K, timeFrom: TimeBound, timeTo: TimeBound): Array<KeyValue<number, V>>;
  /** Windows with a start in [timeFrom, timeTo] of the keys in [keyFrom, keyTo] (null: unbounded). */
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: TimeBound, timeTo: TimeBound): Promise<Array<KeyValue<Windowed<K>, V>>>;
  fetch(a: K | null, b: TimeBound | K | null, c?: TimeBound, d?: TimeBound): V | null | Array<KeyValue<number, V>> | Promise<Array<KeyValue<Windowed<K>, V>>> {
    if (d !== undefined) return this.fetchRange(a, b as K | null, ms(c!), ms(d), false);
    if (c !== undefined) return this.firstNonEmpty((s) => s.fetchEntries(a as K, ms(b as TimeBound), ms(c), false)).map((e) => [e.start, e.value] as const);
    return this.first((s) => s.fetchWithTimestamp(a as K, ms(b as TimeBound)))?.value ?? null;
  }

  backwardFetch(key: K, timeFrom: TimeBound, timeTo: TimeBound): Array<KeyValue<number, V>>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: TimeBound, timeTo: TimeBound): Promise<Array<KeyValue<Windowed<K>, V>>>;
  backwardFetch(a: K | null, b: TimeBound | K | null, c: TimeBound, d?: TimeBound): Array<KeyValue<number, V>> | Promise<Array<KeyValue<Windowed<K>, V>>> {
    if (d !== undefined) return this.fetchRange(a, b as K | null, ms(c), ms(d), true);
    return this.firstNonEmpty((s) => s.fetchEntries(a as K, ms(b as TimeBound), ms(c), true)).map((e) => [e.start, e.value] as const);
  }

  /** Every window of every key with a start in [timeFrom, timeTo]. */
  fetchAll(timeFrom: TimeBound, timeTo: TimeBound): Promise<Array<KeyValue<Windowed<K>, V>>> {
    return this.fetchRange(null, null, ms(timeFrom), ms(timeTo), false);
  }

  backwardFetchAll(timeFrom: TimeBound, timeTo: TimeBound): Promise<Array<KeyValue<Windowed<K>, V>>> {
    return this.fetchRange(null, null, ms(timeFrom), ms(timeTo), true);
  }

  all(): Promise<Array<KeyValue<Windowed<K>, V>>> {
    return this.fetchRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false);
  }

  backwardAll(): Promise<Array<KeyValue<Windowed<K>, V>>> {
    return this.fetchRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  }

  private async fetchRange(keyFrom: K | null, keyTo: K | null, from: number, to: number, backward: boolean): Promise<Array<KeyValue<Windowed<K>, V>>> {
    const rows = await this.collectAll((s) => s.queryRange(keyFrom, keyTo, from, to));
    return backward ? rows.reverse() : rows;
  }
}

/** QueryableStoreTypes.sessionStore(). */
export class ReadOnlySessionView<K, V> extends StoreView<InternalSessionStore<K, V>> {
  /** Every session of `key`, by end then start. */
  fetch(key: K): Array<KeyValue<Windowed<K>, V>>;
  /** Every session of the keys in [keyFrom, keyTo] (null: unbounded). */
  fetch(keyFrom: K | null, keyTo: K | null): Promise<Array<KeyValue<Windowed<K>, V>>>;
  fetch(a: K | null, b?: K | null): Array<KeyValue<Windowed<K>, V>> | Promise<Array<KeyValue<Windowed<K>, V>>> {
    if (b !== undefined) return this.collectAll((s) => s.queryRange(a, b));
    return this.firstNonEmpty((s) => s.fetch(a as K));
  }

  backwardFetch(key: K): Array<KeyValue<Windowed<K>, V>>;
  backwardFetch(keyFrom: K | null, keyTo: K | null): Promise<Array<KeyValue<Windowed<K>, V>>>;
  backwardFetch(a: K | null, b?: K | null): Array<KeyValue<Windowed<K>, V>> | Promise<Array<KeyValue<Windowed<K>, V>>> {
    if (b !== undefined) return this.collectAll((s) => s.queryRange(a, b)).then((rows) => rows.reverse());
    return this.fetch(a as K).reverse();
  }

  /** Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: TimeBound, latestSessionStartTime: TimeBound): Array<KeyValue<Windowed<K>, V>> {
    return this.firstNonEmpty((s) => s.findSessions(key, ms(earliestSessionEndTime), ms(latestSessionStartTime)));
  }

  backwardFindSessions(key: K, earliestSessionEndTime: TimeBound, latestSessionStartTime: TimeBound): Array<KeyValue<Windowed<K>, V>> {
    return this.findSessions(key, earliestSessionEndTime, latestSessionStartTime).reverse();
  }

  /** The aggregate of `key`'s session [start, end], or null. */
  fetchSession(key: K, sessionStartTime: TimeBound, sessionEndTime: TimeBound): V | null {
    return this.first((s) => s.fetchSession(key, ms(sessionStartTime), ms(sessionEndTime)));
  }
}
