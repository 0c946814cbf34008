/**
 * The log interface on Apache Kafka, through kafkajs: topics and offsets (KafkaAdmin), the
 * application's consumer group (KafkaGroupConsumer with the task assigner), task writers
 * (per-task transactional producers under exactly_once, an idempotent producer under
 * at_least_once) and partition readers.
 */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { consoleLogger, type Logger } from '../../common/logger.js';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplicationClaim, GroupConsumer, Log, LogAdmin, LogCapabilities, LogOptions, PartitionReader, ProducedRecord, TaskProducer } from '../types.js';
import { tryLock } from '../locks.js';
import { KafkaAdmin } from './admin.js';
import { KafkaConfigError, kafkaTuning, kafkajsConfig, type KafkaTuning } from './client-config.js';
import { KafkaUnavailableError, kafkaErrorMessage, retrying } from './errors.js';
import { KafkaGroupConsumer } from './group-consumer.js';
import { KafkaReader } from './reader.js';
import { createCluster, type KCluster } from './kafkajs-internals.js';
import { ProducerSession } from './producer-session.js';
import { IdempotentTaskProducer, TransactionalTaskProducer, type ProducerHooks } from './task-producer.js';
import { WorkerTransactionalProducer } from './worker-producer.js';

export interface KafkaLogOptions {
  /** Client and tuning settings by Kafka property name (see client-config.ts), or kafkajs-style. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
}

/** kafkajs's own log lines, only when asked for (KSTREAM_KAFKAJS_LOG=error|warn|info|debug). */
export function kafkajsLogLevel(setting = process.env.KSTREAM_KAFKAJS_LOG): logLevel {
  switch ((setting ?? '').toLowerCase()) {
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    case 'debug':
      return logLevel.DEBUG;
    default:
      return logLevel.NOTHING;
  }
}

function kafkajsLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const line = `kafkajs ${log.logger ?? ''}: ${message} ${JSON.stringify({ ...rest, timestamp: undefined, logger: undefined })}`;
      if (level <= logLevel.ERROR) logger.error(line);
      else if (level <= logLevel.WARN) logger.warn(line);
      else logger.info(line);
    };
}

export class KafkaLog implements Log {
  /** Workers share the group; producers send in the background; other processes may read any topic. */
  readonly capabilities: LogCapabilities = { sharedGroup: true, buffersUntilCommit: false, inProcessHandoff: null };
  readonly location: string;
  readonly tuning: KafkaTuning;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private adminClient: KafkaAdmin;
  private readonly consumers = new Map<string, Set<KafkaGroupConsumer>>();
  private readonly closables = new Set<{ close(): Promise<void> }>();
  private appendCluster: KCluster | null = null;
  private appendSession: Promise<ProducerSession> | null = null;
  private closed = false;

  private constructor(brokers: string, options: KafkaLogOptions) {
    const settings = options.settings ?? {};
    this.logger = options.logger ?? consoleLogger();
    this.location = brokers;
    this.tuning = kafkaTuning(settings);
    this.kafka = new Kafka({ ...kafkajsConfig(brokers, settings), logLevel: kafkajsLogLevel(), logCreator: kafkajsLogCreator(this.logger) });
    this.adminClient = new KafkaAdmin(this.kafka, this.tuning);
  }

  /**
   * Connects to the bootstrap servers; fails with a one-line message when none answers within
   * `kstream.connect.timeout.ms` (default 10 s).
   */
  static async open(brokers: string, options: KafkaLogOptions = {}): Promise<KafkaLog> {
    let log: KafkaLog;
    try {
      log = new KafkaLog(brokers, options);
    } catch (e) {
      if (e instanceof KafkaConfigError) throw new Error(e.message);
      throw e;
    }
    try {
      await log.adminClient.probe(log.tuning.connectTimeoutMs);
    } catch (e) {
      await log.close();
      if (e instanceof KafkaUnavailableError) {
        throw new Error(`cannot connect to Kafka at ${brokers} (tried for ${Math.round(log.tuning.connectTimeoutMs / 1000)} s): ${e.detail}`);
      }
      throw new Error(`cannot connect to Kafka at ${brokers}: ${kafkaErrorMessage(e)}`);
    }
    return log;
  }

