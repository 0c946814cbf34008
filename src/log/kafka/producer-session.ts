/**
 * An idempotent (optionally transactional) Kafka producer on kafkajs's protocol layer: producer id
 * and epoch from InitProducerId, a sequence number per partition, one Produce request in flight at
 * a time (so a retry after a lost connection repeats the same sequences and the broker drops
 * duplicates), and for transactions AddPartitionsToTxn / AddOffsetsToTxn / TxnOffsetCommit /
 * EndTxn through kafkajs's Broker. Produce requests are encoded by record-batch.ts.
 */
import { createRequire } from 'node:module';
import { tpKey, type OffsetToCommit, type ProducedRecord } from '../types.js';
import { isRetriableError, kafkaErrorMessage, retrying } from './errors.js';

import { txnOffsetCommitV3, type GroupMetadata } from './group-offset-requests.js';
import type { KBroker, KCluster } from './kafkajs-internals.js';
import { encodeProduceRequest, type BatchRecord, type PartitionBatch } from './record-batch.js';

const require = createRequire(import.meta.url);
/** kafkajs's decoder of Produce v3 responses (it throws the first partition error). */
const produceV3Response = require('kafkajs/src/protocol/requests/produce/v3/response') as {
  decode(raw: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<{ topics: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; baseOffset: string }> }> }>;
};

const PRODUCE_API_KEY = 0;
const COORDINATOR_TRANSACTION = 1;
const INT32_MAX = 2147483647;

interface TxnBroker extends KBroker {
  initProducerId(request: { transactionalId?: string; transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>;
  addPartitionsToTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; topics: Array<{ topic: string; partitions: number[] }> }): Promise<unknown>;
  addOffsetsToTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; groupId: string }): Promise<unknown>;
  txnOffsetCommit(request: {
    transactionalId: string;
    groupId: string;
    producerId: number;
    producerEpoch: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }>;
  }): Promise<unknown>;
  endTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
  connectionPool: { send(protocolRequest: { request: unknown; response: unknown; requestTimeout?: number }): Promise<unknown> };
}

interface CoordinatorCluster extends KCluster {
  findGroupCoordinator(group: { groupId: string; coordinatorType?: number }): Promise<KBroker>;
  findControllerBroker(): Promise<KBroker>;
}

export interface ProducerSessionOptions {
  /** Null: idempotent only. */
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Upper bound of one Produce request's records, in bytes. */
  readonly maxRequestBytes: number;
  /** How long a broker outage is retried. */
  readonly retryTimeoutMs: number;
  readonly aborted?: () => boolean;
  /** Told about retries (the first one of an operation and every tenth). */
  readonly warn?: (message: string) => void;
}

interface KafkaJsError {
  type?: string;
  name?: string;
}

const type = (e: unknown) => (e as KafkaJsError).type;

/** Transient answers of the transaction coordinator, worth a quick retry. */
const TXN_RETRY_TYPES = new Set([
  'CONCURRENT_TRANSACTIONS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_LOAD_IN_PROGRESS',
]);

export class ProducerSession {
  producerId = -1;
  producerEpoch = -1;
  private readonly sequences = new Map<string, number>();
  private readonly txnPartitions = new Set<string>();
  private offsetsAdded = false;
  private txnCoordinator: TxnBroker | null = null;
  /** The group coordinator of TxnOffsetCommit, found once (kafkajs asks the cluster on every lookup). */
  private groupCoordinator: { groupId: string; broker: TxnBroker } | null = null;

  constructor(
    private readonly cluster: KCluster,
    private readonly options: ProducerSessionOptions,
  ) {}

  private get transactional(): boolean {
    return this.options.transactionalId !== null;
  }

