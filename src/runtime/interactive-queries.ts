/**
 * Interactive queries (Kafka Streams' `KafkaStreams#store`): which store to query and how, and the
 * errors a query gets while the store cannot be read here.
 */
import type { StateStore } from '../state/store.js';
import {
  ReadOnlyKeyValueView,
  ReadOnlySessionView,
  ReadOnlyWindowView,
  TimestampedKeyValueView,
} from './query-views.js';

export { InvalidStateStoreException, UnknownStateStoreException, StreamsNotStartedException } from './store-exceptions.js';

/** What a query view asks of the running application on every call. */
export interface QueryableStoreProvider {
  /** The store in each local task that may be queried now; throws InvalidStateStoreException otherwise. */
  stores(): StateStore[];
  /** Whether a store handed out by stores() is still open for queries on this instance. */
  serving(store: StateStore): boolean;
  /** Runs reads that must not fill (and so evict and flush) the record cache. */
  read<T>(fn: () => T): T;
  readonly storeName: string;
}

/** A kind of store a query may ask for (Kafka Streams' QueryableStoreType). */
export interface QueryableStoreType<T> {
  readonly description: string;
  /** The kind of store (StoreBuilder.kind) it reads. */
  readonly storeKind: 'keyValue' | 'window' | 'session';
  create(provider: QueryableStoreProvider): T;
}

export const QueryableStoreTypes = {
  /** Key-value stores (a KTable's store, a count or aggregation): values only. */
  keyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueView<K, V>> {
    return {
      description: 'keyValueStore',
      storeKind: 'keyValue',
      create: (p) => new ReadOnlyKeyValueView<K, V>(p),
    };
  },
  /** Key-value stores, values with the timestamp of their last update. */
  timestampedKeyValueStore<K, V>(): QueryableStoreType<TimestampedKeyValueView<K, V>> {
    return {
      description: 'timestampedKeyValueStore',
      storeKind: 'keyValue',
      create: (p) => new TimestampedKeyValueView<K, V>(p),
    };
  },
  /** Window stores (windowed aggregations). */
  windowStore<K, V>(): QueryableStoreType<ReadOnlyWindowView<K, V>> {
    return {
      description: 'windowStore',
      storeKind: 'window',
      create: (p) => new ReadOnlyWindowView<K, V>(p),
    };
  },
  /** Session stores (session-windowed aggregations). */
  sessionStore<K, V>(): QueryableStoreType<ReadOnlySessionView<K, V>> {
    return {
      description: 'sessionStore',
      storeKind: 'session',
      create: (p) => new ReadOnlySessionView<K, V>(p),
    };
  },
} as const;

/** Which store to query, of which type, and how (Kafka Streams' StoreQueryParameters). */
export class StoreQueryParameters<T> {
  private constructor(
    readonly storeName: string,
    readonly queryableStoreType: QueryableStoreType<T>,
    /** Only this partition's store, or null for every local one. */
    readonly partition: number | null,
    /** Also serve stores that are being restored (values may be behind). */
    readonly staleStoresEnabled: boolean,
  ) {}

  static fromNameAndType<T>(storeName: string, queryableStoreType: QueryableStoreType<T>): StoreQueryParameters<T> {
    return new StoreQueryParameters(storeName, queryableStoreType, null, false);
  }

  withPartition(partition: number): StoreQueryParameters<T> {
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, partition, this.staleStoresEnabled);
  }

  enableStaleStores(): StoreQueryParameters<T> {
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, this.partition, true);
  }
}
