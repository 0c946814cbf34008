import type { Serde } from '../serde/serde.js';
import { KeyValueStoreBuilder } from './key-value-store.js';
import { SessionStoreBuilder } from './session-store.js';
import { WindowStoreBuilder } from './window-store.js';
import { IllegalArgumentError } from '../common/errors.js';

/** Names a kind of key-value store; turned into a builder with serdes by keyValueStoreBuilder(). */
export interface KeyValueStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
}

/** Names a kind of window store (Kafka Streams' WindowBytesStoreSupplier). */
export interface WindowStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
}

/** Names a kind of session store (Kafka Streams' SessionBytesStoreSupplier). */
export interface SessionStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
}

function windowSupplier(name: string, persistent: boolean, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowStoreSupplier {
  if (!(retentionMs >= 0)) throw new IllegalArgumentError('retentionPeriod cannot be negative');
  if (!(windowSizeMs >= 0)) throw new IllegalArgumentError('windowSize cannot be negative');
  if (windowSizeMs > retentionMs) {
    throw new IllegalArgumentError(
      `The retention period of the window store ${name} must be no smaller than its window size. Got size=[${windowSizeMs}], retention=[${retentionMs}]`,
    );
  }
  return { name, persistent, retentionMs, windowSizeMs, retainDuplicates };
}

function sessionSupplier(name: string, persistent: boolean, retentionMs: number): SessionStoreSupplier {
  if (!(retentionMs >= 0)) throw new IllegalArgumentError('retentionPeriod cannot be negative');
  return { name, persistent, retentionMs };
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

  /** A window store on LevelDB, segmented by time (expired segments are range-deleted). */
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowStoreSupplier {
    return windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates);
  },
  persistentTimestampedWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowStoreSupplier {
    return windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates);
  },
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowStoreSupplier {
    return windowSupplier(name, false, retentionMs, windowSizeMs, retainDuplicates);
  },
  /** Plain window store (values without timestamps); logging on, caching off by default. */
  windowStoreBuilder<K, V>(supplier: WindowStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier.name, supplier.persistent, supplier.retentionMs, supplier.windowSizeMs, supplier.retainDuplicates, keySerde, valueSerde, false);
  },
  /** Window store whose values carry the timestamp of their last update. */
  timestampedWindowStoreBuilder<K, V>(supplier: WindowStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier.name, supplier.persistent, supplier.retentionMs, supplier.windowSizeMs, supplier.retainDuplicates, keySerde, valueSerde, true);
  },

  /** A session store on LevelDB, segmented by session end. */
  persistentSessionStore(name: string, retentionMs: number): SessionStoreSupplier {
    return sessionSupplier(name, true, retentionMs);
  },
  inMemorySessionStore(name: string, retentionMs: number): SessionStoreSupplier {
    return sessionSupplier(name, false, retentionMs);
  },
  sessionStoreBuilder<K, V>(supplier: SessionStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): SessionStoreBuilder<K, V> {
    return new SessionStoreBuilder(supplier.name, supplier.persistent, supplier.retentionMs, keySerde, valueSerde);
  },
};
