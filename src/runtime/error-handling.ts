import type { InputRecord } from '../log/types.js';
import { SerdeUnavailableError } from '../serde/serde.js';
import type { RawHeaders } from '../processor/headers.js';
import type { StreamsConfig } from './config.js';
import type { Metrics } from './metrics.js';
import { METRIC } from './metrics.js';
import { FatalTaskError, type StreamTask } from './stream-task.js';

/** `<application.id>-dlq`: where bad records go under log-and-continue. */
export function deadLetterTopic(applicationId: string): string {
  return `${applicationId}-dlq`;
}

/** Header names of dead-letter records (those of Kafka Streams' KIP-1034). */
export const DLQ_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

function describeError(error: unknown): { name: string; message: string; stack: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack ?? '' };
  return { name: typeof error, message: String(error), stack: '' };
}

/**
 * Applies the error policy to a record that failed to decode or to process. log-and-continue logs,
 * counts and sends the raw record to the dead-letter topic; fail throws FatalTaskError (the runtime
 * then commits nothing past the last commit and stops).
 */
export function handleRecordError(
  config: StreamsConfig,
  metrics: Metrics,
  partitionsFor: (topic: string, task: StreamTask) => number,
  task: StreamTask,
  kind: 'deserialization' | 'processing',
  record: InputRecord | null,
  error: unknown,
  nodeName?: string,
): void {
  const policy = kind === 'deserialization' ? config.deserializationPolicy : config.processingPolicy;
  const e = describeError(error);
  const where = record === null ? `task ${task.idString}` : `record ${record.topic}-${record.partition}@${record.offset}`;
  const what = kind === 'deserialization' ? `could not deserialize ${where}` : `processor '${nodeName ?? '?'}' failed on ${where}`;
  if (error instanceof SerdeUnavailableError) throw new FatalTaskError(`${what}: ${e.message}; stopping without skipping the record`);
  if (policy === 'fail') {
    const setting = kind === 'deserialization' ? 'default.deserialization.exception.handler' : 'processing.exception.handler';
    throw new FatalTaskError(`${what}: ${e.message} (${setting}=fail)`);
  }
  metrics.increment(METRIC.dropped);
  config.logger.warn(`${what}: ${e.message}; skipping it (sent to ${deadLetterTopic(config.applicationId)})`);
  if (record === null) return;
  const topic = deadLetterTopic(config.applicationId);
  const headers: Array<[string, Buffer | null]> = [...((record.headers ?? []) as RawHeaders)].map(([k, v]) => [k, v]);
  headers.push(
    [DLQ_HEADERS.exception, Buffer.from(e.name)],
    [DLQ_HEADERS.message, Buffer.from(e.message)],
    [DLQ_HEADERS.stacktrace, Buffer.from(e.stack)],
    [DLQ_HEADERS.topic, Buffer.from(record.topic)],
    [DLQ_HEADERS.partition, Buffer.from(String(record.partition))],
    [DLQ_HEADERS.offset, Buffer.from(String(record.offset))],
  );
  const n = partitionsFor(topic, task);
  task.outbox.push({ topic, partition: record.partition % n, key: record.key, value: record.value, timestamp: record.timestamp, headers });
  metrics.increment(METRIC.dlq);
}
