import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { StreamsBuilder } from './streams-builder.js';
import { KTable } from './ktable.js';
import { Materialized, Named } from './options.js';
import { TableAggregateProcessor } from './processors/ktable.js';
import { TableProcessorConfig } from './processors/support.js';
import { ChangeSerde } from './change.js';
import { internalSerde, keyValueStoreFor } from './stores.js';
import { splitArgs } from './kgrouped-stream.js';

/** A table re-grouped by a new key (Kafka Streams' KGroupedTable). */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: StreamsBuilder,
    private readonly nodeName: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly groupedName: string | undefined,
  ) {}

  private build<VA>(
    processorPrefix: string,
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    aggValueSerde: Serde<VA> | undefined,
    initializer: (() => VA) | null,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
  ): KTable<K, VA> {
    const storeName = materialized?.storeName ?? this.builder.newStoreName('KTABLE-AGGREGATE-');
    const genSink = this.builder.newProcessorName('KSTREAM-SINK-');
    const genSource = this.builder.newProcessorName('KSTREAM-SOURCE-');
    const genProcessor = this.builder.newProcessorName(processorPrefix);
    const sinkName = named !== undefined ? `${named.name}-sink` : genSink;
    const sourceName = named !== undefined ? `${named.name}-source` : genSource;
    const name = named?.name ?? genProcessor;
    const topic = `${this.groupedName ?? storeName}-repartition`;
    const keySerde = internalSerde(this.keySerde);
    const changeSerde = new ChangeSerde(internalSerde(this.valueSerde));
    const t = this.builder.topology;
    t.addSink(sinkName, topic, { keySerde, valueSerde: changeSerde }, this.nodeName);
    t.addInternalTopic({ name: topic, kind: 'repartition' });
    t.addSource(sourceName, topic, { keySerde, valueSerde: changeSerde });
    const config = new TableProcessorConfig();
    config.storeName = storeName;
    t.addProcessor(name, () => new TableAggregateProcessor(storeName, config, initializer, adder, subtractor), sourceName);
    const aggKeySerde = materialized?.keySerde ?? this.keySerde;
    const vSerde = materialized?.valueSerde ?? aggValueSerde;
    t.addStateStore(keyValueStoreFor(storeName, materialized, aggKeySerde, vSerde), name);
    return new KTable<K, VA>(this.builder, name, aggKeySerde, vSerde, config, { kind: 'materialized', storeName });
  }

  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<number>('KTABLE-AGGREGATE-', n, m, Serdes.Long(), () => 0, (_k, _v, agg) => agg + 1, (_k, _v, agg) => agg - 1);
  }

  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<V>(
      'KTABLE-REDUCE-',
      n,
      m,
      this.valueSerde,
      null,
      (_k, v, agg) => adder(agg, v),
      (_k, v, agg) => subtractor(agg, v),
    );
  }

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<VA>('KTABLE-AGGREGATE-', n, m, undefined, initializer, adder, subtractor);
  }
}
