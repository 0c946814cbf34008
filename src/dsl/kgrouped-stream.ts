import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { StreamsBuilder } from './streams-builder.js';
import { KTable } from './ktable.js';
import { Materialized, Named } from './options.js';
import { type Aggregator, type Initializer, type Reducer, StreamAggregateProcessor, reduceAsAggregator } from './processors/aggregate.js';
import { TableProcessorConfig } from './processors/support.js';
import { internalSerde, keyValueStoreFor } from './stores.js';
import { repartitionThrough } from './repartition.js';
import { SessionWindows, type SlidingWindows, type TimeWindows } from './windows.js';
import { SessionWindowedKStream, TimeWindowedKStream } from './windowed-kstream.js';

/** A stream grouped by key, ready to aggregate (Kafka Streams' KGroupedStream). */
export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: StreamsBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal */ readonly repartitionRequired: boolean,
    /** @internal */ readonly groupedName: string | undefined,
  ) {}

  private repartitionSources = new Map<string, string>();

  /** @internal The node aggregations attach to: the repartition source when one is needed. */
  sourceFor(storeName: string): string {
    if (!this.repartitionRequired) return this.nodeName;
    const prefix = this.groupedName ?? storeName;
    const existing = this.repartitionSources.get(prefix);
    if (existing !== undefined) return existing;
    const source = repartitionThrough(this.builder, this.nodeName, prefix, internalSerde(this.keySerde), internalSerde(this.valueSerde), {});
    this.repartitionSources.set(prefix, source);
    return source;
  }

  private build<VA>(
    processorPrefix: string,
    storePrefix: string,
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA> | null,
    aggregator: Aggregator<K, V, VA>,
  ): KTable<K, VA> {
    const storeName = materialized?.storeName ?? this.builder.newStoreName(storePrefix);
    const generated = this.builder.newProcessorName(processorPrefix);
    const name = named?.name ?? generated;
    const source = this.sourceFor(storeName);
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const vSerde = materialized?.valueSerde ?? valueSerde;
    const store = keyValueStoreFor(storeName, materialized, keySerde, vSerde);
    const config = new TableProcessorConfig();
    config.storeName = storeName;
    this.builder.topology.addProcessor(name, () => new StreamAggregateProcessor(storeName, config, initializer, aggregator), source);
    this.builder.topology.addStateStore(store, name);
    return new KTable<K, VA>(this.builder, name, keySerde, vSerde, config, { kind: 'materialized', storeName });
  }

  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    const [n, m] = splitArgs(named, materialized);
    // Kafka Streams burns an extra index for a nameless Materialized here (kept for compatible names).
    if (m !== undefined && m.storeName === undefined) this.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>('KSTREAM-AGGREGATE-', 'KSTREAM-AGGREGATE-', n, m, Serdes.Long(), () => 0, (_k, _v, agg) => agg + 1);
  }

  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<V>('KSTREAM-REDUCE-', 'KSTREAM-REDUCE-', n, m, this.valueSerde, null, reduceAsAggregator(reducer));
  }

  /** Windows the grouped stream: tumbling/hopping/sliding time windows, or sessions. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream<K, V>(this, windows);
    return new TimeWindowedKStream<K, V>(this, windows);
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<VA>('KSTREAM-AGGREGATE-', 'KSTREAM-AGGREGATE-', n, m, undefined, initializer, aggregator);
  }
}

export function splitArgs<T>(a: Named | T | undefined, b: T | undefined): [Named | undefined, T | undefined] {
  if (a instanceof Named) return [a, b];
  return [undefined, (a as T | undefined) ?? b];
}
