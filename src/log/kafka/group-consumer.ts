/**
 * The application's member of its consumer group on Kafka, poll-based like Java's KafkaConsumer.
 *
 * - Membership: JoinGroup / SyncGroup with the task assigner (protocol type `consumer`, so Kafka's
 *   tools show the group), heartbeats on a timer (so they go on while the worker restores or
 *   processes), LeaveGroup on close.
 * - Rebalances are cooperative (KIP-429) by default: the member keeps its partitions while it
 *   rejoins in the background (poll() goes on returning their records, and the runtime goes on
 *   processing and committing them), sends the tasks it owns in its subscription, and once the
 *   new assignment arrives, revokes only what it lost and is told only what it gained (listener
 *   calls from inside poll()). If it revoked anything it rejoins at once, so that the freed tasks
 *   are handed out in a follow-up rebalance (the assignor never gives a task to a new owner in the
 *   generation that takes it from the old one). With `kstream.rebalance.protocol=eager`, every
 *   owned partition is revoked before the member rejoins. When the member was thrown out of the
 *   group (session expired, new member id), what it owned is reported lost instead.
 * - Fetching runs in the background, one request per leader at a time, and stops for partitions
 *   whose fetched data poll() has not taken yet, for paused partitions, for partitions that
 *   have not been positioned with seek(), and altogether while the fetched data not yet polled
 *   reaches `fetch.max.bytes` (fetch-buffer.ts).
 */
import type { Kafka, Logger as KafkaJsLogger } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import {
  tpKey,
  type ConsumedBatch,
  type GroupConsumer,
  type RebalanceListener,
  type StandbyAssignment,
  type SubscribeOptions,
  type TopicPartition,
} from '../types.js';
import type { KafkaTuning } from './client-config.js';
import { KafkaUnavailableError, isRetriableError, kafkaErrorMessage, retrying } from './errors.js';
import { READ_COMMITTED, READ_UNCOMMITTED, createCluster, type KBroker, type KCluster } from './kafkajs-internals.js';
import { fetchFrom, RecordSetCursor, type FetchedPartition } from './fetch.js';
import { FetchBuffer } from './fetch-buffer.js';
import { decodeAssignment, taskAssigner, taskId, type TaskSpec } from './task-assigner.js';
import { ShutdownRequestedError } from '../shutdown-requested.js';
import { FetchedEnds } from '../fetched-ends.js';

interface KafkaJsErrorLike {
  name?: string;
  type?: string;
  topic?: string;
  partition?: number;
}

/** Errors of the group protocol after which the member simply joins again. */
const REJOIN_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'MEMBER_ID_REQUIRED']);
const COORDINATOR_TYPES = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS']);

