/**
 * Who serves what (Kafka Streams' HostInfo, StreamsMetadata, KeyQueryMetadata): built from the
 * application.server → tasks map the group's assignment shares, so any instance can route a
 * query for a key to the instance that owns its partition.
 */
import type { Serde } from '../serde/serde.js';
import { murmur2 } from '../log/murmur2.js';
import type { TopicPartition } from '../log/types.js';
import type { Topology } from '../topology/topology.js';

export class HostInfo {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** `host:port` (as in application.server), or null when it is not one. */
  static buildFromEndpoint(endpoint: string): HostInfo | null {
    const m = /^(.+):(\d+)$/.exec(endpoint);
    return m === null ? null : new HostInfo(m[1]!, Number(m[2]));
  }

  static unavailable(): HostInfo {
    return new HostInfo('unavailable', -1);
  }

  equals(other: HostInfo): boolean {
    return other.host === this.host && other.port === this.port;
  }

  toString(): string {
    return `${this.host}:${this.port}`;
  }
}

/** Where the partition of a key is served: its active instance and the instances with a standby of it. */
export class KeyQueryMetadata {
  /** No instance serves the key's partition now (rebalancing, or no application.server configured). */
  static readonly NOT_AVAILABLE = new KeyQueryMetadata(HostInfo.unavailable(), [], -1);

  constructor(
    readonly activeHost: HostInfo,
    readonly standbyHosts: readonly HostInfo[],
    readonly partition: number,
  ) {}
}

/** One instance of the application: its host, the stores and the source partitions of its tasks. */
export interface StreamsMetadata {
  readonly hostInfo: HostInfo;
  readonly stateStoreNames: ReadonlySet<string>;
  readonly topicPartitions: readonly TopicPartition[];
  readonly standbyStateStoreNames: ReadonlySet<string>;
  readonly standbyTopicPartitions: readonly TopicPartition[];
}

/** How a key picks its partition: a serializer (Kafka's default partitioner) or a partitioner. */
export type KeyPartitioning<K> =
  | Pick<Serde<K>, 'serialize'>
  | ((key: K) => Buffer | Uint8Array | null)
  | { partition(topic: string, key: K, value: unknown, numPartitions: number): number | null | undefined };

/** What the metadata needs from the running worker. */
export interface MetadataSource {
  tasksByHost(): ReadonlyMap<string, readonly string[]>;
  /** host:port → standby task ids (num.standby.replicas). */
  standbyTasksByHost(): ReadonlyMap<string, readonly string[]>;
  taskCount(subtopology: number): number | undefined;
  physicalTopic(logical: string): string;
}

/** The partition Kafka's default partitioner gives a serialized key. */
export function defaultPartition(keyBytes: Uint8Array, numPartitions: number): number {
  return (murmur2(keyBytes) & 0x7fffffff) % numPartitions;
}

function partitionOf<K>(how: KeyPartitioning<K>, key: K, topic: string, numPartitions: number): number {
  if (typeof how === 'object' && 'partition' in how) {
    const p = how.partition(topic, key, null, numPartitions);
    if (p !== null && p !== undefined) return p;
    throw new Error(`the partitioner chose no partition for a key of store topic '${topic}'`);
  }
  const bytes = typeof how === 'function' ? how(key) : how.serialize(key);
  if (bytes === null) throw new Error('a key to look up must not serialize to null');
  return defaultPartition(bytes, numPartitions);
}

function parseTaskId(id: string): { subtopology: number; partition: number } | null {
  const m = /^(\d+)_(\d+)$/.exec(id);
  return m === null ? null : { subtopology: Number(m[1]), partition: Number(m[2]) };
}

export class StreamsMetadataState {
  constructor(
    private readonly topology: Topology,
    private readonly source: MetadataSource,
  ) {}

  /** Every instance with an application.server, with what it serves. */
  allClients(): StreamsMetadata[] {
    const subtopologies = this.topology.subtopologies();
    const describe = (tasks: readonly string[]) => {
      const stores = new Set<string>();
      const partitions: TopicPartition[] = [];
      for (const id of tasks) {
        const t = parseTaskId(id);
        const st = t === null ? undefined : subtopologies[t.subtopology];
        if (st === undefined) continue;
        for (const s of st.stores) stores.add(s);
        for (const topic of st.sourceTopics) partitions.push({ topic: this.source.physicalTopic(topic), partition: t!.partition });
      }
      return { stores, partitions };
    };
    const standbys = this.source.standbyTasksByHost();
    const out: StreamsMetadata[] = [];
    for (const endpoint of new Set([...this.source.tasksByHost().keys(), ...standbys.keys()])) {
      const hostInfo = HostInfo.buildFromEndpoint(endpoint);
      if (hostInfo === null) continue;
      const active = describe(this.source.tasksByHost().get(endpoint) ?? []);
      const standby = describe(standbys.get(endpoint) ?? []);
      out.push({
        hostInfo,
        stateStoreNames: active.stores,
        topicPartitions: active.partitions,
        standbyStateStoreNames: standby.stores,
        standbyTopicPartitions: standby.partitions,
      });
    }
    return out;
  }

  /** Instances that have the store. */
  clientsWithStore(storeName: string): StreamsMetadata[] {
    return this.allClients().filter((m) => m.stateStoreNames.has(storeName));
  }

  /**
   * The instance and partition that serve `key` in `storeName`; null when no store has that name;
   * NOT_AVAILABLE while no instance is known to own the partition.
   */
  keyQueryMetadata<K>(storeName: string, key: K, how: KeyPartitioning<K>): KeyQueryMetadata | null {
    const st = this.topology.subtopologies().find((s) => s.stores.includes(storeName));
    if (st === undefined) return null;
    const count = this.source.taskCount(st.id);
    if (count === undefined) return KeyQueryMetadata.NOT_AVAILABLE;
    const topic = this.source.physicalTopic(st.sourceTopics[0] ?? storeName);
    const partition = partitionOf(how, key, topic, count);
    const task = `${st.id}_${partition}`;
    const standbyHosts: HostInfo[] = [];
    for (const [endpoint, tasks] of this.source.standbyTasksByHost()) {
      const host = HostInfo.buildFromEndpoint(endpoint);
      if (host !== null && tasks.includes(task)) standbyHosts.push(host);
    }
    for (const [endpoint, tasks] of this.source.tasksByHost()) {
      const host = HostInfo.buildFromEndpoint(endpoint);
      if (host !== null && tasks.includes(task)) return new KeyQueryMetadata(host, standbyHosts, partition);
    }
    // No active instance known (rebalancing): not available, as in Kafka Streams, even where standbys are.
    return KeyQueryMetadata.NOT_AVAILABLE;
  }
}