  admin(): LogAdmin {
    return this.adminClient;
  }

  private readonly hooks: ProducerHooks = {
    membership: (groupId) => {
      for (const c of this.consumers.get(groupId) ?? []) {
        const m = c.membership();
        if (m !== null) return m;
      }
      return null;
    },
    tasksLost: (groupId, taskIds) => {
      for (const c of this.consumers.get(groupId) ?? []) c.tasksLost(taskIds);
    },
  };

  groupConsumer(groupId: string, options: { readCommitted: boolean }): GroupConsumer {
    let set = this.consumers.get(groupId);
    if (set === undefined) this.consumers.set(groupId, (set = new Set()));
    const members = set;
    const consumer: KafkaGroupConsumer = new KafkaGroupConsumer(this.kafka, groupId, options.readCommitted, this.tuning, this.logger, () => {
      members.delete(consumer);
      this.closables.delete(consumer);
    });
    members.add(consumer);
    this.closables.add(consumer);
    return consumer;
  }

  taskProducer(options: LogOptions): TaskProducer {
    const producer =
      options.guarantee === 'at_least_once'
        ? new IdempotentTaskProducer(this.kafka, this.tuning, this.hooks, this.logger)
        : options.transactionalProducers === 'per-worker'
          ? new WorkerTransactionalProducer(this.kafka, options.applicationId, this.tuning, this.hooks, this.logger, options.processId)
          : new TransactionalTaskProducer(this.kafka, options.applicationId, this.tuning, this.hooks, this.logger);
    this.closables.add(producer);
    return producer;
  }

  reader(options: { readCommitted?: boolean } = {}): PartitionReader {
    const reader = new KafkaReader(this.kafka, options.readCommitted ?? true, this.tuning);
    const closable = { close: () => reader.close() };
    this.closables.add(closable);
    return {
      read: (topic, partition, offset, maxRecords) => reader.read(topic, partition, offset, maxRecords),
      close: async () => {
        this.closables.delete(closable);
        await reader.close();
      },
    };
  }

  /**
   * Workers of one application share the work through the group, but each needs its own state
   * directory: two processes must never open the same task's stores.
   */
  async claimApplication(applicationId: string, stateDir: string): Promise<ApplicationClaim> {
    mkdirSync(stateDir, { recursive: true });
    const claim = await tryLock('state', `${realpathSync(stateDir)}|${applicationId}`, join(stateDir, `${applicationId}.lock`));
    if (claim === null) {
      throw new Error(`state dir ${stateDir} is in use by another worker of application '${applicationId}'; give each worker on this machine its own --state-dir`);
    }
    return claim;
  }

  /** Writes records outside any transaction (idempotent producer); resolves once all are acknowledged. */
  async append(records: readonly ProducedRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.appendSession ??= (async () => {
      const cluster = (this.appendCluster = createCluster(this.kafka));
      await retrying('connecting the producer', () => cluster.connect(), { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed });
      const session = new ProducerSession(cluster, {
        transactionalId: null,
        transactionTimeoutMs: this.tuning.transactionTimeoutMs,
        requestTimeoutMs: 30_000,
        maxRequestBytes: this.tuning.produceRequestBytes,
        retryTimeoutMs: this.tuning.taskTimeoutMs,
        aborted: () => this.closed,
        warn: (m) => this.logger.warn(m),
      });
      await session.init();
      return session;
    })().catch((e: unknown) => {
      this.appendSession = null;
      throw e;
    });
    const session = await this.appendSession;
    await session.send(records, new Map());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.closables].map((c) => c.close().catch(() => undefined)));
    if (this.appendCluster !== null) await this.appendCluster.disconnect().catch(() => undefined);
    await this.adminClient.close();
  }
}
