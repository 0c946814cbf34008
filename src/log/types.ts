import type { RawHeaders } from '../processor/headers.js';
import type { FetchedEnds } from './fetched-ends.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** About the bytes a record to send takes (a string's length stands in for its UTF-8 size). */
export function approxRecordBytes(r: ProducedRecord): number {
  return 32 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
}

/**
 * Record bytes on the write path. A string stands for its UTF-8 bytes: string-serde keys and
 * values travel as strings until the log writes them (no intermediate Buffer per record).
 */
export type WireBytes = Buffer | string | null;

export function wireToBuffer(bytes: WireBytes): Buffer | null {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
}

/** A record to write. The partition is chosen by the writer (see murmur2.ts for the default). */
export interface ProducedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: WireBytes;
  readonly value: WireBytes;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

/** A record as the runtime queues it: read from the log, or handed over in-process (then it may hold strings). */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: WireBytes;
  readonly value: WireBytes;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: ConsumedRecord[];
  /** The partition's end (next offset to be written, committed data only) when the batch was read. */
  readonly endOffset: number;
  /**
   * Where the next fetch of the partition starts: past trailing transaction markers and aborted
   * records, which a read_committed reader skips (default: the last record's offset + 1). A batch
   * may hold no records and only move this position.
   */
  readonly nextOffset?: number;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly config?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface CommittedOffset {
  readonly offset: number;
  /** Free-form text stored with the offset (Kafka's offset metadata); kstream keeps partition time here. */
  readonly metadata?: string;
}

export interface OffsetToCommit extends TopicPartition, CommittedOffset {}

export interface LogAdmin {
  listTopics(): Promise<string[]>;
  /** Descriptions of the topics that exist; missing names are absent from the map. */
  describeTopics(names: readonly string[]): Promise<Map<string, TopicDescription>>;
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  createTopics(topics: readonly TopicSpec[]): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
  /** Per partition: the offset after the last committed record (what a read_committed reader can reach). */
  endOffsets(topic: string): Promise<number[]>;
  /**
   * Per partition: the offset after the last record written, committed or not (Kafka's high
   * watermark). A consumer that read everything up to it has seen every transaction end. A log
   * without open transactions returns its endOffsets.
   */
  logEndOffsets(topic: string): Promise<number[]>;
  beginningOffsets(topic: string): Promise<number[]>;
  committedOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, CommittedOffset>>;
  /** Deletes consumer groups that have no members (a transient query's group, once it ends); unknown ids are skipped. */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  /** Drops records below `offset` (repartition topics are purged once consumed, as Kafka Streams does). */
  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void>;
}

/** Reads one partition from an offset, outside any group: restores and the CLI use it. */
export interface PartitionReader {
  /** Up to `maxRecords` records from `offset`; an empty array at the end of the partition. */
  read(topic: string, partition: number, offset: number, maxRecords: number): Promise<ConsumedRecord[]>;
  close(): Promise<void>;
}

export interface RebalanceListener {
  /** Called (and awaited) from inside poll() when partitions are assigned. */
  onAssigned(partitions: TopicPartition[]): Promise<void>;
  /** Called (and awaited) before partitions are taken away; commit and close their tasks here. */
  onRevoked(partitions: TopicPartition[], lost: boolean): Promise<void>;
}

/** What a group member tells the group about the work behind its subscription. */
export interface SubscribeOptions {
  /**
   * Physical source topic → sub-topology id. The group assigns tasks: the partitions with one
   * number of the topics of one sub-topology always go to the same member.
   */
  readonly subtopologies?: ReadonlyMap<string, number>;
  /** Ids of tasks whose stores this member has on disk (the assignment prefers giving them back). */
  readonly localTasks?: () => readonly string[];
  /** host:port where this member answers interactive queries (application.server), shared through the group. */
  readonly applicationServer?: string;
  /** num.standby.replicas: standbys per stateful task (the leader's value is used). */
  readonly standbyReplicas?: number;
  /** Sub-topologies that have state stores (their tasks get standbys). */
  readonly statefulSubtopologies?: ReadonlySet<number>;
  /** Task id → the sum of the changelog offsets this member's state of the task has reached (-2: it runs the task, caught up). */
  readonly taskOffsetSums?: () => Readonly<Record<string, number>>;
  /** Warm-up replicas (KIP-441): the leader's values are used. */
  readonly warmups?: WarmupOptions;
}