class Signal {
  private waiters: Array<() => void> = [];
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      this.waiters.push(done);
    });
  }
  fire(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

export interface GroupMembership {
  readonly generationId: number;
  readonly memberId: string;
  /** A JoinGroup/SyncGroup is under way: the generation may change before the commit reaches the coordinator. */
  readonly rebalancing: boolean;
}

/** What a completed JoinGroup/SyncGroup handed this member. */
interface JoinResult {
  readonly partitions: TopicPartition[];
  readonly tasks: string[];
  readonly hosts: Map<string, string[]>;
  readonly standby: StandbyAssignment;
  readonly warmups: readonly string[];
  readonly probeAfterMs: number | null;
  /** The tasks this member claimed in the subscription that got this assignment. */
  readonly claimed: readonly string[];
}

export class KafkaGroupConsumer implements GroupConsumer {
  private readonly groupCluster: KCluster;
  private readonly fetchCluster: KCluster;
  private readonly isolationLevel: number;
  private topics: string[] = [];
  private listener: RebalanceListener | null = null;
  private options: SubscribeOptions = {};
  private assigner: ReturnType<ReturnType<typeof taskAssigner>> | null = null;

  // membership
  private memberId = '';
  private generationId = -1;
  private coordinator: KBroker | null = null;
  private stable = false;
  private needsJoin = true;
  private lost = false;
  private readonly cooperative: boolean;
  /** The rejoin under way in the background (cooperative), its outcome until poll() applies it. */
  private joining: Promise<void> | null = null;
  private joinResult: JoinResult | null = null;
  private joinError: unknown = null;
  /** Tasks owned since the generation (and member id) of the last completed SyncGroup. */
  private ownedTasks: string[] = [];
  private ownedGeneration = -1;
  private ownedMember = '';
  /** Eager: the partitions revoked before the rejoin under way (lost if the member missed a generation). */
  private revokedForJoin: TopicPartition[] = [];
  private standby: StandbyAssignment = { tasks: [], hosts: new Map() };
  private lastHeartbeatOk = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** The probing rebalance the last assignment asked for (warm-up replicas to check on). */
  private probeTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;

  // assignment and fetching
  private assigned: TopicPartition[] = [];
  /** application.server → tasks, from the last assignment (interactive query routing). */
  private hosts: ReadonlyMap<string, readonly string[]> = new Map();
  private readonly assignedKeys = new Set<string>();
  private readonly positions = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly buffer: FetchBuffer;
  readonly fetchedEnds = new FetchedEnds();
  /** Where fetchPlan starts in the assignment: turns each fetch, so a full response starves no partition. */
  private fetchRotation = 0;
  private readonly dataSignal = new Signal();
  private readonly fetchSignal = new Signal();
  private fetchLoop: Promise<void> | null = null;
  private fetchFailingSince = 0;
  private woken = false;
  private closed = false;
  private fatal: Error | null = null;
  /** This member asked the group to shut down (SHUTDOWN_APPLICATION). */
  private shuttingDown = false;

  constructor(
    kafka: Kafka,
    private readonly groupId: string,
    readCommitted: boolean,
    private readonly tuning: KafkaTuning,
    private readonly logger: Logger,
    private readonly onClose: () => void = () => {},
  ) {
    this.isolationLevel = readCommitted ? READ_COMMITTED : READ_UNCOMMITTED;
    this.buffer = new FetchBuffer(tuning.fetchMaxBytes, tuning.maxPollRecords);
    this.cooperative = tuning.rebalanceProtocol === 'cooperative';
    // Separate connections: heartbeats must not queue behind a fetch waiting for data.
    this.groupCluster = createCluster(kafka, { isolationLevel: this.isolationLevel });
    this.fetchCluster = createCluster(kafka, { isolationLevel: this.isolationLevel });
  }

  /**
   * Generation and member id for offset commits: valid while the member holds an assignment and
   * while it rejoins (the coordinator accepts commits of the current generation during a
   * rebalance's join phase; the generation of a JoinGroup response once the group has moved on).
   */
  membership(): GroupMembership | null {
    if (this.memberId === '' || this.lost || this.generationId < 0) return null;
    return { generationId: this.generationId, memberId: this.memberId, rebalancing: this.joining !== null || this.joinResult !== null };
  }

  async requestShutdown(timeoutMs: number): Promise<boolean> {
    if (this.closed || this.memberId === '') return false;
    this.shuttingDown = true;
    this.stable = false;
    this.clearAssignment();
    try {
      // The member stays in the group while it asks: its tasks go nowhere before everyone stops.
      await retrying('asking the group to shut down', () => this.joinAndSync(), { ...this.retryOptions(`group ${this.groupId}`), timeoutMs });
      return false;
    } catch (error) {
      if (error instanceof ShutdownRequestedError) return true;
      throw error;
    }
  }

  /** Makes the next poll() rejoin the group (e.g. after a task was found fenced). */
  requestRejoin(reason: string): void {
    if (this.closed) return;
    this.logger.info(`group ${this.groupId}: rejoining (${reason})`);
    this.needsJoin = true;
    this.dataSignal.fire();
  }

  /**
   * The runtime closed these tasks as lost (fenced, or their transaction failed): this member no
   * longer claims them, stops fetching their partitions and rejoins, so that they are assigned
   * again (to it or another member) and start afresh.
   */
  tasksLost(taskIds: readonly string[]): void {
    const ids = new Set(taskIds);
    const subtopologies = this.options.subtopologies ?? new Map<string, number>();
    const dropped = this.assigned.filter((tp) => {
      const st = subtopologies.get(tp.topic);
      return st !== undefined && ids.has(taskId(st, tp.partition));
    });
    this.dropPartitions(dropped);
    this.ownedTasks = this.ownedTasks.filter((id) => !ids.has(id));
    this.requestRejoin(`task${taskIds.length > 1 ? 's' : ''} ${taskIds.join(', ')} lost`);
  }

  private retryOptions(what: string) {
    return {
      timeoutMs: this.tuning.taskTimeoutMs,
      aborted: () => this.closed,
      onRetry: (error: unknown, attempt: number) => {
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`${what}: ${kafkaErrorMessage(error)}; retrying`);
      },
    };
  }

  async subscribe(topics: readonly string[], listener: RebalanceListener, options: SubscribeOptions = {}): Promise<void> {
    this.topics = [...topics].sort();
    this.listener = listener;
    this.options = options;
    this.assigner = taskAssigner({
      subtopologies: options.subtopologies ?? new Map(),
      owned: () => ({ tasks: this.ownedTasks, generation: this.ownedGeneration }),
      local: () => options.localTasks?.() ?? [],
      cooperative: this.cooperative,
      ...(options.applicationServer !== undefined ? { server: options.applicationServer } : {}),
      shutdown: () => this.shuttingDown,
      standbyReplicas: options.standbyReplicas ?? 0,
      ...(options.statefulSubtopologies !== undefined ? { statefulSubtopologies: options.statefulSubtopologies } : {}),
      ...(options.taskOffsetSums !== undefined ? { offsetSums: options.taskOffsetSums } : {}),
      ...(options.warmups !== undefined ? { warmups: { ...options.warmups, changelogEndSums: (tasks: readonly TaskSpec[]) => this.changelogEndSums(tasks, options.warmups!.changelogTopics) } } : {}),
      onAssignment: (a) => this.logger.info(`group ${this.groupId}: assigned ${[...a].map(([m, t]) => `${m.slice(-8)}=[${t.join(',')}]`).join(' ')}`),
    })({ cluster: this.groupCluster as never, groupId: this.groupId, logger: quietKafkaJsLogger });
    await retrying(
      'connecting to Kafka',
      async () => {
        await this.groupCluster.connect();
        await this.fetchCluster.connect();
        await this.groupCluster.addMultipleTargetTopics(this.topics);
        await this.fetchCluster.addMultipleTargetTopics(this.topics);
      },
      this.retryOptions('connecting to Kafka'),
    );
    this.needsJoin = true;
    this.scheduleHeartbeat();
  }

  // ---- poll ------------------------------------------------------------------------------

  async poll(maxWaitMs: number): Promise<ConsumedBatch[]> {
    if (this.fatal !== null) throw this.fatal;
    if (this.closed) return [];
    if (this.stable && !this.lost && Date.now() - this.lastHeartbeatOk > this.tuning.sessionTimeoutMs) {
      // The process was stopped or cut off for longer than the session: the group moved on.
      this.logger.warn(`group ${this.groupId}: no heartbeat for ${Date.now() - this.lastHeartbeatOk} ms; rejoining, tasks count as lost`);
      this.lost = true;
      this.needsJoin = true;
    }
    if (this.lost) await this.revokeAllAsLost();
    if (this.joinResult !== null) await this.completeJoin();
    if (this.needsJoin && this.joining === null && !this.closed) await this.startJoin();
    if (this.joining !== null && this.assigned.length === 0) {
      // Nothing to process meanwhile (first join, or eager): wait for the assignment, or a wakeup (stop).
      while (this.joining !== null && !this.woken && !this.closed) await this.dataSignal.wait(1000);
      this.throwJoinError();
      if (this.joinResult !== null) await this.completeJoin();
      if (this.needsJoin && this.joining === null && !this.closed) await this.startJoin();
    }
    this.throwJoinError();
    if (!this.buffer.hasReady(this.paused) && maxWaitMs > 0 && !this.needsJoin && this.joinResult === null && !this.woken) {
      await this.dataSignal.wait(maxWaitMs);
      if (this.fatal !== null) throw this.fatal;
    }
    this.woken = false;
    if (!this.buffer.hasReady(this.paused)) return [];
    const out = this.buffer.take(this.paused);
    // A buffered partition was left out of the fetches since its batch, so its end may be older
    // than records of other partitions handed over now (appended after it): once its queue is
    // drained, a task waits for a response that includes it again instead of taking it as caught up.
    for (const b of out) this.fetchedEnds.forget(tpKey(b.topic, b.partition));
    this.fetchSignal.fire();
    return out;
  }

  tasksByHost(): ReadonlyMap<string, readonly string[]> {
    return this.hosts;
  }

  standbyTasks(): StandbyAssignment {
    return this.standby;
  }

  wakeup(): void {
    this.woken = true;
    this.dataSignal.fire();
  }

  seek(topic: string, partition: number, offset: number): void {
    const key = tpKey(topic, partition);
    this.positions.set(key, offset);
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    this.buffer.drop(topic, partition);
    this.fetchSignal.fire();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(tpKey(tp.topic, tp.partition));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tpKey(tp.topic, tp.partition));
    this.fetchSignal.fire();
  }

  // ---- rebalance -------------------------------------------------------------------------

  /** The member was thrown out of the group: everything it owned is lost, and it claims nothing. */
  private async revokeAllAsLost(): Promise<void> {
    const owned = this.assigned;
    this.lost = false;
    this.stable = false;
    this.clearAssignment();
    // A cooperative claim makes the leader withhold the task from others until this member
    // revokes it; a lost task is not this member's to revoke.
    if (this.cooperative) this.ownedTasks = [];
    if (owned.length > 0) await this.listener!.onRevoked(owned, true);
  }

  /** Starts JoinGroup/SyncGroup in the background; eager members first revoke everything. */
  private async startJoin(): Promise<void> {
    this.stable = false;
    this.needsJoin = false;
    if (!this.cooperative && this.assigned.length > 0) {
      const owned = this.assigned;
      this.revokedForJoin = owned;
      await this.listener!.onRevoked(owned, false);
      this.clearAssignment();
    }
    this.joining = retrying('joining the consumer group', () => this.joinAndSync(), this.retryOptions(`joining group ${this.groupId}`))
      .then(
        (result) => {
          this.joinResult = result;
        },
        (error: unknown) => {
          this.joinError = error;
        },
      )
      .finally(() => {
        this.joining = null;
        this.dataSignal.fire();
      });
  }

  private throwJoinError(): void {
    const error = this.joinError;
    if (error === null) return;
    this.joinError = null;
    throw error;
  }

  /**
   * Applies a completed SyncGroup: revokes what was taken away (the runtime commits and suspends
   * those tasks; it goes on with the others) and hands over what was added. A member that revoked
   * anything rejoins at once, so that its former tasks reach their new owners.
   */
  private async completeJoin(): Promise<void> {
    const { partitions, tasks, hosts, standby, probeAfterMs, claimed } = this.joinResult!;
    this.joinResult = null;
    this.scheduleProbe(probeAfterMs);
    const listener = this.listener!;
    const memberChanged = this.ownedMember !== '' && this.memberId !== this.ownedMember;
    if (this.revokedForJoin.length > 0) {
      // Eager: revoked as still ours; if the group went on without this member in between (new
      // member id, or a generation it did not take part in), they were not.
      const revoked = this.revokedForJoin;
      this.revokedForJoin = [];
      if (memberChanged || this.generationId !== this.ownedGeneration + 1) {
        this.logger.info(`group ${this.groupId}: generation ${this.ownedGeneration} → ${this.generationId}; earlier tasks count as lost`);
        await listener.onRevoked(revoked, true);
      }
    } else if (memberChanged && this.assigned.length > 0) {
      // The group removed this member (e.g. its session expired) while it was rejoining.
      this.logger.info(`group ${this.groupId}: member ${this.ownedMember.slice(-8)} → ${this.memberId.slice(-8)}; earlier tasks count as lost`);
      const owned = this.assigned;
      this.clearAssignment();
      await listener.onRevoked(owned, true);
    }
    const next = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    const revoked = this.assigned.filter((tp) => !next.has(tpKey(tp.topic, tp.partition)));
    const added = partitions.filter((tp) => !this.assignedKeys.has(tpKey(tp.topic, tp.partition)));
    this.ownedTasks = tasks;
    this.ownedGeneration = this.generationId;
    this.ownedMember = this.memberId;
    this.hosts = hosts;
    this.standby = standby;
    if (revoked.length > 0) {
      this.logger.info(`group ${this.groupId}: revoking ${revoked.length} partition(s) [${revoked.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')}]; rejoining so that they move`);
      await listener.onRevoked(revoked, false);
      this.dropPartitions(revoked);
      this.needsJoin = true;
    } else if (this.cooperative && claimed.some((id) => !tasks.includes(id))) {
      // The leader withheld tasks this member claimed, for a follow-up rebalance that this member
      // would trigger by revoking them; it no longer had them (closed as lost meanwhile), so it
      // rejoins anyway, or the withheld tasks would wait for an owner until the next rebalance.
      this.logger.info(`group ${this.groupId}: tasks [${claimed.filter((id) => !tasks.includes(id)).join(', ')}] claimed in the join were taken; rejoining so that they move`);
      this.needsJoin = true;
    }
    for (const key of [...this.paused]) if (!next.has(key)) this.paused.delete(key);
    this.assigned = partitions;
    for (const k of next) this.assignedKeys.add(k);
    this.stable = true;
    this.lastHeartbeatOk = Date.now();
    await listener.onAssigned(added);
    this.startFetching();
  }

  /** Stops fetching these partitions and drops what was fetched for them. */
  private dropPartitions(partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    const keys = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    this.assigned = this.assigned.filter((tp) => !keys.has(tpKey(tp.topic, tp.partition)));
    for (const key of keys) {
      this.assignedKeys.delete(key);
      this.paused.delete(key);
      if (this.positions.delete(key)) this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
      this.fetchedEnds.forget(key);
    }
    for (const tp of partitions) this.buffer.drop(tp.topic, tp.partition);
  }

  private clearAssignment(): void {
    this.fetchedEnds.clear();
    this.assigned = [];
    this.assignedKeys.clear();
    for (const key of this.positions.keys()) this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    this.positions.clear();
    this.buffer.clear();
  }

  private async coordinatorBroker(): Promise<KBroker> {
    if (this.coordinator === null) this.coordinator = await this.groupCluster.findGroupCoordinator({ groupId: this.groupId });
    return this.coordinator;
  }

  private async joinAndSync(): Promise<JoinResult> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return { partitions: [], tasks: [], hosts: new Map(), standby: { tasks: [], hosts: new Map() }, warmups: [], probeAfterMs: null, claimed: [] };
      try {
        const coordinator = await this.coordinatorBroker();
        const claimed = this.ownedTasks;
        const join = await coordinator.joinGroup({
          groupId: this.groupId,
          sessionTimeout: this.tuning.sessionTimeoutMs,
          rebalanceTimeout: this.tuning.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupProtocols: [this.assigner!.protocol({ topics: this.topics })],
        });
        this.memberId = join.memberId;
        this.generationId = join.generationId;
        let groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }> = [];
        if (join.leaderId === join.memberId) {
          await this.groupCluster.refreshMetadata();
          groupAssignment = await this.assigner!.assign({ members: join.members, topics: this.topics });
        }
        const sync = await coordinator.syncGroup({
          groupId: this.groupId,
          generationId: join.generationId,
          memberId: join.memberId,
          groupAssignment,
        });
        const { partitions, tasks, hosts, standby, standbyHosts, warmups, probeAfterMs, shutdownRequested } = decodeAssignment(sync.memberAssignment);
        if (shutdownRequested) throw (this.fatal = new ShutdownRequestedError(this.groupId));
        this.logger.info(
          `group ${this.groupId}: generation ${this.generationId}, member ${this.memberId.slice(-8)}${join.leaderId === join.memberId ? ' (leader)' : ''}: tasks [${tasks.join(', ')}]${standby.length > 0 ? `, standby [${standby.join(', ')}]` : ''}${warmups.length > 0 ? ` (warm-up [${warmups.join(', ')}])` : ''}${probeAfterMs !== null ? `; probing rebalance in ${probeAfterMs} ms` : ''}`,
        );
        return { partitions: partitions.filter((p) => this.topics.includes(p.topic)), tasks, hosts, standby: { tasks: standby, hosts: standbyHosts }, warmups, probeAfterMs, claimed };
      } catch (error) {
        const e = error as KafkaJsErrorLike;
        if (e.type === 'UNKNOWN_MEMBER_ID') this.memberId = '';
        if (e.type !== undefined && COORDINATOR_TYPES.has(e.type)) this.coordinator = null;
        if (isRetriableError(error)) this.coordinator = null;
        if (e.type !== undefined && (REJOIN_TYPES.has(e.type) || COORDINATOR_TYPES.has(e.type)) && attempt < 1000) {
          await new Promise((r) => setTimeout(r, Math.min(500, 20 * (attempt + 1))));
          continue;
        }
        if (e.type === 'INCONSISTENT_GROUP_PROTOCOL') {
          throw new Error(`consumer group '${this.groupId}' is used by another application with a different assignment protocol`);
        }
        throw error;
      }
    }
  }

  /** Rejoins after `afterMs` (a probing rebalance), replacing the one scheduled before; null: none. */
  private scheduleProbe(afterMs: number | null): void {
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (afterMs === null || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.requestRejoin('probing rebalance: are the warm-up replicas caught up?');
    }, afterMs);
    this.probeTimer.unref();
  }

  /**
   * Per stateful task, the sum of the end offsets of its changelog partitions (for the warm-up
   * lag check); an empty map (every member counts as caught up) when they cannot be read.
   */
  private async changelogEndSums(tasks: readonly TaskSpec[], changelogTopics: ReadonlyMap<number, readonly string[]>): Promise<Map<string, number>> {
    const topics = [...new Set(tasks.flatMap((t) => changelogTopics.get(t.subtopology) ?? []))];
    if (topics.length === 0) return new Map();
    try {
      return await this.readChangelogEndSums(tasks, topics, changelogTopics);
    } catch {
      // A leader moved (a broker restarted): once more with fresh metadata.
    }
    try {
      await this.groupCluster.refreshMetadata();
      return await this.readChangelogEndSums(tasks, topics, changelogTopics);
    } catch (error) {
      this.logger.warn(`group ${this.groupId}: cannot read the changelogs' end offsets (${kafkaErrorMessage(error)}); assigning without warm-up replicas`);
      return new Map();
    }
  }

  /** Per task, the sum of its changelog partitions' end offsets (ListOffsets at each leader). */
  private async readChangelogEndSums(tasks: readonly TaskSpec[], topics: readonly string[], changelogTopics: ReadonlyMap<number, readonly string[]>): Promise<Map<string, number>> {
    await this.groupCluster.addMultipleTargetTopics([...topics]);
    const ends = new Map<string, number>();
    await Promise.all(
      topics.map(async (topic) => {
        const partitions = this.groupCluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
        const leaders = this.groupCluster.findLeaderForPartitions(topic, partitions);
        await Promise.all(
          Object.entries(leaders).map(async ([node, ps]) => {
            const broker = await this.groupCluster.findBroker({ nodeId: node });
            const r = await broker.listOffsets({ isolationLevel: this.isolationLevel, topics: [{ topic, partitions: ps.map((partition) => ({ partition, timestamp: -1 })) }] });
            for (const t of r.responses) for (const p of t.partitions) ends.set(tpKey(topic, p.partition), Number(p.offset));
          }),
        );
      }),
    );
    const sums = new Map<string, number>();
    for (const t of tasks) {
      let sum = 0;
      for (const topic of changelogTopics.get(t.subtopology) ?? []) sum += ends.get(tpKey(topic, t.partition)) ?? 0;
      sums.set(t.id, sum);
    }
    return sums;
  }

  // ---- heartbeats ------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    if (this.closed || this.heartbeatTimer !== null) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      void this.heartbeat().finally(() => this.scheduleHeartbeat());
    }, this.tuning.heartbeatIntervalMs);
  }

  private async heartbeat(): Promise<void> {
    if (!this.stable || this.needsJoin || this.heartbeating || this.memberId === '') return;
    this.heartbeating = true;
    const generation = this.generationId;
    try {
      const coordinator = await this.coordinatorBroker();
      await coordinator.heartbeat({ groupId: this.groupId, groupGenerationId: generation, memberId: this.memberId });
      if (generation === this.generationId) this.lastHeartbeatOk = Date.now();
    } catch (error) {
      if (generation !== this.generationId || !this.stable) return;
      const type = (error as KafkaJsErrorLike).type;
      if (type === 'REBALANCE_IN_PROGRESS') {
        this.logger.info(`group ${this.groupId}: rebalance in progress`);
        this.needsJoin = true;
        this.dataSignal.fire();
      } else if (type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') {
        this.logger.warn(`group ${this.groupId}: this member is no longer part of generation ${generation} (${type}); rejoining`);
        if (type === 'UNKNOWN_MEMBER_ID') this.memberId = '';
        this.lost = true;
        this.needsJoin = true;
        this.dataSignal.fire();
      } else {
        this.coordinator = null;
        if (Date.now() - this.lastHeartbeatOk > this.tuning.sessionTimeoutMs) {
          this.logger.warn(`group ${this.groupId}: heartbeats failing for longer than the session (${kafkaErrorMessage(error)})`);
          this.lost = true;
          this.needsJoin = true;
          this.dataSignal.fire();
        }
      }
    } finally {
      this.heartbeating = false;
    }
  }

  // ---- fetching --------------------------------------------------------------------------

  private startFetching(): void {
    if (this.fetchLoop === null) {
      this.fetchLoop = this.runFetcher().finally(() => {
        this.fetchLoop = null;
      });
    }
    this.fetchSignal.fire();
  }

  private async runFetcher(): Promise<void> {
    while (!this.closed && this.fatal === null) {
      // Cooperative members go on fetching what they own while they rejoin.
      if (this.lost || (!this.cooperative && (!this.stable || this.needsJoin))) {
        await this.fetchSignal.wait(200);
        continue;
      }
      // At the byte bound of fetched data not yet polled: wait for poll() to take it.
      const plan = this.buffer.room() > 0 ? this.fetchPlan() : null;
      if (plan === null || plan.size === 0) {
        await this.fetchSignal.wait(500);
        continue;
      }
      // Leaders are fetched from at once: each asks for its share of the room left.
      const share = Math.max(1, Math.floor(this.buffer.room() / plan.size));
      await Promise.all([...plan].map(([node, parts]) => this.fetchFrom(node, parts, share)));
    }
  }

  /** Leader node → partitions to fetch now, with their positions. */
  private fetchPlan(): Map<string, Array<{ topic: string; partition: number; offset: number; epoch: number }>> {
    const plan = new Map<string, Array<{ topic: string; partition: number; offset: number; epoch: number }>>();
    const byTopic = new Map<string, number[]>();
    const assigned = this.assigned;
    const start = assigned.length === 0 ? 0 : this.fetchRotation++ % assigned.length;
    for (let i = 0; i < assigned.length; i++) {
      const tp = assigned[(start + i) % assigned.length]!;
      const key = tpKey(tp.topic, tp.partition);
      if (this.paused.has(key) || this.buffer.holds(tp.topic, tp.partition) || !this.positions.has(key)) continue;
      let list = byTopic.get(tp.topic);
      if (list === undefined) byTopic.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    for (const [topic, partitions] of byTopic) {
      let leaders: Record<string, number[]>;
      try {
        leaders = this.fetchCluster.findLeaderForPartitions(topic, partitions);
      } catch {
        void this.fetchCluster.refreshMetadata().catch(() => undefined);
        continue;
      }
      for (const [node, ps] of Object.entries(leaders)) {
        let list = plan.get(node);
        if (list === undefined) plan.set(node, (list = []));
        for (const partition of ps) {
          const key = tpKey(topic, partition);
          list.push({ topic, partition, offset: this.positions.get(key)!, epoch: this.epochs.get(key) ?? 0 });
        }
      }
    }
    return plan;
  }

  private async fetchFrom(node: string, parts: Array<{ topic: string; partition: number; offset: number; epoch: number }>, maxBytes: number): Promise<void> {
    const topics = new Map<string, Array<{ partition: number; fetchOffset: string; maxBytes: number }>>();
    for (const p of parts) {
      let list = topics.get(p.topic);
      if (list === undefined) topics.set(p.topic, (list = []));
      list.push({ partition: p.partition, fetchOffset: String(p.offset), maxBytes: this.tuning.partitionFetchMaxBytes });
    }
    const requested = new Map(parts.map((p) => [tpKey(p.topic, p.partition), p]));
    try {
      const broker = await this.fetchCluster.findBroker({ nodeId: node });
      const responses = await fetchFrom(broker, {
        isolationLevel: this.isolationLevel,
        maxWaitTime: this.tuning.fetchMaxWaitMs,
        minBytes: 1,
        maxBytes,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
      this.fetchFailingSince = 0;
      let added = false;
      for (const t of responses) {
        for (const data of t.partitions) {
          const key = tpKey(t.topicName, data.partition);
          const req = requested.get(key);
          if (req === undefined || (this.epochs.get(key) ?? 0) !== req.epoch || !this.assignedKeys.has(key)) continue;
          if (data.errorCode === 0) this.fetchedEnds.set(key, this.endOf(data));
          if (this.accept(t.topicName, data, req.offset)) added = true;
        }
      }
      if (added) this.dataSignal.fire();
    } catch (error) {
      await this.onFetchError(error, requested);
    }
  }

  /** Buffers one partition's fetched data for poll() (decoded there); true when there is something to hand over. */
  private accept(topic: string, data: FetchedPartition, offset: number): boolean {
    const cursor = new RecordSetCursor(topic, data, offset);
    const nextOffset = cursor.fetchEnd;
    if (cursor.done && nextOffset <= offset) return false;
    this.positions.set(tpKey(topic, data.partition), nextOffset);
    this.buffer.add(topic, data.partition, cursor, this.endOf(data), data.recordSet.length);
    return true;
  }

  /** What a consumer of this isolation level can read up to: the last stable offset under read_committed. */
  private endOf(data: FetchedPartition): number {
    return this.isolationLevel === READ_COMMITTED && data.lastStableOffset >= 0 ? data.lastStableOffset : data.highWatermark;
  }

  private async onFetchError(error: unknown, requested: Map<string, { topic: string; partition: number; offset: number; epoch: number }>): Promise<void> {
    if (this.closed) return;
    const e = error as KafkaJsErrorLike;
    if (e.name === 'KafkaJSOffsetOutOfRange' && e.topic !== undefined && e.partition !== undefined) {
      const key = tpKey(e.topic, e.partition);
      const req = requested.get(key);
      if (req !== undefined && (this.epochs.get(key) ?? 0) === req.epoch) {
        const start = await this.earliest(e.topic, e.partition).catch(() => undefined);
        if (start !== undefined && (this.epochs.get(key) ?? 0) === req.epoch) {
          this.logger.warn(`${e.topic}-${e.partition}: offset ${req.offset} is out of range; continuing at the log start ${start}`);
          this.positions.set(key, start);
        }
      }
      return;
    }
    if (isRetriableError(error)) {
      const now = Date.now();
      if (this.fetchFailingSince === 0) {
        this.fetchFailingSince = now;
        this.logger.warn(`fetching from Kafka failed: ${kafkaErrorMessage(error)}; retrying`);
      } else if (now - this.fetchFailingSince > this.tuning.taskTimeoutMs) {
        this.fatal = new KafkaUnavailableError(
          `fetching from Kafka failed for ${Math.round(this.tuning.taskTimeoutMs / 1000)} s: ${kafkaErrorMessage(error)}`,
        );
        this.dataSignal.fire();
        return;
      }
      await this.fetchCluster.refreshMetadata().catch(() => undefined);
      await this.fetchSignal.wait(Math.min(1000, 50 + (now - this.fetchFailingSince) / 4));
      return;
    }
    this.fatal = error instanceof Error ? error : new Error(String(error));
    this.dataSignal.fire();
  }

  private async earliest(topic: string, partition: number): Promise<number> {
    const leaders = this.fetchCluster.findLeaderForPartitions(topic, [partition]);
    const node = Object.keys(leaders)[0]!;
    const broker = await this.fetchCluster.findBroker({ nodeId: node });
    const r = await broker.listOffsets({ isolationLevel: this.isolationLevel, topics: [{ topic, partitions: [{ partition, timestamp: -2 }] }] });
    return Number(r.responses[0]!.partitions[0]!.offset);
  }

  // ---- close -----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeatTimer !== null) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.scheduleProbe(null);
    this.dataSignal.fire();
    this.fetchSignal.fire();
    await this.fetchLoop?.catch(() => undefined);
    // A join under way (e.g. stopped while waiting for its first assignment): let it finish for a
    // moment, so that the member can leave instead of holding up the group until its session ends.
    if (this.joining !== null) await withTimeout(this.joining, 3000).catch(() => undefined);
    if (this.memberId !== '' && !this.lost) {
      try {
        const coordinator = await withTimeout(this.coordinatorBroker(), 3000);
        await withTimeout(coordinator.leaveGroup({ groupId: this.groupId, memberId: this.memberId }), 3000);
        this.logger.info(`group ${this.groupId}: member ${this.memberId.slice(-8)} left the group`);
      } catch (error) {
        this.logger.warn(`group ${this.groupId}: could not leave the group: ${kafkaErrorMessage(error)}`);
      }
    }
    this.memberId = '';
    this.stable = false;
    await Promise.all([this.groupCluster.disconnect().catch(() => undefined), this.fetchCluster.disconnect().catch(() => undefined)]);
    this.onClose();
  }

  /** For tests and diagnostics. */
  get state(): { generationId: number; memberId: string; tasks: readonly string[]; woken: boolean } {
    return { generationId: this.generationId, memberId: this.memberId, tasks: this.ownedTasks, woken: this.woken };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

const noop = () => {};
const quietKafkaJsLogger: KafkaJsLogger = {
  info: noop,
  error: noop,
  warn: noop,
  debug: noop,
  namespace: () => quietKafkaJsLogger,
  setLogLevel: noop,
};
