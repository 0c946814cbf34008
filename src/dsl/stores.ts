import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { KeyValueStoreBuilder } from '../state/key-value-store.js';
import type { Materialized } from './options.js';

/**
 * Serde for internal topics and stores when the DSL does not know the type (after a map, an
 * aggregation to a new type...): msgpack round-trips any JS value.
 */
export function internalSerde<T>(serde: Serde<T> | undefined): Serde<T> {
  return serde ?? Serdes.Msgpack<T>();
}

/** A key-value store builder for a DSL operator from its Materialized settings. */
export function keyValueStoreFor<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KeyValueStoreBuilder<K, V> {
  const b = new KeyValueStoreBuilder<K, V>(
    storeName,
    materialized?.storeType !== 'in-memory',
    internalSerde(materialized?.keySerde ?? keySerde),
    internalSerde(materialized?.valueSerde ?? valueSerde),
  );
  if (materialized?.cachingEnabled ?? true) b.withCachingEnabled();
  else b.withCachingDisabled();
  if (materialized?.loggingEnabled ?? true) b.withLoggingEnabled({ ...(materialized?.logConfig ?? {}) });
  else b.withLoggingDisabled();
  return b;
}