export interface WarmupOptions {
  /** acceptable.recovery.lag */
  readonly acceptableRecoveryLag: number;
  /** max.warmup.replicas */
  readonly maxWarmupReplicas: number;
  /** probing.rebalance.interval.ms */
  readonly probingRebalanceIntervalMs: number;
  /** Sub-topology id → the physical changelog topics of its stores. */
  readonly changelogTopics: ReadonlyMap<number, readonly string[]>;
}

/** A member's standby tasks and every host's standby tasks, as of the last assignment. */
export interface StandbyAssignment {
  readonly tasks: readonly string[];
  /** host:port → standby task ids of the members with an application.server. */
  readonly hosts: ReadonlyMap<string, readonly string[]>;
}

/** The application's member of its consumer group (group id = application id). */
export interface GroupConsumer {
  subscribe(topics: readonly string[], listener: RebalanceListener, options?: SubscribeOptions): Promise<void>;
  /** Records fetched since the last poll; waits up to `maxWaitMs` when there are none. */
  poll(maxWaitMs: number): Promise<ConsumedBatch[]>;
  /** Sets where the next fetch of a partition starts. */
  seek(topic: string, partition: number, offset: number): void;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Ends poll()'s current wait early (used on shutdown and when local work appears). */
  wakeup(): void;
  /** Each assigned partition's end as of its latest fetch, records or not (-1 until fetched since the assignment). */
  readonly fetchedEnds: FetchedEnds;
  /**
   * host:port → task ids of every member with an application.server, as of the last assignment;
   * null on a log whose group has this process as its only member (see LogCapabilities.sharedGroup).
   */
  tasksByHost(): ReadonlyMap<string, readonly string[]> | null;
  /**
   * Kafka Streams' SHUTDOWN_APPLICATION, on a group other processes share: rejoins with a shutdown
   * request in the subscription, so that the leader answers every member with SHUTDOWN_REQUESTED
   * (their poll() then throws ShutdownRequestedError, see shutdown-requested.ts). Resolves true once
   * this member got that answer; false when the leader did not answer so within `timeoutMs`. Absent
   * on a log whose group has this process as its only member.
   */
  requestShutdown?(timeoutMs: number): Promise<boolean>;
  /** Standby tasks of the last assignment (none on a log whose group has one member). */
  standbyTasks(): StandbyAssignment;
  close(): Promise<void>;
}

export interface TaskCommit {
  readonly taskId: string;
  readonly offsets: readonly OffsetToCommit[];
}

/**
 * Writes for a group of tasks. `send` is fire-and-forget (buffered, batched); `commit` makes the
 * records sent for those tasks since their last commit visible together with their input offsets,
 * atomically under exactly_once. It resolves with the end offset of every partition written by the
 * committed tasks (the next offset after their last record), which stores use as checkpoints.
 */
export interface TaskProducer {
  /**
   * Prepares writes for tasks this worker just got, before they read offsets or restore. A log
   * with per-task transactions initializes each task's transactional producer here, which fences
   * (and aborts the open transaction of) any earlier owner of the task; others have nothing to do.
   */
  openTasks(taskIds: readonly string[]): Promise<void>;
  /** Releases what openTasks took, once the tasks were committed or aborted. */
  closeTasks(taskIds: readonly string[]): Promise<void>;
  send(taskId: string, records: readonly ProducedRecord[]): void;
  commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>>;
  /** Drops what was sent for these tasks since their last commit (exactly_once only). */
  abort(taskIds: readonly string[]): Promise<void>;
  /** Bytes sent and not yet committed (the runtime commits early when this grows large). */
  bufferedBytes(): number;
  close(): Promise<void>;
}

/**
 * A commit found that tasks are no longer this worker's to write (Kafka Streams'
 * TaskMigratedException): another worker took them over and fenced this one, or their transaction
 * could not complete. Their uncommitted work was dropped; the worker must close them (dropping
 * pending store writes) and let the group assign them again. The other tasks of the commit did
 * commit: `committedEnds` holds their partition end offsets.
 */
