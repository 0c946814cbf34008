import type { Serde } from '../serde/serde.js';
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../processor/api.js';
import type { KeyValue } from '../state/store.js';
import type { TopicNameExtractor } from '../topology/nodes.js';
import type { StreamsBuilder } from './streams-builder.js';
import { BranchedKStream } from './branched.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { Grouped, Materialized, Named, Produced, Repartitioned } from './options.js';
import {
  FilterProcessor,
  FlatMapProcessor,
  FlatMapValuesProcessor,
  ForeachProcessor,
  MapProcessor,
  MapValuesProcessor,
  PassThroughProcessor,
  PeekProcessor,
  SelectKeyProcessor,
  type ValueMapper,
} from './processors/stateless.js';
import { TableSourceProcessor } from './processors/ktable.js';
import { TableProcessorConfig } from './processors/support.js';
import { internalSerde } from './stores.js';
import { repartitionThrough } from './repartition.js';
import type { JoinWindows } from './windows.js';
import type { Joined, StreamJoined, ValueJoiner, ValueJoinerWithKey } from './join-options.js';
import { streamStreamJoin, streamTableJoin } from './joins.js';
import { windowedPartitioner } from './windowed-partitioner.js';

/**
 * A record stream (Kafka Streams' KStream). Key and value types flow through the generics, so a
 * mapper of the wrong type does not compile. Record functions take `(key, value)` as in Kafka
 * Streams; value mappers (mapValues, flatMapValues) take `(value, key)`.
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: StreamsBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal The key may have changed since the source: grouping or joining must repartition. */
    readonly repartitionRequired: boolean,
  ) {}

  private add<KR, VR>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<any, any, any, any>,
    keySerde: Serde<KR> | undefined,
    valueSerde: Serde<VR> | undefined,
    repartitionRequired: boolean,
  ): KStream<KR, VR> {
    const generated = this.builder.newProcessorName(prefix);
    const name = named?.name ?? generated;
    this.builder.topology.addProcessor(name, supplier, this.nodeName);
    return new KStream<KR, VR>(this.builder, name, keySerde, valueSerde, repartitionRequired);
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, () => new FilterProcessor(predicate, false), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, () => new FilterProcessor(predicate, true), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.add<KR, V>('KSTREAM-KEY-SELECT-', named, () => new SelectKeyProcessor(mapper), undefined, this.valueSerde, true);
  }

  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.add<KR, VR>('KSTREAM-MAP-', named, () => new MapProcessor(mapper), undefined, undefined, true);
  }

  /** Maps each value; the mapper gets the value and, if it wants it, the key: `(value, key) => ...`. */
  mapValues<VR>(mapper: ValueMapper<K, V, VR>, named?: Named): KStream<K, VR> {
    return this.add<K, VR>('KSTREAM-MAPVALUES-', named, () => new MapValuesProcessor(mapper), this.keySerde, undefined, this.repartitionRequired);
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.add<KR, VR>('KSTREAM-FLATMAP-', named, () => new FlatMapProcessor(mapper), undefined, undefined, true);
  }

  /** Maps each value to zero or more values: `(value, key) => iterable`. */
  flatMapValues<VR>(mapper: ValueMapper<K, V, Iterable<VR>>, named?: Named): KStream<K, VR> {
    return this.add<K, VR>('KSTREAM-FLATMAPVALUES-', named, () => new FlatMapValuesProcessor(mapper), this.keySerde, undefined, this.repartitionRequired);
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-PEEK-', named, () => new PeekProcessor(action), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.add('KSTREAM-FOREACH-', named, () => new ForeachProcessor(action), undefined, undefined, false);
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (other.builder !== this.builder) throw new Error('cannot merge streams of different builders');
    const generated = this.builder.newProcessorName('KSTREAM-MERGE-');
    const name = named?.name ?? generated;
    this.builder.topology.addProcessor(name, () => new PassThroughProcessor(), this.nodeName, other.nodeName);
    return new KStream<K, V>(
      this.builder,
      name,
      this.keySerde ?? other.keySerde,
      this.valueSerde ?? other.valueSerde,
      this.repartitionRequired || other.repartitionRequired,
    );
  }

  /** Splits the stream into branches by predicates (first match wins). */
  split(named?: Named): BranchedKStream<K, V> {
    const generated = this.builder.newProcessorName('KSTREAM-BRANCH-');
    return new BranchedKStream(this, named?.name ?? generated);
  }

  /** Writes through a repartition topic so that records are partitioned by their current key. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const name = repartitioned?.name ?? this.builder.newProcessorName('KSTREAM-REPARTITION-');
    const keySerde = repartitioned?.keySerde ?? this.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? this.valueSerde;
    const source = repartitionThrough(this.builder, this.nodeName, name, internalSerde(keySerde), internalSerde(valueSerde), {
      partitions: repartitioned?.numberOfPartitions,
      partitioner: repartitioned?.partitioner,
    });
    return new KStream<K, V>(this.builder, source, keySerde, valueSerde, false);
  }

  /** Writes the stream to a topic, or to the topic a function picks per record. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    const generated = this.builder.newProcessorName('KSTREAM-SINK-');
    const name = produced?.processorName ?? generated;
    this.builder.topology.addSink(
      name,
      topic,
      {
        keySerde: produced?.keySerde ?? this.keySerde,
        valueSerde: produced?.valueSerde ?? this.valueSerde,
        // Windowed keys are partitioned by their inner key only (Kafka Streams' WindowedStreamPartitioner).
        partitioner: produced?.partitioner ?? windowedPartitioner(produced?.keySerde ?? this.keySerde),
      },
      this.nodeName,
    );
  }

  /**
   * Inner join. With another stream: records whose timestamps are within the JoinWindows of each
   * other (output timestamp = the larger one). With a table: each stream record looks its key up in
   * the table (output timestamp = the stream record's); table updates alone emit nothing.
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoinerWithKey<K, V, VO, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoinerWithKey<K, V, VT, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join(other: KStream<K, any> | KTable<K, any>, joiner: any, third?: any, fourth?: any): KStream<K, any> {
    if (other instanceof KTable) return streamTableJoin(this, other, joiner, third as Joined<K, V, any> | undefined, false);
    return streamStreamJoin(this, other, joiner, requireWindows(third), fourth as StreamJoined<K, V, any> | undefined, 'inner');
  }

  /**
   * Left join: like join, and a record without a partner comes out joined with null — for a
   * stream-stream join once its window closed (stream time passed t + after + grace).
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoinerWithKey<K, V, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoinerWithKey<K, V, VT | null, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin(other: KStream<K, any> | KTable<K, any>, joiner: any, third?: any, fourth?: any): KStream<K, any> {
    if (other instanceof KTable) return streamTableJoin(this, other, joiner, third as Joined<K, V, any> | undefined, true);
    return streamStreamJoin(this, other, joiner, requireWindows(third), fourth as StreamJoined<K, V, any> | undefined, 'left');
  }

  /** Outer join of two streams: unmatched records of either side come out joined with null once their window closed. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoinerWithKey<K, V | null, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  outerJoin(other: KStream<K, any>, joiner: any, windows: JoinWindows, streamJoined?: StreamJoined<K, V, any>): KStream<K, any> {
    return streamStreamJoin(this, other, joiner, requireWindows(windows), streamJoined, 'outer');
  }

  /** Turns the stream into a table: each record is an upsert, a null value a delete. */
  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    const generated = this.builder.newProcessorName('KSTREAM-TOTABLE-');
    const name = named?.name ?? generated;
    const storeName = materialized?.storeName ?? this.builder.newStoreName('KSTREAM-TOTABLE-');
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const valueSerde = materialized?.valueSerde ?? this.valueSerde;
    let parent = this.nodeName;
    if (this.repartitionRequired) {
      parent = repartitionThrough(this.builder, this.nodeName, name, internalSerde(keySerde), internalSerde(valueSerde), {});
    }
    const config = new TableProcessorConfig();
    this.builder.topology.addProcessor(name, () => new TableSourceProcessor(config), parent);
    const table = new KTable<K, V>(this.builder, name, keySerde, valueSerde, config, {
      kind: 'source',
      storeName,
      materialized: materialized ?? Materialized.with(keySerde, valueSerde),
    });
    if (materialized?.storeName !== undefined) table.materialize();
    return table;
  }

  /** Groups by the current key (repartitioning first if the key changed upstream). */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(
      this.builder,
      this.nodeName,
      grouped?.keySerde ?? this.keySerde,
      grouped?.valueSerde ?? this.valueSerde,
      this.repartitionRequired,
      grouped?.name,
    );
  }

  /** Groups by a new key; always repartitions. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const generated = this.builder.newProcessorName('KSTREAM-KEY-SELECT-');
    const name = grouped?.name ?? generated;
    this.builder.topology.addProcessor(name, () => new SelectKeyProcessor(selector), this.nodeName);
    return new KGroupedStream<KR, V>(this.builder, name, grouped?.keySerde, grouped?.valueSerde ?? this.valueSerde, true, grouped?.name);
  }

  /** Runs a user processor (Processor API); it may use the named state stores. */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...stores: Array<string | Named>): KStream<KOut, VOut> {
    const named = stores.find((s): s is Named => s instanceof Named);
    const name = named?.name ?? this.builder.newProcessorName('KSTREAM-PROCESSOR-');
    this.builder.topology.addProcessor(name, supplier, this.nodeName);
    const storeNames = stores.filter((s): s is string => typeof s === 'string');
    if (storeNames.length > 0) this.builder.topology.connectProcessorAndStateStores(name, ...storeNames);
    return new KStream<KOut, VOut>(this.builder, name, undefined, undefined, true);
  }

  /** Runs a user processor that may change values but not keys. */
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, ...stores: Array<string | Named>): KStream<K, VOut> {
    const named = stores.find((s): s is Named => s instanceof Named);
    const name = named?.name ?? this.builder.newProcessorName('KSTREAM-PROCESSVALUES-');
    this.builder.topology.addProcessor(name, supplier as unknown as ProcessorSupplier<K, V, K, VOut>, this.nodeName);
    const storeNames = stores.filter((s): s is string => typeof s === 'string');
    if (storeNames.length > 0) this.builder.topology.connectProcessorAndStateStores(name, ...storeNames);
    return new KStream<K, VOut>(this.builder, name, this.keySerde, undefined, this.repartitionRequired);
  }
}

function requireWindows(windows: unknown): JoinWindows {
  if (windows === undefined || windows === null || typeof (windows as JoinWindows).size !== 'function') {
    throw new TypeError('a stream-stream join needs JoinWindows (e.g. JoinWindows.ofTimeDifferenceWithNoGrace(ms))');
  }
  return windows as JoinWindows;
}
