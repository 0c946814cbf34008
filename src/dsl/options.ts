import type { Serde } from '../serde/serde.js';
import type { OffsetReset, StreamPartitioner, TimestampExtractor } from '../topology/nodes.js';

/** How a topic is read (Kafka Streams' Consumed). */
export class Consumed<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly timestampExtractor?: TimestampExtractor,
    readonly offsetReset?: OffsetReset,
    readonly processorName?: string,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde);
  }

  static as<K = string, V = string>(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, undefined, processorName);
  }

  withKeySerde<NK>(serde: Serde<NK>): Consumed<NK, V> {
    return new Consumed(serde, this.valueSerde, this.timestampExtractor, this.offsetReset, this.processorName);
  }

  withValueSerde<NV>(serde: Serde<NV>): Consumed<K, NV> {
    return new Consumed(this.keySerde, serde, this.timestampExtractor, this.offsetReset, this.processorName);
  }

  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.offsetReset, this.processorName);
  }

  withOffsetResetPolicy(policy: OffsetReset): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, policy, this.processorName);
  }

  withName(processorName: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, this.offsetReset, processorName);
  }
}

/** How records are written to a topic (Kafka Streams' Produced). */
export class Produced<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly partitioner?: StreamPartitioner<K, V>,
    readonly processorName?: string,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, partitioner);
  }

  static as<K, V>(processorName: string): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, undefined, processorName);
  }

  static keySerde<K, V = unknown>(serde: Serde<K>): Produced<K, V> {
    return new Produced<K, V>(serde);
  }

  static valueSerde<V, K = unknown>(serde: Serde<V>): Produced<K, V> {
    return new Produced<K, V>(undefined, serde);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.processorName);
  }

  withName(processorName: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, processorName);
  }
}

/** Serdes and name of the repartition topic a grouping may need (Kafka Streams' Grouped). */
export class Grouped<K, V> {
  private constructor(
    readonly name?: string,
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(undefined, keySerde, valueSerde);
  }

  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(name);
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(name, this.keySerde, this.valueSerde);
  }

  withKeySerde<NK>(serde: Serde<NK>): Grouped<NK, V> {
    return new Grouped(this.name, serde, this.valueSerde);
  }

  withValueSerde<NV>(serde: Serde<NV>): Grouped<K, NV> {
    return new Grouped(this.name, this.keySerde, serde);
  }
}

export type StoreType = 'rocksdb' | 'leveldb' | 'in-memory';

/** How a state store is made (Kafka Streams' Materialized). */
export class Materialized<K, V> {
  private constructor(
    readonly storeName?: string,
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
    readonly cachingEnabled = true,
    readonly storeType: 'persistent' | 'in-memory' = 'persistent',
    readonly retentionMs?: number,
  ) {}

  private copy(changes: Partial<Materialized<any, any>>): Materialized<any, any> {
    const m = Object.assign(Object.create(Materialized.prototype), this, changes);
    return m as Materialized<any, any>;
  }

  static as<K, V>(storeName: string): Materialized<K, V>;
  static as<K, V>(storeType: StoreType): Materialized<K, V>;
  static as<K, V>(nameOrType: string): Materialized<K, V> {
    if (nameOrType === 'in-memory') return new Materialized<K, V>(undefined, undefined, undefined, true, {}, true, 'in-memory');
    if (nameOrType === 'rocksdb' || nameOrType === 'leveldb') return new Materialized<K, V>();
    return new Materialized<K, V>(nameOrType);
  }

  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Materialized<K, V> {
    return new Materialized(undefined, keySerde, valueSerde);
  }

  withKeySerde<NK>(serde: Serde<NK>): Materialized<NK, V> {
    return this.copy({ keySerde: serde });
  }

  withValueSerde<NV>(serde: Serde<NV>): Materialized<K, NV> {
    return this.copy({ valueSerde: serde });
  }

  withLoggingEnabled(config: Record<string, string> = {}): Materialized<K, V> {
    return this.copy({ loggingEnabled: true, logConfig: config });
  }

  withLoggingDisabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: false });
  }

  withCachingEnabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: true });
  }

  withCachingDisabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: false });
  }

  withStoreType(type: StoreType): Materialized<K, V> {
    return this.copy({ storeType: type === 'in-memory' ? 'in-memory' : 'persistent' });
  }

  withRetention(retentionMs: number): Materialized<K, V> {
    return this.copy({ retentionMs });
  }
}

/** A name for the processor an operation adds (Kafka Streams' Named). */
export class Named {
  private constructor(readonly name: string) {}
  static as(name: string): Named {
    return new Named(name);
  }
}

/** An explicit repartition (Kafka Streams' Repartitioned). */
export class Repartitioned<K, V> {
  private constructor(
    readonly name?: string,
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly numberOfPartitions?: number,
    readonly partitioner?: StreamPartitioner<K, V>,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(undefined, keySerde, valueSerde);
  }

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(name);
  }

  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, n);
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, undefined, partitioner);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(name, this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }

  withKeySerde<NK>(serde: Serde<NK>): Repartitioned<NK, V> {
    return new Repartitioned(this.name, serde, this.valueSerde, this.numberOfPartitions, undefined);
  }

  withValueSerde<NV>(serde: Serde<NV>): Repartitioned<K, NV> {
    return new Repartitioned(this.name, this.keySerde, serde, this.numberOfPartitions, undefined);
  }

  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, n, this.partitioner);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner);
  }
}