export class TaskMigratedError extends Error {
  override readonly name = 'TaskMigratedError';
  constructor(
    message: string,
    readonly lostTaskIds: readonly string[],
    readonly committedEnds: ReadonlyMap<string, number>,
  ) {
    super(message);
  }
}

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

export interface LogOptions {
  readonly guarantee: ProcessingGuarantee;
  readonly applicationId: string;
  /**
   * exactly_once: one transactional producer per task (`exactly_once`, the default) or one per
   * worker with offsets fenced by the group's generation (`exactly_once_v2`, KIP-447). Logs with
   * one local transaction (embedded) treat both alike.
   */
  readonly transactionalProducers?: 'per-task' | 'per-worker';
  /**
   * The worker's id, kept in its state directory (runtime/process-id.ts): the per-worker
   * transactional id is `<application.id>-<processId>`, so a restarted worker fences its killed
   * predecessor and aborts its open transaction at once. A random id when absent.
   */
  readonly processId?: string;
}

/**
 * A task producer whose commit can leave out records that were handed over in-process: per
 * partition (tpKey), the first `consumed` records the commit writes to it, because their only
 * reader (a task of this worker, whose offset commits in the same atomic step) already consumed
 * them. Their offsets stay taken, as a gap readers skip, like a compacted topic's.
 */
/**
 * Records of one repartition partition that the in-process hand-off kept out of the producer: the
 * first `gap` offsets were consumed in-process and are not written; `records` follow them.
 */
export interface HandedOffRecords {
  readonly topic: string;
  readonly partition: number;
  readonly gap: number;
  readonly records: readonly ProducedRecord[];
}

export interface HandoffTaskProducer extends TaskProducer {
  /** Commits like commit(), writing the hand-off's records of its partitions (after their gaps) in the same atomic step. */
  commitWithHandedOff(groupId: string, commits: readonly TaskCommit[], handedOff: readonly HandedOffRecords[]): Promise<Map<string, number>>;
}

/** A log's part of the in-process hand-off (see LogCapabilities.inProcessHandoff). */
export interface InProcessHandoff {
  taskProducer(options: LogOptions): HandoffTaskProducer;
}

/** What a backend can do; the runtime decides by these, never by which backend it is. */
export interface LogCapabilities {
  /**
   * Other processes may be members of the application's group: a worker is idle only once the
   * group's committed offsets reach the end of every input partition (transaction markers included).
   */
  readonly sharedGroup: boolean;
  /**
   * The task producer holds what it is sent in memory until a commit writes it (no background
   * sends): a worker that would idle with output pending commits at once, since its own
   * downstream tasks and every reader wait for it.
   */
  readonly buffersUntilCommit: boolean;
  /**
   * Non-null where a worker's commit of all its tasks is one atomic local step and no other
   * process reads its internal topics: records a task writes to a repartition partition that a
   * task of the same worker reads may be queued for that task at once (runtime/repartition-handoff.ts).
   */
  readonly inProcessHandoff: InProcessHandoff | null;
}

/** Held while this process runs an application on a log; released when it stops. */
export interface ApplicationClaim {
  release(): Promise<void>;
}

/** A log backend: the embedded durable log or Apache Kafka. */
export interface Log {
  readonly capabilities: LogCapabilities;
  /** Human-readable location, e.g. the data dir or the bootstrap servers. */
  readonly location: string;
  /**
   * Claims the application for this process before it starts, failing with one line when another
   * live process holds it: on a log whose group has one member, the application on this log; on a
   * shared group, the worker's state directory (two processes must never open one task's stores).
   */
  claimApplication(applicationId: string, stateDir: string): Promise<ApplicationClaim>;
  admin(): LogAdmin;
  groupConsumer(groupId: string, options: { readCommitted: boolean }): GroupConsumer;
  taskProducer(options: LogOptions): TaskProducer;
  reader(options?: { readCommitted?: boolean }): PartitionReader;
  /** Appends records outside any transaction (the `produce` CLI, test inputs). Resolves when durable. */
  append(records: readonly ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}
