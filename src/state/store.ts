import type { StateStore } from '../processor/state-store.js';

/** A key and a value, as Map entries are: `[key, value]`. */
export type KeyValue<K, V> = readonly [K, V];

export const KeyValue = {
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return [key, value];
  },
};

export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export function valueAndTimestamp<V>(value: V, timestamp: number): ValueAndTimestamp<V> {
  return { value, timestamp };
}

/** Every store interface extends the Processor API's StateStore (it lives there, as in Kafka Streams). */
export type { StateStore };

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null;
  /**
   * Ordered scans (by serialized key bytes, as Kafka Streams). Synchronous scans are offered by
   * in-memory stores; persistent (LevelDB) stores answer them through the *Async variants, which
   * may be used from async punctuators and interactive queries.
   */
  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  all(): Iterable<KeyValue<K, V>>;
  reverseAll(): Iterable<KeyValue<K, V>>;
  prefixScan(prefix: K): Iterable<KeyValue<K, V>>;
  rangeAsync(from: K | null, to: K | null): AsyncIterable<KeyValue<K, V>>;
  allAsync(): AsyncIterable<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** A null value deletes the key. The entry's timestamp is the current record's timestamp. */
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V): V | null;
  putAll(entries: Iterable<KeyValue<K, V>>): void;
  delete(key: K): V | null;
}

/** A key-value store whose entries carry the timestamp of their last update (KTable stores). */
export interface TimestampedKeyValueStore<K, V> extends KeyValueStore<K, V> {
  getWithTimestamp(key: K): ValueAndTimestamp<V> | null;
  putWithTimestamp(key: K, value: V | null, timestamp: number): void;
}
