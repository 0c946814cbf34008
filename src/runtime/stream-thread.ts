import { join } from 'node:path';
import type { ConsumedBatch, GroupConsumer, Log, LogAdmin, PartitionReader, ProducedRecord, TaskProducer } from '../log/types.js';
import { TaskMigratedError } from '../log/types.js';
import { RecordCache } from '../state/record-cache.js';
import type { Topology } from '../topology/topology.js';
import type { StreamsConfig } from './config.js';
import { handleRecordError } from './error-handling.js';
import { Heartbeat } from './heartbeat.js';
import { InputProgress } from './input-progress.js';
import { LoopSlices, SLICE_MS } from './loop-slices.js';
import { Metrics, METRIC } from './metrics.js';
import { RepartitionHandoff } from './repartition-handoff.js';
import { RepartitionPurger } from './repartition-purger.js';
import { ProcessRounds } from './process-rounds.js';
import { StandbyTasks } from './standby-tasks.js';
import { StoreChangelogReader } from './store-changelog-reader.js';
import { StreamTask, drainOutbox } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskManager } from './task-manager.js';
import { type TopicPlan, physicalTopicName, planTopics } from './topic-planner.js';
import type { InputRecord } from '../log/types.js';
import type { StateStore } from '../state/store.js';

export type ThreadState = 'CREATED' | 'STARTING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

export interface ThreadStatus {
  readonly state: ThreadState;
  readonly processed: number;
  readonly tasks: number;
  /** Records on the log not yet processed by this worker's tasks (as of the last check). */
  readonly lag: number;
  readonly commits: number;
  /** untilIdle: every input was consumed, processed and committed (not stopped before). */
  readonly consumedAll: boolean;
  /** Tasks whose stores are being restored. */
  readonly restoring: number;
}

export interface StreamThreadOptions {
  /** Stop once every input is consumed, processed and committed. */
  readonly untilIdle?: boolean;
  /** Called when `state` or `rebalancing` changed. */
  readonly onStateChange?: () => void;
  /** Called when the worker dies of `error`, after its tasks are closed and before it leaves the group. */
  readonly onFatal?: (error: unknown, member: GroupConsumer | null) => Promise<void>;
  /** The worker's id from its state directory (process-id.ts). */
  readonly processId?: string;
}

// Records of a polled batch decoded and queued between two checks of the slice.
const ENQUEUE_CHUNK = 500;
const IDLE_POLL_MS = 50;
const LAG_CHECK_MS = 1_000;

/**
 * The worker loop (Kafka Streams' StreamThread): poll → process each task's buffered records
 * synchronously → restore a pass → punctuate → commit. Awaits happen only between batches. Tasks
 * come and go through the TaskManager (the group's rebalance listener); their stores are restored
 * by the StoreChangelogReader in bounded passes, one per turn, while the running tasks go on.
 */
export class StreamThread implements TaskEnvironment {
  readonly cache: RecordCache;
  readonly metrics = new Metrics();
  /** Read by the watchdog (watchdog.ts) while this thread may be stuck in user code. */
  readonly heartbeat = new Heartbeat(true);
  state: ThreadState = 'CREATED';
  private plan!: TopicPlan;
  private admin!: LogAdmin;
  private consumer!: GroupConsumer;
  private producer!: TaskProducer;
  private reader!: PartitionReader;
  private standbyReader: PartitionReader | null = null;
  private standbys: StandbyTasks | null = null;
  private taskManager: TaskManager | null = null;
  /** The RUNNING tasks (the task manager's view; empty until the thread runs). */
  private tasks: ReadonlyMap<string, StreamTask> = new Map();
  private handoff: RepartitionHandoff | null = null;
  private progress: InputProgress | null = null;
  private purger!: RepartitionPurger;
  private readonly pendingTopics = new Map<string, number>();
  private stopRequested = false;
  private consumedAll = false;
  private commitRequested = false;
  private lastCommit = 0;
  private commits = 0;
  private processedSinceCommit = 0;
  /** Tasks in processing order; reset when tasks come and go. */
  private order: StreamTask[] | null = null;
  /** consumer.fetchedEnds.version as last applied to the queues. */
  private fetchedEndsVersion = -1;
  private readonly rounds = new ProcessRounds();
  /** The loop's synchronous stretches, each bounded by SLICE_MS. */
  private readonly slices = new LoopSlices(SLICE_MS, (ms) => this.metrics.sensors.loopTurn(ms));

  constructor(
    readonly topology: Topology,
    readonly config: StreamsConfig,
    private readonly log: Log,
    private readonly options: StreamThreadOptions = {},
  ) {
    this.cache = new RecordCache(config.cacheMaxBytes);
    this.metrics.sensors.configure(config.metricsRecordingLevel);
  }

