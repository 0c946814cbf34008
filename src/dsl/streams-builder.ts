import type { StoreBuilder } from '../state/managed-store.js';
import { Topology } from '../topology/topology.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { Consumed, Materialized } from './options.js';
import { TableSourceProcessor } from './processors/ktable.js';
import { TableProcessorConfig } from './processors/support.js';

function pad(index: number): string {
  return String(index).padStart(10, '0');
}

/**
 * Entry point of the DSL (Kafka Streams' StreamsBuilder). Operators name their processors and
 * stores with a shared counter, as Kafka Streams does, so that generated names (and internal
 * topic names) match.
 */
export class StreamsBuilder {
  /** @internal */ readonly topology = new Topology();
  private index = 0;

  /** @internal */
  newProcessorName(prefix: string): string {
    return prefix + pad(this.index++);
  }

  /** @internal */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${pad(this.index++)}`;
  }

  stream<K = string, V = string>(topics: string | readonly string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const generated = this.newProcessorName('KSTREAM-SOURCE-');
    const name = consumed?.processorName ?? generated;
    this.topology.addSource(name, topics, {
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetReset,
    });
    return new KStream<K, V>(this, name, consumed?.keySerde, consumed?.valueSerde, false);
  }

  table<K = string, V = string>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const storeName = materialized?.storeName ?? this.newStoreName(`${topic}-`);
    const generatedSource = this.newProcessorName('KSTREAM-SOURCE-');
    const generatedTable = this.newProcessorName('KTABLE-SOURCE-');
    const sourceName = consumed?.processorName !== undefined ? `${consumed.processorName}-source` : generatedSource;
    const tableName = consumed?.processorName ?? generatedTable;
    const keySerde = materialized?.keySerde ?? consumed?.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    this.topology.addSource(sourceName, topic, {
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetReset,
    });
    const config = new TableProcessorConfig();
    this.topology.addProcessor(tableName, () => new TableSourceProcessor(config), sourceName);
    const table = new KTable<K, V>(this, tableName, keySerde, valueSerde, config, {
      kind: 'source',
      storeName,
      materialized: materialized ?? Materialized.with(keySerde, valueSerde),
    });
    if (materialized?.storeName !== undefined) table.materialize();
    return table;
  }

  /** Adds a store that processors added with process()/processValues() can name. */
  addStateStore(builder: StoreBuilder): this {
    this.topology.addStateStore(builder);
    return this;
  }

  /** Finishes the topology. */
  build(): Topology {
    this.topology.validate();
    return this.topology;
  }
}
