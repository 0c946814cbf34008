/**
 * The parts of kafkajs 2.2.x below its public API that the Kafka backend drives directly.
 *
 * kafkajs's consumer pushes batches (`run({ eachBatch })`) and rejoins its group without telling
 * the application first; the runtime needs a poll-based member that commits its tasks before it
 * rejoins. So kstream runs the group protocol itself (JoinGroup / SyncGroup / Heartbeat / Fetch)
 * on kafkajs's protocol layer: a `Cluster` (connections, metadata, coordinators) and its `Broker`
 * objects, created exactly as kafkajs creates them for its own clients. Producers and the admin
 * client are kafkajs's public ones. kafkajs 2.2.4 is its last release, so these shapes are fixed.
 */
import { type Kafka } from 'kafkajs';

/** kafkajs's isolation levels (protocol values). */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

export interface JoinGroupResponse {
  readonly generationId: number;
  readonly groupProtocol: string;
  readonly leaderId: string;
  readonly memberId: string;
  readonly members: Array<{ memberId: string; memberMetadata: Buffer }>;
}

export interface ListOffsetsResponse {
  readonly responses: ReadonlyArray<{ readonly topic: string; readonly partitions: ReadonlyArray<{ readonly partition: number; readonly offset: string }> }>;
}

/** A kafkajs Broker: one connection to one broker node. */
export interface KBroker {
  readonly nodeId?: number;
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    groupProtocols: Array<{ name: string; metadata: Buffer }>;
  }): Promise<JoinGroupResponse>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }>;
  }): Promise<{ memberAssignment: Buffer }>;
  heartbeat(request: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
  disconnect(): Promise<void>;
  /** The broker's connections (Fetch goes on its own one). */
  readonly connectionPool: { send(request: unknown): Promise<unknown> };
  listOffsets(request: {
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: number }> }>;
  }): Promise<ListOffsetsResponse>;
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }>;
  }): Promise<{ responses: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; errorCode: number }> }> }>;
}

export interface PartitionMetadata {
  readonly partitionId: number;
  readonly leader: number;
}

/** A kafkajs Cluster: brokers, metadata of its target topics, coordinators. */
export interface KCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string | number }): Promise<KBroker>;
  findGroupCoordinator(group: { groupId: string }): Promise<KBroker>;
  removeBroker(options: { host: string; port: number }): void;
}

const CREATE_CLUSTER = 'private:Kafka:createCluster';

/**
 * A new Cluster with the client settings (brokers, TLS, SASL, timeouts, logger) of `kafka`, made
 * the way kafkajs makes the cluster of each of its producers, consumers and admins.
 */
export function createCluster(kafka: Kafka, options: { isolationLevel?: number; metadataMaxAge?: number } = {}): KCluster {
  const owner = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(owner).find((s) => s.description === CREATE_CLUSTER);
  const create = key === undefined ? undefined : owner[key];
  if (typeof create !== 'function') {
    throw new Error('this kafkajs version is not supported: kstream needs kafkajs 2.2.x');
  }
  return (create as (o: Record<string, unknown>) => KCluster)({
    metadataMaxAge: options.metadataMaxAge ?? 300_000,
    allowAutoTopicCreation: false,
    isolationLevel: options.isolationLevel ?? READ_COMMITTED,
  });
}