  /** Whether the current transaction has partitions or offsets (EndTxn is needed). */
  get inTransaction(): boolean {
    return this.txnPartitions.size > 0 || this.offsetsAdded;
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retrying(
      what,
      async () => {
        try {
          return await fn();
        } catch (error) {
          // A coordinator that moved or is away is looked up again (CONCURRENT_TRANSACTIONS: same one, later).
          const t = type(error);
          if ((t !== undefined && TXN_RETRY_TYPES.has(t) && t !== 'CONCURRENT_TRANSACTIONS') || (t === undefined && isRetriableError(error))) {
            this.txnCoordinator = null;
          }
          throw error;
        }
      },
      {
        timeoutMs: this.options.retryTimeoutMs,
        initialBackoffMs: 10,
        maxBackoffMs: 1000,
        aborted: this.options.aborted,
        onRetry: (error, attempt) => {
          // CONCURRENT_TRANSACTIONS right after a commit is routine, not worth a line.
          if (type(error) === 'CONCURRENT_TRANSACTIONS' && attempt < 10) return;
          if (attempt === 1 || attempt % 10 === 0) this.options.warn?.(`${what}: ${kafkaErrorMessage(error)}; retrying`);
        },
      },
    );
  }

  private async coordinator(): Promise<TxnBroker> {
    this.txnCoordinator ??= (await (this.cluster as CoordinatorCluster).findGroupCoordinator({
      groupId: this.options.transactionalId!,
      coordinatorType: COORDINATOR_TRANSACTION,
    })) as TxnBroker;
    return this.txnCoordinator;
  }

  /**
   * Gets a producer id and epoch. For a transactional id this fences every earlier producer with
   * the same id and completes (aborts) its open transaction before it returns.
   */
  async init(): Promise<void> {
    const result = await this.retry(`initializing producer ${this.options.transactionalId ?? ''}`.trim(), async () => {
      await this.cluster.refreshMetadataIfNecessary();
      const broker = (this.transactional ? await this.coordinator() : await (this.cluster as CoordinatorCluster).findControllerBroker()) as TxnBroker;
      return broker.initProducerId({
        transactionalId: this.options.transactionalId ?? undefined,
        transactionTimeout: this.options.transactionTimeoutMs,
      });
    });
    this.producerId = Number(result.producerId);
    this.producerEpoch = result.producerEpoch;
    this.sequences.clear();
    this.txnPartitions.clear();
    this.offsetsAdded = false;
  }

