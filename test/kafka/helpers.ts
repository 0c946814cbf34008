/**
 * Helpers for tests against the real broker that test/kafka/global-setup.ts starts.
 * Every test makes its own topics, groups and transactional ids (uniqueTopic / uniqueId), so tests never
 * share state and may run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Kafka, type Admin, type ITopicConfig, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import { kafkajsLogLevel } from '../../src/log/kafka/kafka-log.js';

// kafkajs 2.x prints a notice about its default partitioner on every producer unless this is set
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** Bootstrap servers of the test broker. */
export function kafkaBrokers(): string[] {
  const brokers = inject('kafkaBrokers') ?? process.env.KSTREAM_TEST_KAFKA_BOOTSTRAP;
  if (!brokers) throw new Error('no test Kafka broker: run these tests with globalSetup test/kafka/global-setup.ts');
  return brokers.split(',').map((b) => b.trim()).filter(Boolean);
}

/** Kafka version of the test broker ('external' when KSTREAM_TEST_KAFKA_BROKERS was given). */
export function kafkaVersion(): string {
  return inject('kafkaVersion') ?? 'external';
}

let counter = 0;

/** A name no other test uses: `<prefix>-<time>-<counter>-<random>`, limited to Kafka's topic characters. */
export function uniqueId(prefix = 'test'): string {
  const clean = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 100);
  return `${clean}-${Date.now().toString(36)}-${process.pid.toString(36)}${(counter++).toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix = 'topic'): string {
  return uniqueId(prefix);
}

/** A kafkajs client for the test broker (quiet logging, short retries). */
export function testKafka(clientId = 'kstream-test', overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    // Off unless KSTREAM_TEST_KAFKAJS_LOG=error|warn|info|debug: kafkajs logs retried, harmless broker
    // answers (CONCURRENT_TRANSACTIONS between back-to-back transactions) at ERROR level.
    logLevel: kafkajsLogLevel(process.env.KSTREAM_TEST_KAFKAJS_LOG),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    ...overrides,
  });
}

/** Run `fn` with a connected admin client, disconnecting afterwards. */
export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, kafka: Kafka = testKafka('kstream-test-admin')): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Create topics (name, or full kafkajs topic config) and wait until they have leaders. */
export async function createTopics(...topics: Array<string | ITopicConfig>): Promise<void> {
  const configs = topics.map((t) => (typeof t === 'string' ? { topic: t, numPartitions: 1 } : { numPartitions: 1, ...t }));
  await withAdmin(async (admin) => {
    await admin.createTopics({ topics: configs, waitForLeaders: true });
  });
}

export interface ReadOptions {
  /** Stop once this many records have arrived. */
  count: number;
  /** read_committed (default) or read_uncommitted. */
  readCommitted?: boolean;
  timeoutMs?: number;
}

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  /** The same as bytes, for binary formats. */
  keyBytes: Buffer | null;
  valueBytes: Buffer | null;
  headers: KafkaMessage['headers'];
  timestamp: string;
}

/**
 * Read a topic from the beginning with a fresh consumer group until `count` records arrived (order: per partition).
 * Fails after `timeoutMs` (default 30 s) saying how many arrived. Waits a little longer to catch surplus records.
 */
export async function readRecords(topic: string, opts: ReadOptions): Promise<ReadRecord[]> {
  const kafka = testKafka('kstream-test-reader');
  const consumer = kafka.consumer({
    groupId: uniqueId('reader'),
    readUncommitted: opts.readCommitted === false,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  const records: ReadRecord[] = [];
  const timeoutMs = opts.timeoutMs ?? 30_000;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${opts.count} records from ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records.push({
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              keyBytes: message.key ?? null,
              valueBytes: message.value ?? null,
              headers: message.headers,
              timestamp: message.timestamp,
            });
            if (records.length >= opts.count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err as Error);
        });
    });
    await new Promise((r) => setTimeout(r, 300)); // surplus records, if any, show up in the result
  } finally {
    await consumer.disconnect();
  }
  return records;
}