  // ---- TaskEnvironment ------------------------------------------------------------------

  now(): number {
    return Date.now();
  }

  physicalTopic(logical: string): string {
    return physicalTopicName(this.topology, this.config.applicationId, logical);
  }

  partitionsFor(topic: string, task: StreamTask): number {
    const n = this.plan.partitions.get(topic);
    if (n !== undefined) return n;
    const count = topic.endsWith('-dlq') && topic === `${this.config.applicationId}-dlq` ? 1 : (this.plan.taskCounts.get(task.id.subtopology) ?? 1);
    this.plan.partitions.set(topic, count);
    this.pendingTopics.set(topic, count);
    return count;
  }

  storeDir(taskId: string, storeName: string): string | null {
    return join(this.config.stateDir, this.config.applicationId, taskId, storeName);
  }

  onRecordError(task: StreamTask, kind: 'deserialization' | 'processing', record: InputRecord | null, error: unknown, nodeName?: string): void {
    handleRecordError(this.config, this.metrics, (t, k) => this.partitionsFor(t, k), task, kind, record, error, nodeName);
  }

  requestCommit(): void {
    this.commitRequested = true;
  }

  // ---- lifecycle ------------------------------------------------------------------------

  status(): ThreadStatus {
    return {
      state: this.state,
      processed: this.metrics.get(METRIC.processed),
      tasks: this.tasks.size,
      lag: this.progress?.lag ?? 0,
      commits: this.commits,
      consumedAll: this.consumedAll,
      restoring: this.taskManager?.restoringCount ?? 0,
    };
  }

  /** Asks the loop to commit and stop; run() resolves once it has. */
  stop(): void {
    this.stopRequested = true;
    this.consumer?.wakeup();
  }

  async run(): Promise<void> {
    this.state = 'STARTING';
    this.admin = this.log.admin();
    try {
      const { applicationId, guarantee, transactionalProducers } = this.config;
      this.plan = await planTopics(this.topology, this.admin, applicationId);
      await this.admin.createTopics([...this.plan.internalTopics, ...this.plan.missingSinkTopics]);
      const capabilities = this.log.capabilities;
      this.reader = this.log.reader({ readCommitted: guarantee === 'exactly_once' });
      const handoffLog = capabilities.inProcessHandoff;
      const processId = this.options.processId;
      const handoffProducer = handoffLog === null ? null : handoffLog.taskProducer({ guarantee, applicationId, transactionalProducers, processId });
      this.producer = handoffProducer ?? this.log.taskProducer({ guarantee, applicationId, transactionalProducers, processId });
      this.consumer = this.log.groupConsumer(applicationId, { readCommitted: guarantee === 'exactly_once' });
      if (handoffProducer !== null) this.handoff = new RepartitionHandoff(handoffProducer, this.consumer, this.admin);
      this.progress = new InputProgress(this.admin, applicationId, this.plan.sourceTopics, capabilities.sharedGroup, this.metrics.sensors);
      if (capabilities.sharedGroup) {
        this.standbyReader = this.log.reader({ readCommitted: guarantee === 'exactly_once' });
        const standbyReader = new StoreChangelogReader(this.admin, this.standbyReader, this.config.logger);
        this.standbys = new StandbyTasks(this, this.topology, standbyReader, () => this.processedSinceCommit > 0 || this.hasProcessableWork());
      }
      this.purger = new RepartitionPurger(this.admin, this.topology, applicationId, (t) => this.physicalTopic(t), this.plan.sourceTopics, this.config.repartitionPurgeIntervalMs);
      const taskManager = new TaskManager({
        env: this,
        topology: this.topology,
        config: this.config,
        plan: this.plan,
        admin: this.admin,
        consumer: this.consumer,
        producer: this.producer,
        changelogReader: new StoreChangelogReader(this.admin, this.reader, this.config.logger),
        handoff: this.handoff,
        ...(this.standbys !== null ? { standbys: this.standbys } : {}),
        commit: () => this.commit(),
        onRebalancing: () => this.options.onStateChange?.(),
      });
      this.taskManager = taskManager;
      this.tasks = taskManager.active;
      await this.consumer.subscribe([...this.plan.sourceTopics.keys()], taskManager, {
        subtopologies: this.plan.sourceTopics,
        localTasks: () => TaskManager.localTaskIds(this.config),
        ...(this.config.applicationServer !== null ? { applicationServer: this.config.applicationServer } : {}),
        standbyReplicas: this.config.numStandbyReplicas,
        statefulSubtopologies: new Set(this.topology.subtopologies().filter((s) => s.stores.length > 0).map((s) => s.id)),
        taskOffsetSums: () => taskManager.taskOffsetSums(),
        warmups: {
          acceptableRecoveryLag: this.config.acceptableRecoveryLag,
          maxWarmupReplicas: this.config.maxWarmupReplicas,
          probingRebalanceIntervalMs: this.config.probingRebalanceIntervalMs,
          changelogTopics: this.plan.changelogTopics,
        },
      });
      this.state = 'RUNNING';
      this.options.onStateChange?.();
      this.lastCommit = Date.now();
      await this.loop();
      await this.commit();
      await this.standbys?.closeAll();
      await taskManager.closeAll();
      this.state = 'NOT_RUNNING';
    } catch (error) {
      this.state = 'ERROR';
      await this.standbys?.closeAll().catch(() => undefined);
      await this.taskManager?.abortAndClose();
      await this.options.onFatal?.(error, this.consumer);
      throw error;
    } finally {
      await this.consumer?.close();
      await this.producer?.close();
      await this.reader?.close();
      await this.standbyReader?.close();
    }
  }

