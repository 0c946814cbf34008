import type { Serde } from '../serde/serde.js';
import type { KeyValue } from '../state/store.js';
import type { StreamsBuilder } from './streams-builder.js';
import { KStream } from './kstream.js';
import { KGroupedTable } from './kgrouped-table.js';
import { Grouped, Materialized, Named } from './options.js';
import { TableFilterProcessor, TableMapValuesProcessor, TableRepartitionMapProcessor, TableToStreamProcessor } from './processors/ktable.js';
import type { ValueMapper } from './processors/stateless.js';
import { TableProcessorConfig } from './processors/support.js';
import { keyValueStoreFor } from './stores.js';
import { splitArgs } from './kgrouped-stream.js';

/**
 * Where a table's values can be looked up: a source table reserves a store that is attached
 * only when needed; aggregations are always materialized; stateless table operators ask their parent.
 * @internal
 */
export type TableOrigin =
  | { kind: 'source'; storeName: string; materialized: Materialized<any, any> }
  | { kind: 'materialized'; storeName: string }
  | { kind: 'derived'; parent: KTable<any, any>; storeName: string | null };

/** A changelog stream seen as a table (Kafka Streams' KTable). */
export class KTable<K, V> {
  private materializedStore: string | null;

  /** @internal */
  constructor(
    /** @internal */ readonly builder: StreamsBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal */ readonly config: TableProcessorConfig,
    /** @internal */ readonly origin: TableOrigin,
  ) {
    this.materializedStore = origin.kind === 'materialized' ? origin.storeName : origin.kind === 'derived' ? origin.storeName : null;
  }

  /** @internal The name of the store holding this table's values, if it has one. */
  get queryableStoreName(): string | null {
    return this.materializedStore;
  }

  /** @internal Attaches the reserved store of a source table. */
  materialize(): string {
    if (this.materializedStore !== null) return this.materializedStore;
    if (this.origin.kind !== 'source') throw new Error(`table '${this.nodeName}' cannot be materialized here`);
    const { storeName, materialized } = this.origin;
    const store = keyValueStoreFor(storeName, materialized, this.keySerde, this.valueSerde);
    this.builder.topology.addStateStore(store, this.nodeName);
    this.config.storeName = storeName;
    this.materializedStore = storeName;
    return storeName;
  }

  /**
   * @internal Asks this table to send old values with its updates (needed by groupBy, joins...).
   * Returns false when it cannot without materializing and `force` is false.
   */
  enableSendingOldValues(force: boolean): boolean {
    switch (this.origin.kind) {
      case 'materialized':
        this.config.sendOldValues = true;
        return true;
      case 'source':
        if (this.materializedStore === null) {
          if (!force) return false;
          this.materialize();
        }
        this.config.sendOldValues = true;
        return true;
      case 'derived':
        if (this.materializedStore !== null) {
          this.config.sendOldValues = true;
          return true;
        }
        if (this.origin.parent.enableSendingOldValues(force)) this.config.sendOldValues = true;
        return this.config.sendOldValues;
    }
  }

  private derive<VR>(
    prefix: string,
    named: Named | undefined,
    materialized: Materialized<K, VR> | undefined,
    valueSerde: Serde<VR> | undefined,
    supplier: (config: TableProcessorConfig) => () => any,
  ): KTable<K, VR> {
    // A nameless Materialized burns a store index in Kafka Streams without materializing.
    let storeName: string | null = null;
    if (materialized !== undefined) {
      storeName = materialized.storeName ?? null;
      if (storeName === null) this.builder.newStoreName(prefix);
    }
    const generated = this.builder.newProcessorName(prefix);
    const name = named?.name ?? generated;
    const config = new TableProcessorConfig();
    config.storeName = storeName;
    this.builder.topology.addProcessor(name, supplier(config), this.nodeName);
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const vSerde = materialized?.valueSerde ?? valueSerde;
    if (storeName !== null) {
      this.builder.topology.addStateStore(keyValueStoreFor(storeName, materialized, keySerde, vSerde), name);
    }
    return new KTable<K, VR>(this.builder, name, keySerde, vSerde, config, { kind: 'derived', parent: this, storeName });
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.filterImpl(predicate, false, named, materialized);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.filterImpl(predicate, true, named, materialized);
  }

  private filterImpl(
    predicate: (key: K, value: V) => boolean,
    negate: boolean,
    namedArg: Named | Materialized<K, V> | undefined,
    materializedArg: Materialized<K, V> | undefined,
  ): KTable<K, V> {
    const [named, materialized] = splitArgs(namedArg, materializedArg);
    const table = this.derive<V>('KTABLE-FILTER-', named, materialized, this.valueSerde, (config) => () => new TableFilterProcessor(config, predicate, negate));
    // A filter sends old values whenever its parent can without materializing (avoids spurious tombstones).
    if (this.enableSendingOldValues(false)) table.config.sendOldValues = true;
    return table;
  }

  /** Maps each value (never called with a deleted value): `(value, key) => ...`. */
  mapValues<VR>(mapper: ValueMapper<K, V, VR>, namedArg?: Named | Materialized<K, VR>, materializedArg?: Materialized<K, VR>): KTable<K, VR> {
    const [named, materialized] = splitArgs(namedArg, materializedArg);
    return this.derive<VR>('KTABLE-MAPVALUES-', named, materialized, undefined, (config) => () => new TableMapValuesProcessor(config, mapper));
  }

  /** The table's updates as a stream; deletes become records with a null value. */
  toStream(named?: Named): KStream<K, V> {
    const generated = this.builder.newProcessorName('KTABLE-TOSTREAM-');
    const name = named?.name ?? generated;
    this.builder.topology.addProcessor(name, () => new TableToStreamProcessor(), this.nodeName);
    return new KStream<K, V>(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  /** Re-groups the table by a new key; aggregations then need an adder and a subtractor. */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    const generated = this.builder.newProcessorName('KTABLE-SELECT-');
    const name = grouped?.name ?? generated;
    this.enableSendingOldValues(true);
    this.builder.topology.addProcessor(name, () => new TableRepartitionMapProcessor(selector), this.nodeName);
    return new KGroupedTable<KR, VR>(this.builder, name, grouped?.keySerde, grouped?.valueSerde, grouped?.name);
  }
}
