import type { Serde } from '../serde/serde.js';
import type { ProcessorSupplier } from '../processor/api.js';
import type { Headers } from '../processor/headers.js';

/** The record a timestamp extractor sees: deserialized key and value plus where it came from. */
export interface ExtractorRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: unknown;
  readonly value: unknown;
  /** The timestamp the record carries on the log. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Kafka Streams' TimestampExtractor. A negative result drops the record (counted as skipped). */
export type TimestampExtractor = (record: ExtractorRecord, partitionTime: number) => number;

export interface RecordContext {
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export type TopicNameExtractor<K, V> = (key: K, value: V, context: RecordContext) => string;

/** Chooses the partition of an output record; undefined falls back to the default (murmur2 of the key bytes). */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

export type OffsetReset = 'earliest' | 'latest';

export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde?: Serde<any>;
  readonly valueSerde?: Serde<any>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: OffsetReset;
  readonly children: string[];
}

export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: string[];
  readonly supplier: ProcessorSupplier<any, any, any, any>;
  readonly stores: string[];
  readonly children: string[];
}

export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly parents: string[];
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde?: Serde<any>;
  readonly valueSerde?: Serde<any>;
  readonly partitioner?: StreamPartitioner<any, any>;
  readonly children: string[];
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface InternalTopicDef {
  readonly name: string;
  readonly kind: 'repartition';
  /** Fixed partition count; when absent the runtime derives it from the upstream sub-topology. */
  readonly partitions?: number;
}