  private async loop(): Promise<void> {
    const taskManager = this.taskManager!;
    const progress = this.progress!;
    let idleRounds = 0;
    let lastProcessed = 0;
    while (!this.stopRequested) {
      // Buffered records that could not be processed last round (tasks idling for other inputs) are
      // no reason to spin: then wait a little as when nothing is buffered.
      const busy = this.commitRequested || (lastProcessed > 0 && this.hasProcessableWork()) || taskManager.restoreReady;
      const waitMs = busy ? 0 : Math.min(lastProcessed === 0 && this.hasProcessableWork() ? 5 : IDLE_POLL_MS, this.msUntilNextDeadline());
      const pollStarted = performance.now();
      this.slices.pause();
      const batches = await this.consumer.poll(waitMs);
      this.slices.resume();
      this.metrics.sensors.polled(performance.now() - pollStarted);
      await this.enqueue(batches);
      this.applyFetchedEnds();
      const processed = this.processTasks();
      lastProcessed = processed;
      if (taskManager.restoringCount > 0) await this.restorePass();
      await this.awaitAsyncPunctuations();
      const now = Date.now();
      for (const task of this.tasks.values()) if (task.punctuateWallClock(now) > 0) this.commitRequested = true;
      await this.awaitAsyncPunctuations();
      await this.sendOutboxes();
      taskManager.applyBackpressure();
      if (this.commitDue(now, processed === 0 && !this.hasProcessableWork())) await this.commit();
      if (now - progress.lastLagCheck >= LAG_CHECK_MS) await progress.refreshLag(this.tasks);
      if (this.options.untilIdle) {
        if (processed === 0 && batches.length === 0 && taskManager.restoringCount === 0 && (await this.isIdle())) {
          if (++idleRounds >= 2) {
            this.consumedAll = true;
            break;
          }
        } else {
          idleRounds = 0;
        }
      }
      await this.slices.endTurn();
    }
  }

  /** One slice of restoring (the TaskManager's RESTORING tasks); a task that starts running gets the fetched ends. */
  private async restorePass(): Promise<void> {
    if (this.slices.due) await this.slices.yield();
    if (await this.taskManager!.restoreStep(this.slices.deadline)) this.fetchedEndsVersion = -1;
  }

  private hasProcessableWork(): boolean {
    for (const t of this.tasks.values()) if (t.bufferedRecords > 0) return true;
    return this.commitRequested;
  }

  private msUntilNextDeadline(): number {
    let next = this.lastCommit + this.config.commitIntervalMs;
    for (const t of this.tasks.values()) next = Math.min(next, t.nextWallClockDue());
    return Math.max(0, next - Date.now());
  }

  /** Queues polled records for their tasks, in chunks, yielding to the event loop when the slice is used. */
  private async enqueue(batches: readonly ConsumedBatch[]): Promise<void> {
    const taskManager = this.taskManager!;
    for (const b of batches) {
      const task = taskManager.taskFor(b.topic, b.partition);
      if (task === undefined) continue;
      const count = b.records.length;
      for (let from = 0; ; from += ENQUEUE_CHUNK) {
        task.enqueue(b, from, Math.min(count, from + ENQUEUE_CHUNK));
        if (from + ENQUEUE_CHUNK >= count) break;
        if (this.slices.due) await this.slices.yield();
      }
      // Past transaction markers and aborted records: what the log's consumer will fetch next.
      if (b.nextOffset !== undefined) {
        const q = task.queueFor(b.topic, b.partition);
        if (q !== undefined && b.nextOffset > q.fetchPosition) q.fetchPosition = b.nextOffset;
      }
    }
  }

