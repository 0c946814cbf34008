import type { Serde } from '../serde/serde.js';
import { KeyValueStoreBuilder } from './key-value-store.js';

/** Names a kind of key-value store; turned into a builder with serdes by keyValueStoreBuilder(). */
export interface KeyValueStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
}

/** Factory of state stores for the Processor API (Kafka Streams' Stores). */
export const Stores = {
  /** A key-value store on LevelDB. */
  persistentKeyValueStore(name: string): KeyValueStoreSupplier {
    return { name, persistent: true };
  },
  persistentTimestampedKeyValueStore(name: string): KeyValueStoreSupplier {
    return { name, persistent: true };
  },
  inMemoryKeyValueStore(name: string): KeyValueStoreSupplier {
    return { name, persistent: false };
  },
  /** Logging is on and caching off by default, as in Kafka Streams. */
  keyValueStoreBuilder<K, V>(supplier: KeyValueStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier.name, supplier.persistent, keySerde, valueSerde);
  },
  timestampedKeyValueStoreBuilder<K, V>(supplier: KeyValueStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier.name, supplier.persistent, keySerde, valueSerde);
  },
};
