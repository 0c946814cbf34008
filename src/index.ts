// The public API of kstream. Everything else is internal and may move.

// DSL
export { StreamsBuilder } from './dsl/streams-builder.js';
export { KStream } from './dsl/kstream.js';
export { KTable } from './dsl/ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { Branched, BranchedKStream } from './dsl/branched.js';
export { Consumed, Produced, Grouped, Materialized, Named, Repartitioned } from './dsl/options.js';
export type { StoreType } from './dsl/options.js';
export type { Initializer, Aggregator, Reducer } from './dsl/processors/aggregate.js';
export { TimeWindows, SlidingWindows, SessionWindows, JoinWindows } from './dsl/windows.js';
export { IllegalArgumentError, IllegalStateError } from './common/errors.js';
export { Windowed } from './common/windowed.js';
export type { Window } from './common/windowed.js';
export { TimeWindowedKStream, SessionWindowedKStream } from './dsl/windowed-kstream.js';
export type { Merger } from './dsl/windowed-kstream.js';
export { Suppressed, BufferConfig } from './dsl/suppressed.js';
export type { BufferFullStrategy } from './dsl/suppressed.js';
export { Joined, StreamJoined } from './dsl/join-options.js';
export type { ValueJoiner, ValueJoinerWithKey } from './dsl/join-options.js';
export { Change } from './dsl/change.js';

// Topology
export { Topology, TopologyError } from './topology/topology.js';
export type { SourceOptions, SinkOptions, Subtopology } from './topology/topology.js';
export type { TopologyDescription, SubtopologyDescription, NodeDescription } from './topology/describe.js';
export type {
  TimestampExtractor,
  ExtractorRecord,
  TopicNameExtractor,
  StreamPartitioner,
  RecordContext,
  OffsetReset,
} from './topology/nodes.js';

// Processor API
export { PunctuationType } from './processor/api.js';
export type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  FixedKeyProcessor,
  FixedKeyProcessorContext,
  FixedKeyProcessorSupplier,
  Punctuator,
  Cancellable,
  RecordMetadata,
  TaskId,
} from './processor/api.js';
export { StreamRecord } from './processor/record.js';
export type { FixedKeyRecord } from './processor/record.js';
export { Headers } from './processor/headers.js';
export type { Header, RawHeaders } from './processor/headers.js';

// State
export { KeyValue } from './state/store.js';
export type {
  StateStore,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  TimestampedKeyValueStore,
  ValueAndTimestamp,
} from './state/store.js';
export { Stores } from './state/stores.js';
export type { KeyValueStoreSupplier, WindowStoreSupplier, SessionStoreSupplier } from './state/stores.js';
export type { WindowStore, ReadOnlyWindowStore, TimestampedWindowStore, WindowEntry } from './state/window-store.js';
export { WindowStoreBuilder } from './state/window-store.js';
export type { SessionStore, ReadOnlySessionStore } from './state/session-store.js';
export { SessionStoreBuilder } from './state/session-store.js';
export type { StoreBuilder } from './state/managed-store.js';

// Serdes
export { Serdes } from './serde/serdes.js';
export { WindowedSerdes, TimeWindowedSerde, SessionWindowedSerde } from './serde/windowed-serdes.js';
export type { WindowedSerde } from './serde/windowed-serdes.js';
export { SerdeError, SerdeUnavailableError } from './serde/serde.js';
export {
  AvroSerde,
  JsonSchemaSerde,
  ProtobufSerde,
  SchemaRegistryClient,
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  registryConfigFromProperties,
} from './serde/registry/index.js';
export type {
  AvroSerdeOptions,
  JsonSchemaSerdeOptions,
  ProtobufSerdeOptions,
  RegistrySchema,
  RegistrySerdeOptions,
  SchemaRegistryConfig,
} from './serde/registry/index.js';
export type { Serde } from './serde/serde.js';

// Runtime
export { KafkaStreams } from './runtime/kafka-streams.js';
export type { KafkaStreamsOptions, RunOptions } from './runtime/kafka-streams.js';
export type { StreamsConfigInput, ErrorPolicy } from './runtime/config.js';
export { ConfigError } from './runtime/config.js';
export { TopologyTestDriver, TestInputTopic, TestOutputTopic } from './runtime/test-driver.js';
export type { TestRecord, ProducedTestRecord } from './runtime/test-driver.js';
export { silentLogger, consoleLogger } from './common/logger.js';
export type { Logger, LogLevel } from './common/logger.js';
export type { StreamsState } from './runtime/kafka-streams.js';
export { StreamThreadExceptionResponse } from './runtime/streams-state.js';
export type { StateListener, StreamsUncaughtExceptionHandler } from './runtime/streams-state.js';
export { metricValue } from './runtime/metrics/metric.js';
export type { Metric } from './runtime/metrics/metric.js';

// Interactive queries
export { StoreQueryParameters, QueryableStoreTypes } from './runtime/interactive-queries.js';
export type { QueryableStoreType } from './runtime/interactive-queries.js';
export { InvalidStateStoreException, UnknownStateStoreException, StreamsNotStartedException } from './runtime/store-exceptions.js';
export { ReadOnlyKeyValueView, TimestampedKeyValueView, ReadOnlyWindowView, ReadOnlySessionView } from './runtime/query-views.js';
export type { TimeBound } from './runtime/query-views.js';
export { HostInfo, KeyQueryMetadata } from './runtime/streams-metadata.js';
export type { StreamsMetadata, KeyPartitioning } from './runtime/streams-metadata.js';

// Logs
export type { Log, ProducedRecord, ConsumedRecord, TopicDescription } from './log/types.js';
export { openLog } from './log/open-log.js';
export { EmbeddedLog } from './log/embedded/embedded-log.js';

// SQL (ksqlDB dialect): parse and analyze scripts, register functions, compile persistent queries
// to topologies, run ksql-test-runner cases in process. Loaded on demand (the parser takes a moment
// to build): `const { SqlSession, buildScriptTopology } = await loadSql();`
export function loadSql(): Promise<typeof import('./sql/api.js')> {
  return import('./sql/api.js');
}
export type {
  SqlSession,
  SqlSessionOptions,
  SqlError,
  FunctionRegistry,
  ScalarFunctionDef,
  AggregateFunctionDef,
  TableFunctionDef,
  Aggregator as SqlAggregator,
  SqlType,
  AnalyzedStatement,
  PersistentQueryPlan,
  PlannerOptions,
  ScriptPlan,
  QueryTestDriver,
} from './sql/api.js';