  /**
   * Ends from fetch responses that brought a partition no records (left out of a full response, or
   * nothing new) reach its queue too: a task waits for an empty partition known to lag or not yet
   * fetched, and goes on once it is known to be caught up. Only when some end changed.
   */
  private applyFetchedEnds(): void {
    const ends = this.consumer.fetchedEnds;
    if (ends.version === this.fetchedEndsVersion) return;
    this.fetchedEndsVersion = ends.version;
    for (const task of this.tasks.values()) {
      for (const q of task.queues) q.knownEnd = ends.get(q.key);
    }
  }

  /**
   * A partition whose fetched records are all processed is consumed up to the fetch position,
   * which may lie past transaction markers (a read_committed consumer's position does): commit
   * that, so that committed offsets reach the end of the log.
   */
  private advanceConsumedOffsets(): void {
    for (const task of this.tasks.values()) {
      for (const q of task.queues) {
        if (q.size === 0 && q.consumedOffset >= 0 && q.fetchPosition > q.consumedOffset) q.consumedOffset = q.fetchPosition;
      }
    }
  }

  /**
   * Processes tasks round after round (handing each task's output on as soon as it is done, so
   * that downstream tasks of this worker can take it in the same call) until no task has anything
   * processable or the slice is used (see ProcessRounds).
   */
  private processTasks(): number {
    const handoff = this.handoff;
    const total = this.rounds.run(this.processingOrder(), handoff, this.slices.deadline, this.emit);
    handoff?.release();
    this.processedSinceCommit += total;
    return total;
  }

  /** Downstream sub-topologies first, so that what they were handed is consumed before more comes. */
  private processingOrder(): StreamTask[] {
    const cached = this.order;
    if (cached !== null && cached.length === this.tasks.size && cached.every((t) => this.tasks.get(t.idString) === t)) return cached;
    this.order = [...this.tasks.values()].sort((a, b) => b.id.subtopology - a.id.subtopology || a.id.partition - b.id.partition);
    return this.order;
  }

  private readonly emit = (task: StreamTask): void => this.sendOutbox(task);

  /** Hands one task's output to the producer (later, in sendOutboxes, if topics must be created first). */
  private sendOutbox(task: StreamTask): void {
    if (task.outbox.length === 0 || this.pendingTopics.size > 0) return;
    const records: ProducedRecord[] = drainOutbox(task);
    this.producer.send(task.idString, this.handoff !== null ? this.handoff.handOff(records) : records);
  }

  private async awaitAsyncPunctuations(): Promise<void> {
    for (const task of this.tasks.values()) {
      while (task.pendingAsync.length > 0) {
        const pending = task.pendingAsync;
        task.pendingAsync = [];
        await Promise.all(pending);
      }
    }
  }

  /** Hands task output to the producer, creating topics first seen at runtime (DLQ, extractor topics). */
  private async sendOutboxes(): Promise<void> {
    if (this.pendingTopics.size > 0) {
      const specs = [...this.pendingTopics].map(([name, partitions]) => ({ name, partitions }));
      this.pendingTopics.clear();
      const existing = await this.admin.describeTopics(specs.map((s) => s.name));
      for (const [name, d] of existing) this.plan.partitions.set(name, d.partitions);
      const toCreate = specs.filter((s) => !existing.has(s.name));
      if (toCreate.length > 0) await this.admin.createTopics(toCreate);
      // Records already routed with a guessed partition count must match the real one.
      for (const s of specs) {
        const real = existing.get(s.name)?.partitions;
        if (real !== undefined && real !== s.partitions) {
          throw new Error(`topic '${s.name}' has ${real} partitions, not ${s.partitions}; restart to pick up its metadata`);
        }
      }
    }
    for (const task of this.tasks.values()) this.sendOutbox(task);
  }

  /**
   * Commits on the interval, on request, when too much waits in memory, and - on a log where a
   * commit is what makes records readable - as soon as the worker would otherwise idle with
   * output pending (downstream tasks of this worker are waiting for it).
   */
  private commitDue(now: number, idle: boolean): boolean {
    if (this.commitRequested) return true;
    if (now - this.lastCommit >= this.config.commitIntervalMs) return true;
    let buffered = this.bufferedOutputBytes();
    if (idle && this.log.capabilities.buffersUntilCommit && buffered > 0) return true;
    for (const t of this.tasks.values()) buffered += t.pendingStoreBytes();
    return buffered > this.config.commitMaxBufferedBytes;
  }