  /**
   * Writes records (in order per partition) and folds the end offset of every partition written
   * into `ends` (the next offset after its last record).
   */
  async send(records: readonly ProducedRecord[], ends: Map<string, number>): Promise<void> {
    if (records.length === 0) return;
    // Per partition, in order; then requests of at most maxRequestBytes.
    // topic → partition → records, without a string key per record.
    type Part = { topic: string; partition: number; records: BatchRecord[] };
    const byTopic = new Map<string, Part[]>();
    const parts: Part[] = [];
    let lastTopic: string | null = null;
    let lastParts: Part[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.topic !== lastTopic) {
        lastTopic = r.topic;
        lastParts = byTopic.get(r.topic);
        if (lastParts === undefined) byTopic.set(r.topic, (lastParts = []));
      }
      let p = lastParts![r.partition];
      if (p === undefined) {
        lastParts![r.partition] = p = { topic: r.topic, partition: r.partition, records: [] };
        parts.push(p);
      }
      p.records.push(r);
    }
    await this.ensureMetadata([...byTopic.keys()]);
    const max = this.options.maxRequestBytes;
    let request: Array<{ topic: string; partition: number; records: BatchRecord[] }> = [];
    let bytes = 0;
    for (const p of parts) {
      // Split a partition's records that do not fit one request into several.
      let start = 0;
      while (start < p.records.length) {
        let end = start;
        let size = 0;
        while (end < p.records.length && (end === start || bytes + size < max)) {
          const r = p.records[end]!;
          size += 24 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
          end++;
        }
        request.push({ topic: p.topic, partition: p.partition, records: start === 0 && end === p.records.length ? p.records : p.records.slice(start, end) });
        bytes += size;
        start = end;
        if (bytes >= max) {
          await this.produce(request, ends);
          request = [];
          bytes = 0;
        }
      }
    }
    if (request.length > 0) await this.produce(request, ends);
  }

  private hasMetadata(topic: string): boolean {
    try {
      return this.cluster.findTopicPartitionMetadata(topic).length > 0;
    } catch {
      return false;
    }
  }

  /** Makes the topics part of the cluster's metadata (a topic created a moment ago may need a few tries). */
  private async ensureMetadata(topics: string[]): Promise<void> {
    if (topics.every((t) => this.hasMetadata(t))) return;
    await this.retry('reading topic metadata', async () => {
      try {
        await this.cluster.addMultipleTargetTopics(topics);
        if (topics.some((t) => !this.hasMetadata(t))) await this.cluster.refreshMetadata();
      } catch (error) {
        if (type(error) !== 'UNKNOWN_TOPIC_OR_PARTITION' && type(error) !== 'LEADER_NOT_AVAILABLE') throw error;
      }
      const missing = topics.filter((t) => !this.hasMetadata(t));
      if (missing.length > 0) throw Object.assign(new Error(`no metadata for topic ${missing.join(', ')} yet`), { name: 'KafkaJSMetadataNotLoaded' });
    });
  }

  /** One round of Produce requests (one per leader), retried with the same sequences until accepted. */
  private async produce(entries: Array<{ topic: string; partition: number; records: BatchRecord[] }>, ends: Map<string, number>): Promise<void> {
    if (this.transactional) await this.addPartitions(entries);
    const batches: PartitionBatch[] = entries.map((e) => ({
      topic: e.topic,
      partition: e.partition,
      records: e.records,
      baseSequence: this.sequences.get(tpKey(e.topic, e.partition)) ?? 0,
    }));
    await this.retry('writing records', async () => {
      const byLeader = new Map<string, PartitionBatch[]>();
      for (const b of batches) {
        let leaders: Record<string, number[]> = {};
        try {
          if (this.hasMetadata(b.topic)) leaders = this.cluster.findLeaderForPartitions(b.topic, [b.partition]);
        } catch {
          /* no leader elected yet */
        }
        const node = Object.keys(leaders)[0];
        if (node === undefined) {
          await this.ensureMetadata([b.topic]);
          await this.cluster.refreshMetadata();
          throw Object.assign(new Error(`no leader for ${b.topic}-${b.partition}`), { name: 'KafkaJSMetadataNotLoaded' });
        }
        let list = byLeader.get(node);
        if (list === undefined) byLeader.set(node, (list = []));
        list.push(b);
      }
      try {
        await Promise.all(
          [...byLeader].map(async ([node, list]) => {
            const broker = (await this.cluster.findBroker({ nodeId: node })) as TxnBroker;
            const body = encodeProduceRequest(
              { transactionalId: this.options.transactionalId, producerId: this.producerId, producerEpoch: this.producerEpoch },
              -1,
              this.options.requestTimeoutMs,
              list,
            );
            const response = await broker.connectionPool.send({
              request: {
                apiKey: PRODUCE_API_KEY,
                apiVersion: 3,
                apiName: 'Produce',
                // kafkajs appends what `encode` returns as an Encoder: anything with the bytes in buf/buffer.
                encode: async () => ({ buf: body, buffer: body }),
              },
              response: produceV3Response,
              requestTimeout: this.options.requestTimeoutMs + 5000,
            });
            // The connection has decoded and checked the response (the first partition error is thrown).
            const parsed = response as Awaited<ReturnType<typeof produceV3Response.parse>>;
            for (const t of parsed.topics) {
              for (const p of t.partitions) {
                const b = list.find((x) => x.topic === t.topicName && x.partition === p.partition);
                if (b === undefined) continue;
                const end = Number(p.baseOffset) + b.records.length;
                const key = tpKey(b.topic, b.partition);
                if (Number(p.baseOffset) >= 0 && end > (ends.get(key) ?? 0)) ends.set(key, end);
              }
            }
          }),
        );
      } catch (error) {
        const t = type(error);
        if (t === 'NOT_LEADER_FOR_PARTITION' || t === 'LEADER_NOT_AVAILABLE' || t === 'UNKNOWN_TOPIC_OR_PARTITION' || isRetriableError(error)) {
          await this.cluster.refreshMetadata().catch(() => undefined);
          if (t === 'UNKNOWN_TOPIC_OR_PARTITION') throw Object.assign(new Error(kafkaErrorMessage(error)), { name: 'KafkaJSMetadataNotLoaded' });
        }
        throw error;
      }
    });
    for (const b of batches) {
      const key = tpKey(b.topic, b.partition);
      const next = b.baseSequence + b.records.length;
      this.sequences.set(key, next > INT32_MAX ? next - INT32_MAX - 1 : next);
    }
  }

  private async addPartitions(entries: ReadonlyArray<{ topic: string; partition: number }>): Promise<void> {
    const fresh = new Map<string, number[]>();
    for (const e of entries) {
      const key = tpKey(e.topic, e.partition);
      if (this.txnPartitions.has(key)) continue;
      let list = fresh.get(e.topic);
      if (list === undefined) fresh.set(e.topic, (list = []));
      if (!list.includes(e.partition)) list.push(e.partition);
    }
    if (fresh.size === 0) return;
    await this.retry('adding partitions to the transaction', async () =>
      (await this.coordinator()).addPartitionsToTxn({
        transactionalId: this.options.transactionalId!,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        topics: [...fresh].map(([topic, partitions]) => ({ topic, partitions })),
      }),
    );
    for (const [topic, partitions] of fresh) for (const p of partitions) this.txnPartitions.add(tpKey(topic, p));
  }

  /**
   * Adds input offsets to the transaction (they commit or abort with it). With the group member's
   * metadata (exactly_once_v2) the group coordinator refuses them from a member it no longer has.
   */
  async sendOffsets(groupId: string, offsets: readonly OffsetToCommit[], member?: GroupMetadata): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, Array<{ partition: number; offset: string; metadata?: string | null }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset), metadata: o.metadata ?? null });
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    if (!this.offsetsAdded) {
      await this.retry('adding offsets to the transaction', async () =>
        (await this.coordinator()).addOffsetsToTxn({
          transactionalId: this.options.transactionalId!,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
          groupId,
        }),
      );
      this.offsetsAdded = true;
    }
    await this.retry('committing offsets in the transaction', async () => {
      if (this.groupCoordinator?.groupId !== groupId) {
        this.groupCoordinator = { groupId, broker: (await this.cluster.findGroupCoordinator({ groupId })) as TxnBroker };
      }
      const ids = { transactionalId: this.options.transactionalId!, groupId, producerId: this.producerId, producerEpoch: this.producerEpoch };
      try {
        if (member !== undefined) await this.groupCoordinator.broker.connectionPool.send(txnOffsetCommitV3({ ...ids, member, offsets }));
        else await this.groupCoordinator.broker.txnOffsetCommit({ ...ids, topics });
      } catch (error) {
        this.groupCoordinator = null;
        throw error;
      }
    });
  }

  /** Ends the transaction (nothing to do when it has no partitions or offsets). */
  async endTransaction(commit: boolean): Promise<void> {
    if (!this.inTransaction) return;
    await this.retry(commit ? 'committing the transaction' : 'aborting the transaction', async () =>
      (await this.coordinator()).endTxn({
        transactionalId: this.options.transactionalId!,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        transactionResult: commit,
      }),
    );
    this.txnPartitions.clear();
    this.offsetsAdded = false;
  }
}
