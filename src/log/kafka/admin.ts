/** Topics, offsets and group offsets on Kafka (kafkajs's admin client plus ListOffsets by isolation level). */
import type { Admin, Kafka } from 'kafkajs';
import { validateTopicName, UnknownTopicError } from '../embedded/embedded-log.js';
import { tpKey, type CommittedOffset, type LogAdmin, type TopicDescription, type TopicSpec } from '../types.js';
import type { KafkaTuning } from './client-config.js';
import { kafkaErrorMessage, retrying } from './errors.js';
import { offsetFetchV7Stable, type ProtocolResult } from './group-offset-requests.js';
import { READ_COMMITTED, READ_UNCOMMITTED, createCluster, type KCluster } from './kafkajs-internals.js';

const TOPIC_RESOURCE = 2;
const DYNAMIC_TOPIC_CONFIG = 1;
const LATEST = -1;
const EARLIEST = -2;

function isInternalTopic(name: string): boolean {
  return name.startsWith('__');
}

export class KafkaAdmin implements LogAdmin {
  private readonly admin: Admin;
  private connected: Promise<void> | null = null;
  private readonly cluster: KCluster;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly tuning: KafkaTuning,
  ) {
    this.admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 } });
    this.cluster = createCluster(kafka, { isolationLevel: READ_COMMITTED, metadataMaxAge: 60_000 });
  }

  private run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retrying(
      what,
      async () => {
        this.connected ??= this.admin.connect().catch((e: unknown) => {
          this.connected = null;
          throw e;
        });
        await this.connected;
        return fn();
      },
      { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed },
    );
  }

  async listTopics(): Promise<string[]> {
    const names = await this.run('listing topics', () => this.admin.listTopics());
    return names.filter((n) => !isInternalTopic(n)).sort();
  }

  async describeTopics(names: readonly string[]): Promise<Map<string, TopicDescription>> {
    const out = new Map<string, TopicDescription>();
    if (names.length === 0) return out;
    const all = new Set(await this.run('listing topics', () => this.admin.listTopics()));
    const existing = [...new Set(names)].filter((n) => all.has(n));
    if (existing.length === 0) return out;
    const metadata = await this.run('describing topics', () => this.admin.fetchTopicMetadata({ topics: existing }));
    const configs = await this.run('describing topic settings', () =>
      this.admin.describeConfigs({ includeSynonyms: false, resources: existing.map((name) => ({ type: TOPIC_RESOURCE, name })) }),
    );
    const configByTopic = new Map<string, Record<string, string>>();
    for (const r of configs.resources) {
      const c: Record<string, string> = {};
      for (const e of r.configEntries) {
        const source = (e as { configSource?: number }).configSource;
        if (source === DYNAMIC_TOPIC_CONFIG || (source === undefined && !e.isDefault)) c[e.configName] = e.configValue;
      }
      configByTopic.set(r.resourceName, c);
    }
    for (const t of metadata.topics) {
      out.set(t.name, { name: t.name, partitions: t.partitions.length, config: configByTopic.get(t.name) ?? {} });
    }
    return out;
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const s of topics) {
      validateTopicName(s.name);
      if (!Number.isInteger(s.partitions) || s.partitions < 1) throw new Error(`topic '${s.name}' needs at least one partition`);
    }
    const existing = new Set(await this.run('listing topics', () => this.admin.listTopics()));
    const missing = topics.filter((t, i) => !existing.has(t.name) && topics.findIndex((o) => o.name === t.name) === i);
    if (missing.length === 0) return;
    try {
      await this.run('creating topics', () =>
        this.admin.createTopics({
          waitForLeaders: true,
          timeout: 30_000,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: this.tuning.replicationFactor,
            configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        }),
      );
    } catch (error) {
      // Another worker may have created some of them at the same moment.
      const now = new Set(await this.run('listing topics', () => this.admin.listTopics()));
      if (missing.every((t) => now.has(t.name))) return;
      const detail = (error as { errors?: Array<{ message?: string }> }).errors?.[0]?.message;
      throw new Error(`could not create topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => t.name).join(', ')}: ${detail ?? kafkaErrorMessage(error)}`);
    }
    await this.cluster.refreshMetadata().catch(() => undefined);
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const existing = new Set(await this.run('listing topics', () => this.admin.listTopics()));
    const topics = [...new Set(names)].filter((n) => existing.has(n));
    if (topics.length === 0) return;
    await this.run('deleting topics', () => this.admin.deleteTopics({ topics, timeout: 30_000 }));
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await this.admin.deleteGroups([...groupIds]);
    } catch (error) {
      // GROUP_ID_NOT_FOUND: nothing to delete (a group without committed offsets may be gone already).
      const errors = (error as { groups?: Array<{ errorCode?: number }> }).groups ?? [];
      if (errors.length > 0 && errors.every((g) => g.errorCode === 0 || g.errorCode === 69)) return;
      throw new Error(`could not delete consumer group${groupIds.length > 1 ? 's' : ''} ${groupIds.join(', ')}: ${kafkaErrorMessage(error)}`);
    }
  }

  /** Per partition, the ListOffsets answer for `timestamp` at `isolation`. */
  private async listOffsets(topic: string, timestamp: number, isolation: number): Promise<number[]> {
    return this.run(`reading the offsets of ${topic}`, async () => {
      await this.cluster.addMultipleTargetTopics([topic]);
      let metadata = this.cluster.findTopicPartitionMetadata(topic);
      if (metadata.length === 0) {
        await this.cluster.refreshMetadata();
        metadata = this.cluster.findTopicPartitionMetadata(topic);
        if (metadata.length === 0) throw new UnknownTopicError(topic);
      }
      const partitions = metadata.map((p) => p.partitionId);
      const out: number[] = new Array<number>(partitions.length).fill(0);
      const leaders = this.cluster.findLeaderForPartitions(topic, partitions);
      await Promise.all(
        Object.entries(leaders).map(async ([node, ps]) => {
          const broker = await this.cluster.findBroker({ nodeId: node });
          const r = await broker.listOffsets({ isolationLevel: isolation, topics: [{ topic, partitions: ps.map((partition) => ({ partition, timestamp })) }] });
          for (const t of r.responses) for (const p of t.partitions) out[p.partition] = Number(p.offset);
        }),
      );
      return out;
    });
  }

  endOffsets(topic: string): Promise<number[]> {
    return this.listOffsets(topic, LATEST, READ_COMMITTED);
  }

  logEndOffsets(topic: string): Promise<number[]> {
    return this.listOffsets(topic, LATEST, READ_UNCOMMITTED);
  }

  beginningOffsets(topic: string): Promise<number[]> {
    return this.listOffsets(topic, EARLIEST, READ_UNCOMMITTED);
  }

  /**
   * The group's committed offsets, read as a read_committed Java consumer reads them (OffsetFetch
   * with require_stable): a partition whose offsets wait in an unfinished transaction is retried.
   */
  async committedOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, CommittedOffset>> {
    const out = new Map<string, CommittedOffset>();
    if (topics.length === 0) return out;
    const rows = await this.run(`reading the offsets of group ${groupId}`, async () => {
      const partitions = new Map<string, number[]>();
      for (const topic of new Set(topics)) {
        const ids = await this.partitionIds(topic);
        if (ids.length > 0) partitions.set(topic, ids);
      }
      if (partitions.size === 0) return [];
      const coordinator = await this.cluster.findGroupCoordinator({ groupId });
      const request = offsetFetchV7Stable(groupId, partitions);
      return (await coordinator.connectionPool.send(request)) as ProtocolResult<typeof request>;
    });
    for (const r of rows) out.set(tpKey(r.topic, r.partition), r.metadata === undefined ? { offset: r.offset } : { offset: r.offset, metadata: r.metadata });
    return out;
  }

  /** Partition ids of a topic from the metadata (none for a topic that does not exist). */
  private async partitionIds(topic: string): Promise<number[]> {
    try {
      await this.cluster.addMultipleTargetTopics([topic]);
    } catch (error) {
      if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return [];
      throw error;
    }
    return this.cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
  }

  async deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void> {
    try {
      await this.run(`deleting records of ${topic}-${partition}`, async () => {
        // kafkajs looks the leader up in its admin's metadata only: make sure the topic is in it
        // (else "Could not find the leader for the partition", which it does not retry).
        await this.admin.fetchTopicMetadata({ topics: [topic] });
        await this.admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(offset) }] });
      });
    } catch (error) {
      // kafkajs says only "Error while deleting records"; the reason is in its partitions.
      const reasons = (error as { partitions?: Array<{ error?: unknown }> }).partitions?.map((p) => kafkaErrorMessage(p.error)) ?? [];
      throw new Error(`could not delete the records of ${topic}-${partition} before offset ${offset}: ${reasons.length > 0 ? reasons.join('; ') : kafkaErrorMessage(error)}`);
    }
  }

  /** Checks that a broker answers (bounded: used when the log is opened). */
  async probe(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no broker answered within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs + 2000);
    });
    try {
      await Promise.race([this.probeOnce(timeoutMs), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async probeOnce(timeoutMs: number): Promise<void> {
    await retrying(
      'connecting to Kafka',
      async () => {
        this.connected ??= this.admin.connect().catch((e: unknown) => {
          this.connected = null;
          throw e;
        });
        await this.connected;
        await this.admin.listTopics();
      },
      { timeoutMs, initialBackoffMs: 200, maxBackoffMs: 1000 },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.admin.disconnect().catch(() => undefined);
    await this.cluster.disconnect().catch(() => undefined);
  }
}