  /** Output waiting for a commit: in the producer, and repartition records held by the hand-off. */
  private bufferedOutputBytes(): number {
    return this.producer.bufferedBytes() + (this.handoff?.bufferedBytes() ?? 0);
  }

  /** Flushes caches, then makes output, changelog records and offsets durable together, then stores. */
  async commit(): Promise<void> {
    this.commitRequested = false;
    this.lastCommit = Date.now();
    if (this.tasks.size === 0) return;
    const started = performance.now();
    // Everything is flushed before the commit; between steps, the event loop may run (queries).
    // Each step's output is sent at once (a hand-off decodes it for its task: bounded by the step).
    for (const task of this.tasks.values()) {
      const steps = task.flushCacheSteps();
      do {
        this.sendOutbox(task);
        if (this.slices.due) await this.slices.yield();
      } while (!steps.next().done);
    }
    await this.sendOutboxes();
    this.advanceConsumedOffsets();
    const commits = [...this.tasks.values()].map((t) => ({ task: t, offsets: t.offsetsToCommit() }));
    const taskCommits = commits.map((c) => ({ taskId: c.task.idString, offsets: c.offsets }));
    let ends: ReadonlyMap<string, number>;
    let lost: ReadonlySet<string> | null = null;
    this.slices.pause();
    try {
      ends = await (this.handoff !== null ? this.handoff.commit(this.config.applicationId, taskCommits) : this.producer.commit(this.config.applicationId, taskCommits));
    } catch (error) {
      if (!(error instanceof TaskMigratedError)) throw error;
      // Another worker owns these tasks now (or their transaction failed): drop their work.
      this.config.logger.warn(`${error.message}; closing ${error.lostTaskIds.join(', ')} as lost`);
      ends = error.committedEnds;
      lost = new Set(error.lostTaskIds);
    }
    this.slices.resume();
    this.handoff?.checkCommitted(ends);
    this.progress!.recordWritten(ends);
    this.slices.pause();
    for (const c of commits) if (lost === null || !lost.has(c.task.idString)) await c.task.commitStores(ends, c.offsets);
    if (lost !== null) await this.taskManager!.closeLost(lost);
    this.slices.resume();
    this.commits++;
    this.metrics.increment(METRIC.commits);
    this.metrics.sensors.committed(performance.now() - started);
    this.processedSinceCommit = 0;
    await this.purger.afterCommit(this.tasks);
  }

  /** Idle: nothing buffered or waiting, and every input partition consumed to its end. */
  private async isIdle(): Promise<boolean> {
    for (const t of this.tasks.values()) if (t.bufferedRecords > 0 || t.outbox.length > 0) return false;
    this.advanceConsumedOffsets();
    if (this.bufferedOutputBytes() > 0 || this.processedSinceCommit > 0 || this.hasOffsetsToCommit()) {
      await this.commit();
      return false;
    }
    return this.progress!.consumedToEnd(this.tasks);
  }

  private hasOffsetsToCommit(): boolean {
    for (const t of this.tasks.values()) if (t.offsetsToCommit().length > 0) return true;
    return false;
  }

  // ---- interactive queries (called between batches; see interactive-queries.ts) ---------------

  /** Partitions are being revoked or assigned, or stores restored (Kafka Streams' REBALANCING). */
  get rebalancing(): boolean {
    return this.taskManager?.rebalancing ?? false;
  }

  /** The named store of each running task (and of each task being restored, when asked), by partition. */
  storesForQuery(name: string, includeRestoring: boolean): Array<{ readonly partition: number; readonly store: StateStore }> {
    return this.taskManager?.storesForQuery(name, includeRestoring) ?? [];
  }

  /** Whether a store handed out for a query still belongs to a task of this worker. */
  servesStore(store: StateStore): boolean {
    return this.taskManager?.servesStore(store) ?? false;
  }

  /**
   * application.server → its tasks: the group's last assignment where the group is shared, else
   * this worker's own tasks (it is the group's only member).
   */
  tasksByHost(): ReadonlyMap<string, readonly string[]> {
    const fromGroup = this.consumer?.tasksByHost() ?? null;
    if (fromGroup !== null) return fromGroup;
    const own = this.config.applicationServer;
    if (own === null) return new Map();
    return new Map([[own, [...this.tasks.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))]]);
  }

  /** application.server → its standby tasks, as of the group's last assignment. */
  standbyTasksByHost(): ReadonlyMap<string, readonly string[]> {
    return this.consumer?.standbyTasks().hosts ?? new Map();
  }

  /** Tasks (= partitions) of a sub-topology, once the topics are planned. */
  taskCount(subtopology: number): number | undefined {
    return this.plan?.taskCounts.get(subtopology);
  }
}
