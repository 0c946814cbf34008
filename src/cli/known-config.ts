/**
 * Which setting names `kstream run` knows, to warn about the others as Kafka Streams does (a typo
 * in a property name otherwise goes unnoticed). Known: Kafka Streams' own settings, the Kafka
 * client settings it passes on, kstream's own, and the prefixes Kafka Streams and ksqlDB accept.
 */
import type { Logger } from '../common/logger.js';

const STREAMS = [
  'acceptable.recovery.lag', 'application.id', 'application.server', 'buffered.records.per.partition',
  'built.in.metrics.version', 'cache.max.bytes.buffering', 'statestore.cache.max.bytes', 'commit.interval.ms',
  'default.deserialization.exception.handler', 'deserialization.exception.handler', 'default.key.serde',
  'default.value.serde', 'default.list.key.serde.inner', 'default.list.key.serde.type',
  'default.list.value.serde.inner', 'default.list.value.serde.type', 'default.production.exception.handler',
  'production.exception.handler', 'processing.exception.handler', 'default.timestamp.extractor', 'default.dsl.store',
  'dsl.store.suppliers.class', 'enable.metrics.push', 'log.summary.interval.ms', 'max.task.idle.ms',
  'max.warmup.replicas', 'num.standby.replicas', 'num.stream.threads', 'poll.ms', 'probing.rebalance.interval.ms',
  'processing.guarantee', 'rack.aware.assignment.non_overlap_cost', 'rack.aware.assignment.strategy',
  'rack.aware.assignment.tags', 'rack.aware.assignment.traffic_cost', 'replication.factor',
  'repartition.purge.interval.ms', 'rocksdb.config.setter', 'state.cleanup.delay.ms', 'state.dir',
  'task.assignor.class', 'task.timeout.ms', 'topology.optimization', 'upgrade.from', 'window.size.ms',
  'windowed.inner.class.serde', 'group.protocol',
];

const CLIENTS = [
  'bootstrap.servers', 'client.id', 'client.dns.lookup', 'client.rack', 'connections.max.idle.ms',
  'metadata.max.age.ms', 'metadata.max.idle.ms', 'metric.reporters', 'metrics.num.samples',
  'metrics.recording.level', 'metrics.sample.window.ms', 'receive.buffer.bytes', 'send.buffer.bytes',
  'reconnect.backoff.ms', 'reconnect.backoff.max.ms', 'request.timeout.ms', 'retry.backoff.ms',
  'retry.backoff.max.ms', 'security.protocol', 'security.providers', 'socket.connection.setup.timeout.ms',
  'socket.connection.setup.timeout.max.ms', 'default.api.timeout.ms', 'enable.ssl.certificate.verification',
  // consumer
  'auto.offset.reset', 'allow.auto.create.topics', 'auto.commit.interval.ms', 'check.crcs', 'enable.auto.commit',
  'exclude.internal.topics', 'fetch.max.bytes', 'fetch.max.wait.ms', 'fetch.min.bytes', 'group.id',
  'group.instance.id', 'heartbeat.interval.ms', 'isolation.level', 'max.partition.fetch.bytes',
  'max.poll.interval.ms', 'max.poll.records', 'partition.assignment.strategy', 'session.timeout.ms',
  'key.deserializer', 'value.deserializer', 'interceptor.classes',
  // producer
  'acks', 'batch.size', 'buffer.memory', 'compression.type', 'delivery.timeout.ms', 'enable.idempotence',
  'linger.ms', 'max.block.ms', 'max.in.flight.requests.per.connection', 'max.request.size', 'partitioner.class',
  'retries', 'transaction.timeout.ms', 'transactional.id', 'key.serializer', 'value.serializer',
  // serdes with a schema registry
  'schema.registry.url', 'basic.auth.user.info', 'basic.auth.credentials.source',
];

/** kstream's own settings (see README: Running, and src/log/kafka/README.md). */
const KSTREAM = [
  'data.dir', 'commit.max.buffered.bytes', 'record.processing.timeout.ms', 'logger',
  'kstream.produce.request.bytes', 'kstream.connect.timeout.ms', 'kstream.rebalance.protocol', 'kstream.local.kafka.dir',
  'kstream.local.registry.dir',
];

const KNOWN = new Set([...STREAMS, ...CLIENTS, ...KSTREAM]);

/** Prefixes under which Kafka Streams and ksqlDB pass settings on (and security settings of the clients). */
const PREFIXES = [
  'ksql.', 'consumer.', 'producer.', 'admin.', 'main.consumer.', 'restore.consumer.', 'global.consumer.',
  'topic.', 'client.tags.', 'ssl.', 'sasl.', 'schema.registry.',
];

export function isKnownConfig(key: string): boolean {
  return KNOWN.has(key) || PREFIXES.some((p) => key.startsWith(p));
}

/** Warns once for each setting name kstream does not know, in Kafka Streams' words. */
export function warnUnknownConfig(config: Readonly<Record<string, unknown>>, logger: Logger): void {
  for (const key of Object.keys(config)) {
    if (config[key] !== undefined && !isKnownConfig(key)) logger.warn(`The configuration '${key}' was supplied but isn't a known config.`);
  }
}
