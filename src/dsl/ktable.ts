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
import type { ValueJoiner, ValueJoinerWithKey } from './join-options.js';
import { tableTableJoin } from './joins.js';
import type { Suppressed } from './suppressed.js';
import { suppressTable } from './suppress.js';
import { type ValueGetterSupplier, filterValueGetter, mapValuesValueGetter } from './value-getter.js';

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
  /** @internal Window grace (+ gap for sessions) of a windowed aggregation result: what suppress(untilWindowCloses) waits for; null when not windowed. */
  windowCloseMs: number | null = null;
  /** @internal How a join reads this table by key when no store of its own holds the values (filter, mapValues, join results). */
  valueGetterOverride: ValueGetterSupplier<K, V> | null = null;
  /** @internal Replaces the default old-values plumbing (join results enable it on both inputs). */
  sendOldValuesOverride: ((force: boolean) => boolean) | null = null;

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
    if (this.sendOldValuesOverride !== null) return this.sendOldValuesOverride(force);
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
    table.valueGetterOverride = filterValueGetter(this, predicate, negate);
    // A filter sends old values whenever its parent can without materializing (avoids spurious tombstones).
    if (this.enableSendingOldValues(false)) table.config.sendOldValues = true;
    return table;
  }

  /** Maps each value (never called with a deleted value): `(value, key) => ...`. */
  mapValues<VR>(mapper: ValueMapper<K, V, VR>, namedArg?: Named | Materialized<K, VR>, materializedArg?: Materialized<K, VR>): KTable<K, VR> {
    const [named, materialized] = splitArgs(namedArg, materializedArg);
    const table = this.derive<VR>('KTABLE-MAPVALUES-', named, materialized, undefined, (config) => () => new TableMapValuesProcessor(config, mapper));
    table.valueGetterOverride = mapValuesValueGetter(this, mapper);
    return table;
  }

  /** The table's updates as a stream; deletes become records with a null value. */
  toStream(named?: Named): KStream<K, V> {
    const generated = this.builder.newProcessorName('KTABLE-TOSTREAM-');
    const name = named?.name ?? generated;
    this.builder.topology.addProcessor(name, () => new TableToStreamProcessor(), this.nodeName);
    return new KStream<K, V>(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  /**
   * Holds updates back (Kafka Streams' KTable.suppress): `Suppressed.untilWindowCloses` emits one
   * final result per window once it closed; `untilTimeLimit` the latest update of a key after a
   * quiet period of stream time.
   */
  suppress(suppressed: Suppressed<K>): KTable<K, V> {
    return suppressTable(this, suppressed);
  }

  /** Inner join with another table: an update on either side emits; deletes retract. */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR>, named?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoinerWithKey<K, V, VO, VR>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join(other: KTable<K, any>, joiner: any, named?: Named | Materialized<K, any>, materialized?: Materialized<K, any>): KTable<K, any> {
    const [n, m] = splitArgs(named, materialized);
    return tableTableJoin(this, other, joiner, n, m, 'inner');
  }

  /** Left join with another table: every key of this table, joined with null when the other has none. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoinerWithKey<K, V, VO | null, VR>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin(other: KTable<K, any>, joiner: any, named?: Named | Materialized<K, any>, materialized?: Materialized<K, any>): KTable<K, any> {
    const [n, m] = splitArgs(named, materialized);
    return tableTableJoin(this, other, joiner, n, m, 'left');
  }

  /** Outer join with another table: every key of either table, the missing side null. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoinerWithKey<K, V | null, VO | null, VR>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  outerJoin(other: KTable<K, any>, joiner: any, named?: Named | Materialized<K, any>, materialized?: Materialized<K, any>): KTable<K, any> {
    const [n, m] = splitArgs(named, materialized);
    return tableTableJoin(this, other, joiner, n, m, 'outer');
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
