import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ConsumedBatch,
  GroupConsumer,
  Log,
  LogAdmin,
  PartitionReader,
  ProducedRecord,
  TaskProducer,
  TopicPartition,
} from '../log/types.js';
import { TaskMigratedError, tpKey } from '../log/types.js';
import { RecordCache } from '../state/record-cache.js';
import type { Topology } from '../topology/topology.js';
import type { StreamsConfig } from './config.js';
import { handleRecordError } from './error-handling.js';
import { Heartbeat } from './heartbeat.js';
import { Metrics, METRIC } from './metrics.js';
import { StreamTask, drainOutbox } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import type { RecordQueue } from './record-queue.js';
import { type TopicPlan, physicalTopicName, planTopics } from './topic-planner.js';
import type { InputRecord } from '../log/types.js';
import type { StateStore } from '../state/store.js';

interface HandoffTarget {
  readonly topic: string;
  readonly partition: number;
  /** Offset the next record written to this partition will get. */
  next: number;
  /** End of the partition on the log as of the last commit. */
  committedEnd: number;
  task: StreamTask | null;
  queue: RecordQueue | null;
  touched: boolean;
}

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
}

const RESTORE_BATCH = 10_000;
const RESTORE_PROGRESS_MS = 2_000;
// Small rounds keep tasks of one worker in step: a task whose output another task reads
// (through a handed-off repartition topic) gets ahead by one round at most.
const PROCESS_BATCH_PER_TASK = 1_000;
const PROCESS_SLICE_MS = 50;
const MAX_PROCESS_ROUNDS = 10_000;
const IDLE_POLL_MS = 50;

/**
 * The worker loop (Kafka Streams' StreamThread): poll → process each task's buffered records
 * synchronously → punctuate → commit. Awaits happen only between batches.
 */
export class StreamThread implements TaskEnvironment {
  readonly cache: RecordCache;
  readonly metrics = new Metrics();
  /** Read by the watchdog (watchdog.ts) while this thread may be stuck in user code. */
  readonly heartbeat = new Heartbeat(true);
  state: ThreadState = 'CREATED';
  private readonly tasks = new Map<string, StreamTask>();
  private readonly taskByPartition = new Map<string, StreamTask>();
  /** Tasks committed when their partitions were revoked before a rejoin; kept if assigned again. */
  private readonly suspended = new Map<string, StreamTask>();
  /** Highest end offset this worker's commits reported per input partition (see groupConsumedToEnd). */
  private readonly writtenEnds = new Map<string, number>();
  private plan!: TopicPlan;
  private admin!: LogAdmin;
  private consumer!: GroupConsumer;
  private producer!: TaskProducer;
  private reader!: PartitionReader;
  private readonly pendingTopics = new Map<string, number>();
  private readonly knownTopics = new Set<string>();
  private stopRequested = false;
  private consumedAll = false;
  private commitRequested = false;
  private lastCommit = 0;
  private lastPurge = 0;
  private lag = 0;
  private lastLagCheck = 0;
  private commits = 0;
  private processedSinceCommit = 0;
  private paused = new Set<string>();
  /** Tasks that read a repartition topic written by this worker (see handOff). */
  private readonly fedInProcess = new WeakSet<StreamTask>();
  /** Tasks in processing order; reset when tasks come and go. */
  private order: StreamTask[] | null = null;
  /** Embedded log: locally read repartition partitions by topic and partition (see handOff). */
  private handoff: Map<string, HandoffTarget[]> | null = null;
  /** Interactive queries: tasks whose stores are being restored, and whether partitions are moving. */
  private readonly restoring = new Map<string, StreamTask>();
  private rebalances = 0;

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
    return { state: this.state, processed: this.metrics.get(METRIC.processed), tasks: this.tasks.size, lag: this.lag, commits: this.commits, consumedAll: this.consumedAll, restoring: this.restoring.size };
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
      this.plan = await planTopics(this.topology, this.admin, this.config.applicationId);
      await this.admin.createTopics([...this.plan.internalTopics, ...this.plan.missingSinkTopics]);
      for (const t of this.plan.partitions.keys()) this.knownTopics.add(t);
      this.reader = this.log.reader({ readCommitted: this.config.guarantee === 'exactly_once' });
      this.producer = this.log.taskProducer({ guarantee: this.config.guarantee, applicationId: this.config.applicationId });
      this.consumer = this.log.groupConsumer(this.config.applicationId, { readCommitted: this.config.guarantee === 'exactly_once' });
      await this.consumer.subscribe(
        [...this.plan.sourceTopics.keys()],
        {
          onAssigned: (tps) => this.whileRebalancing(() => this.onAssigned(tps)),
          onRevoked: (tps, lost) => this.whileRebalancing(() => this.onRevoked(tps, lost)),
        },
        {
          subtopologies: this.plan.sourceTopics,
          localTasks: () => this.localTaskIds(),
          ...(this.config.applicationServer !== null ? { applicationServer: this.config.applicationServer } : {}),
        },
      );
      this.state = 'RUNNING';
      this.options.onStateChange?.();
      this.lastCommit = this.lastPurge = Date.now();
      await this.loop();
      await this.commit();
      await this.closeTasks();
      this.state = 'NOT_RUNNING';
    } catch (error) {
      this.state = 'ERROR';
      await this.abortAndClose();
      throw error;
    } finally {
      await this.consumer?.close();
      await this.producer?.close();
      await this.reader?.close();
    }
  }

  private async loop(): Promise<void> {
    let idleRounds = 0;
    let lastProcessed = 0;
    while (!this.stopRequested) {
      // Buffered records that could not be processed last round (tasks idling for other inputs) are
      // no reason to spin: then wait a little as when nothing is buffered.
      const busy = this.commitRequested || (lastProcessed > 0 && this.hasProcessableWork());
      const waitMs = busy ? 0 : Math.min(lastProcessed === 0 && this.hasProcessableWork() ? 5 : IDLE_POLL_MS, this.msUntilNextDeadline());
      const pollStarted = performance.now();
      const batches = await this.consumer.poll(waitMs);
      this.metrics.sensors.polled(performance.now() - pollStarted);
      this.enqueue(batches);
      const processed = this.processTasks();
      lastProcessed = processed;
      await this.awaitAsyncPunctuations();
      const now = Date.now();
      for (const task of this.tasks.values()) if (task.punctuateWallClock(now) > 0) this.commitRequested = true;
      await this.awaitAsyncPunctuations();
      await this.sendOutboxes();
      this.applyBackpressure();
      if (this.commitDue(now, processed === 0 && !this.hasProcessableWork())) await this.commit();
      if (now - this.lastLagCheck >= 1000) await this.refreshLag();
      if (this.options.untilIdle) {
        if (processed === 0 && batches.length === 0 && (await this.isIdle())) {
          if (++idleRounds >= 2) {
            this.consumedAll = true;
            break;
          }
        } else {
          idleRounds = 0;
        }
      }
    }
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

  private enqueue(batches: readonly ConsumedBatch[]): void {
    for (const b of batches) {
      const task = this.taskByPartition.get(tpKey(b.topic, b.partition));
      if (task === undefined) continue;
      task.enqueue(b);
      // Past transaction markers and aborted records: what the log's consumer will fetch next.
      if (b.nextOffset !== undefined) {
        const q = task.queueFor(b.topic, b.partition);
        if (q !== undefined && b.nextOffset > q.fetchPosition) q.fetchPosition = b.nextOffset;
      }
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
   * processable or the time slice is used.
   */
  private processTasks(): number {
    let total = 0;
    const deadline = Date.now() + PROCESS_SLICE_MS;
    const order = this.processingOrder();
    for (let round = 0; round < MAX_PROCESS_ROUNDS; round++) {
      let n = 0;
      for (const task of order) {
        // A task fed in-process drains what it was handed; the others take a small step.
        const k = task.process(this.fedInProcess.has(task) ? Number.MAX_SAFE_INTEGER : PROCESS_BATCH_PER_TASK);
        if (k > 0) {
          n += k;
          this.sendOutbox(task);
        }
      }
      total += n;
      if (n === 0 || Date.now() >= deadline) break;
    }
    // What the last round handed over is taken too, so that little waits in memory at a commit.
    for (const task of order) {
      if (!this.fedInProcess.has(task)) continue;
      const k = task.process(Number.MAX_SAFE_INTEGER);
      if (k > 0) {
        total += k;
        this.sendOutbox(task);
      }
    }
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

  /** Hands one task's output to the producer (later, in sendOutboxes, if topics must be created first). */
  private sendOutbox(task: StreamTask): void {
    if (task.outbox.length === 0 || this.pendingTopics.size > 0) return;
    const records: ProducedRecord[] = drainOutbox(task);
    if (this.handoff !== null) this.handOff(records);
    this.producer.send(task.idString, records);
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
   * Embedded log only: a record written to a repartition partition that a task of this worker
   * reads is queued for that task at once, with the offset it will get at commit, instead of
   * being read back after the commit. The embedded log commits all tasks of a worker in one
   * atomic step, so a crash loses the handed-off records and their effects together.
   */
  private handOff(records: readonly ProducedRecord[]): void {
    const targets = this.handoff!;
    let touched: HandoffTarget[] | null = null;
    let lastTopic: string | null = null;
    let lastTargets: HandoffTarget[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.topic !== lastTopic) {
        lastTopic = r.topic;
        lastTargets = targets.get(r.topic);
      }
      const t = lastTargets?.[r.partition];
      if (t === undefined) continue;
      const offset = t.next++;
      // Only once everything before it was fetched: a partition's records stay in offset order.
      if (t.queue === null || t.queue.fetchPosition !== offset) continue;
      t.task!.enqueueInto(t.queue, r, offset);
      if (!t.touched) {
        t.touched = true;
        (touched ??= []).push(t);
      }
    }
    if (touched !== null) {
      for (const t of touched) {
        t.touched = false;
        this.consumer.seek(t.topic, t.partition, t.next);
      }
    }
  }

  /**
   * Handed-off records their task already processed need not be written: the task's offset, which
   * commits in the same atomic step, is past them, and no one else reads a repartition topic.
   */
  private consumedHandoffs(): Map<string, number> | undefined {
    if (this.handoff === null) return undefined;
    let skips: Map<string, number> | undefined;
    for (const partitions of this.handoff.values()) {
      for (const t of partitions) {
        if (t === undefined || t.queue === null) continue;
        const skip = Math.min(t.next, t.queue.consumedOffset) - t.committedEnd;
        if (skip > 0) (skips ??= new Map()).set(tpKey(t.topic, t.partition), skip);
      }
    }
    return skips;
  }

  /** After a commit, the offsets the log gave must be the ones handed-off records were given. */
  private checkHandoff(ends: ReadonlyMap<string, number>): void {
    if (this.handoff === null) return;
    for (const [topic, partitions] of this.handoff) {
      for (let p = 0; p < partitions.length; p++) {
        const t = partitions[p];
        if (t === undefined) continue;
        const actual = ends.get(tpKey(topic, p));
        if (actual !== undefined && actual !== t.next) {
          throw new Error(`internal topic ${topic}-${p} was written by another process (expected end ${t.next}, found ${actual})`);
        }
        if (actual !== undefined) t.committedEnd = actual;
      }
    }
  }

  /** Stops fetching partitions whose queue is full; resumes them once drained. */
  private applyBackpressure(): void {
    const limit = this.config.bufferedRecordsPerPartition;
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const task of this.tasks.values()) {
      for (const q of task.queues) {
        const key = tpKey(q.topic, q.partition);
        if (q.size >= limit && !this.paused.has(key)) {
          this.paused.add(key);
          pause.push({ topic: q.topic, partition: q.partition });
        } else if (q.size < limit / 2 && this.paused.has(key)) {
          this.paused.delete(key);
          resume.push({ topic: q.topic, partition: q.partition });
        }
      }
    }
    if (pause.length > 0) this.consumer.pause(pause);
    if (resume.length > 0) this.consumer.resume(resume);
  }

  /**
   * Commits on the interval, on request, when too much waits in memory, and - on the embedded log,
   * where a commit is what makes records readable - as soon as the worker would otherwise idle
   * with output pending (downstream tasks of this worker are waiting for it).
   */
  private commitDue(now: number, idle: boolean): boolean {
    if (this.commitRequested) return true;
    if (now - this.lastCommit >= this.config.commitIntervalMs) return true;
    if (idle && this.log.kind === 'embedded' && this.producer.bufferedBytes() > 0) return true;
    let buffered = this.producer.bufferedBytes();
    for (const t of this.tasks.values()) buffered += t.pendingStoreBytes();
    return buffered > this.config.commitMaxBufferedBytes;
  }

  /** Flushes caches, then makes output, changelog records and offsets durable together, then stores. */
  async commit(): Promise<void> {
    this.commitRequested = false;
    this.lastCommit = Date.now();
    if (this.tasks.size === 0) return;
    const started = performance.now();
    for (const task of this.tasks.values()) task.flushCaches();
    await this.sendOutboxes();
    this.advanceConsumedOffsets();
    const commits = [...this.tasks.values()].map((t) => ({ task: t, offsets: t.offsetsToCommit() }));
    let ends: ReadonlyMap<string, number>;
    let lost: ReadonlySet<string> | null = null;
    try {
      ends = await this.producer.commit(
        this.config.applicationId,
        commits.map((c) => ({ taskId: c.task.idString, offsets: c.offsets })),
        { skipLeading: this.consumedHandoffs() },
      );
    } catch (error) {
      if (!(error instanceof TaskMigratedError)) throw error;
      // Another worker owns these tasks now (or their transaction failed): drop their work.
      this.config.logger.warn(`${error.message}; closing ${error.lostTaskIds.join(', ')} as lost`);
      ends = error.committedEnds;
      lost = new Set(error.lostTaskIds);
    }
    this.checkHandoff(ends);
    for (const [key, end] of ends) {
      if (this.plan.sourceTopics.has(key.slice(0, key.lastIndexOf('/'))) && end > (this.writtenEnds.get(key) ?? 0)) this.writtenEnds.set(key, end);
    }
    for (const c of commits) if (lost === null || !lost.has(c.task.idString)) await c.task.commitStores(ends, c.offsets);
    if (lost !== null) {
      for (const id of lost) {
        const task = this.tasks.get(id);
        if (task !== undefined) await this.closeTask(task, true);
      }
    }
    this.commits++;
    this.metrics.increment(METRIC.commits);
    this.metrics.sensors.committed(performance.now() - started);
    this.processedSinceCommit = 0;
    if (Date.now() - this.lastPurge >= this.config.repartitionPurgeIntervalMs) await this.purgeRepartitionTopics();
  }

  /** Repartition records are deleted once committed as consumed (Kafka Streams does the same). */
  private async purgeRepartitionTopics(): Promise<void> {
    this.lastPurge = Date.now();
    const committed = await this.admin.committedOffsets(this.config.applicationId, [...this.plan.sourceTopics.keys()]);
    for (const [logical, def] of this.topology.internalTopics) {
      if (def.kind !== 'repartition') continue;
      const topic = this.physicalTopic(logical);
      for (const task of this.tasks.values()) {
        const c = committed.get(tpKey(topic, task.id.partition));
        if (c !== undefined && task.queueFor(topic, task.id.partition) !== undefined) {
          await this.admin.deleteRecordsBefore(topic, task.id.partition, c.offset);
        }
      }
    }
  }

  /** Idle: nothing buffered or waiting, and every input partition consumed to its end. */
  private async isIdle(): Promise<boolean> {
    for (const t of this.tasks.values()) if (t.bufferedRecords > 0 || t.outbox.length > 0) return false;
    this.advanceConsumedOffsets();
    if (this.producer.bufferedBytes() > 0 || this.processedSinceCommit > 0 || this.hasOffsetsToCommit()) {
      await this.commit();
      return false;
    }
    if (this.log.kind === 'kafka') return this.groupConsumedToEnd();
    return (await this.refreshLag()) === 0 && this.tasks.size > 0;
  }

  private hasOffsetsToCommit(): boolean {
    for (const t of this.tasks.values()) if (t.offsetsToCommit().length > 0) return true;
    return false;
  }

  /**
   * With workers sharing the work through a group, idle means: every partition of every input
   * topic of the application (sources and repartition topics) has a committed offset at the end
   * of its log. The end is the high watermark, transaction markers included, so a transaction
   * whose markers are still being written is never mistaken for the end; and no less than what
   * this worker's own commits wrote there.
   */
  private async groupConsumedToEnd(): Promise<boolean> {
    const topics = [...this.plan.sourceTopics.keys()];
    const committed = await this.admin.committedOffsets(this.config.applicationId, topics);
    // This worker's partitions count as far as it consumed them (all of it is committed by now,
    // except a position taken from auto.offset.reset=latest, which has nothing to commit).
    const consumed = new Map<string, number>();
    for (const task of this.tasks.values()) for (const p of task.positions()) consumed.set(tpKey(p.topic, p.partition), p.consumed);
    for (const topic of topics) {
      const ends = this.admin.logEndOffsets !== undefined ? await this.admin.logEndOffsets(topic) : await this.admin.endOffsets(topic);
      let begins: number[] | null = null;
      for (let p = 0; p < ends.length; p++) {
        const key = tpKey(topic, p);
        const end = Math.max(ends[p]!, this.writtenEnds.get(key) ?? 0);
        const c = committed.get(key);
        const local = consumed.get(key);
        if (c !== undefined || local !== undefined) {
          if (Math.max(c?.offset ?? -1, local ?? -1) < end) return false;
          continue;
        }
        begins ??= await this.admin.beginningOffsets(topic);
        if (end > begins[p]!) return false;
      }
    }
    return true;
  }

  /** Records on the log not yet processed by this worker's tasks. */
  private async refreshLag(): Promise<number> {
    this.lastLagCheck = Date.now();
    let lag = 0;
    const ends = new Map<string, number[]>();
    for (const topic of this.plan.sourceTopics.keys()) ends.set(topic, await this.admin.endOffsets(topic));
    for (const task of this.tasks.values()) {
      for (const p of task.positions()) {
        const end = ends.get(p.topic)?.[p.partition] ?? 0;
        lag += Math.max(0, end - Math.max(0, p.consumed));
        this.metrics.sensors.lag(p.topic, p.partition, task.idString, Math.max(0, end - Math.max(0, p.consumed)), this.lastLagCheck);
      }
    }
    this.lag = lag;
    return lag;
  }

  // ---- assignment -----------------------------------------------------------------------

  private async onAssigned(partitions: TopicPartition[]): Promise<void> {
    this.metrics.sensors.rebalances++;
    if (this.log.kind === 'embedded') {
      this.handoff ??= new Map();
      for (const tp of partitions) {
        const logical = tp.topic.slice(this.config.applicationId.length + 1);
        if (!tp.topic.startsWith(`${this.config.applicationId}-`) || this.topology.internalTopics.get(logical)?.kind !== 'repartition') continue;
        let parts = this.handoff.get(tp.topic);
        if (parts === undefined) this.handoff.set(tp.topic, (parts = []));
        const next = (await this.admin.endOffsets(tp.topic))[tp.partition]!;
        parts[tp.partition] = { topic: tp.topic, partition: tp.partition, next, committedEnd: next, task: null, queue: null, touched: false };
      }
    }
    // Tasks suspended at the revocation that came back are resumed where they stopped fetching;
    // the others are closed (they were committed when suspended).
    const assignedIds = new Set<string>();
    for (const tp of partitions) {
      const st = this.plan.sourceTopics.get(tp.topic);
      if (st !== undefined) assignedIds.add(`${st}_${tp.partition}`);
    }
    for (const [id, task] of this.suspended) {
      if (assignedIds.has(id)) continue;
      this.suspended.delete(id);
      await this.closeTask(task, false);
    }
    const resumed = new Set<StreamTask>();
    for (const id of assignedIds) {
      const task = this.suspended.get(id);
      if (task === undefined) continue;
      this.suspended.delete(id);
      this.tasks.set(id, task);
      resumed.add(task);
    }
    // New tasks' writers first: on Kafka under exactly_once this fences the previous owner, so the
    // offsets and changelogs read below no longer move under us.
    const fresh = [...assignedIds].filter((id) => !this.tasks.has(id));
    if (fresh.length > 0) await this.producer.openTasks?.(fresh);
    const freshTopics = new Set<string>();
    for (const tp of partitions) {
      const st = this.plan.sourceTopics.get(tp.topic);
      if (st !== undefined && !this.tasks.has(`${st}_${tp.partition}`)) freshTopics.add(tp.topic);
    }
    const committed = freshTopics.size > 0 ? await this.admin.committedOffsets(this.config.applicationId, [...freshTopics]) : new Map();
    const subtopologies = this.topology.subtopologies();
    for (const tp of partitions) {
      const st = this.plan.sourceTopics.get(tp.topic);
      if (st === undefined) continue;
      const id = `${st}_${tp.partition}`;
      let task = this.tasks.get(id);
      if (task !== undefined && resumed.has(task)) {
        this.taskByPartition.set(tpKey(tp.topic, tp.partition), task);
        const q = task.queueFor(tp.topic, tp.partition);
        if (q !== undefined) this.consumer.seek(tp.topic, tp.partition, q.fetchPosition);
        continue;
      }
      if (task === undefined) {
        task = new StreamTask(this, this.topology, subtopologies[st]!, tp.partition);
        await task.initStores();
        this.restoring.set(id, task);
        await this.restore(task);
        task.initProcessors();
        this.tasks.set(id, task);
        this.restoring.delete(id);
      }
      this.taskByPartition.set(tpKey(tp.topic, tp.partition), task);
      const target = this.handoff?.get(tp.topic)?.[tp.partition];
      if (target !== undefined) {
        target.task = task;
        target.queue = task.queueFor(tp.topic, tp.partition) ?? null;
        this.fedInProcess.add(task);
      }
      const c = committed.get(tpKey(tp.topic, tp.partition));
      if (c !== undefined) {
        task.resume(tp.topic, tp.partition, c.offset, c.metadata);
        this.consumer.seek(tp.topic, tp.partition, c.offset);
      } else {
        const reset = this.sourceReset(tp.topic);
        const offset = reset === 'latest' ? (await this.admin.endOffsets(tp.topic))[tp.partition]! : (await this.admin.beginningOffsets(tp.topic))[tp.partition]!;
        this.consumer.seek(tp.topic, tp.partition, offset);
        task.resume(tp.topic, tp.partition, offset, undefined);
      }
    }
  }

  private sourceReset(physical: string): 'earliest' | 'latest' {
    for (const node of this.topology.nodes.values()) {
      if (node.kind === 'source' && node.topics.some((t) => this.physicalTopic(t) === physical)) {
        return node.offsetReset ?? this.config.autoOffsetReset;
      }
    }
    return this.config.autoOffsetReset;
  }

  /** Brings a task's stores up to date from their changelogs, starting at their checkpoints. */
  private async restore(task: StreamTask): Promise<void> {
    for (const [name, store] of task.stores) {
      const topic = task.changelogTopic(name);
      if (topic === null) continue;
      const end = (await this.admin.endOffsets(topic))[task.id.partition] ?? 0;
      let from = store.restoreFrom();
      if (from > end) {
        this.config.logger.warn(`store ${name} of task ${task.idString} is ahead of its changelog (${from} > ${end}); rebuilding it`);
        await store.wipe();
        await task.initStore(name);
        from = 0;
      }
      this.config.logger.debug(`store ${name} of task ${task.idString}: checkpoint ${from}, changelog ${topic} ends at ${end}`);
      if (from === end) continue;
      const started = Date.now();
      let restored = 0;
      let lastReport = started;
      const total = end - from;
      const progress = task.sensors.restoring(name, total);
      while (from < end) {
        const records = await this.reader.read(topic, task.id.partition, from, RESTORE_BATCH);
        if (records.length === 0) break;
        store.restore(records);
        restored += records.length;
        from = records[records.length - 1]!.offset + 1;
        progress.restored = restored;
        progress.remaining = end - from;
        // A log read may complete without I/O: let the listener (/readyz, the console) answer between batches.
        await new Promise((resolve) => setImmediate(resolve));
        if (Date.now() - lastReport >= RESTORE_PROGRESS_MS) {
          lastReport = Date.now();
          this.config.logger.info(`restoring store ${name} of task ${task.idString}: ${restored} records, offset ${from} of ${end} (${Math.round((100 * (total - (end - from))) / total)}%)`);
        }
      }
      progress.remaining = 0;
      await store.commit(end);
      this.config.logger.info(`restored ${restored} records into store ${name} of task ${task.idString} in ${Date.now() - started} ms`);
    }
  }

  /**
   * Partitions are taken away before the group rebalances. Unless they were lost, their tasks
   * commit and are suspended: a task assigned again resumes as it was (onAssigned), the others
   * are closed then. Lost tasks drop their uncommitted output and store writes and close.
   */
  private async onRevoked(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const affected = new Set<StreamTask>();
    const suspendedAffected = new Set<StreamTask>();
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      const task = this.taskByPartition.get(key);
      if (task !== undefined) affected.add(task);
      const st = this.plan.sourceTopics.get(tp.topic);
      const s = st === undefined ? undefined : this.suspended.get(`${st}_${tp.partition}`);
      if (s !== undefined) suspendedAffected.add(s);
    }
    for (const task of suspendedAffected) {
      this.suspended.delete(task.idString);
      await this.closeTask(task, lost);
    }
    if (affected.size === 0) return;
    if (lost) {
      await this.producer.abort([...affected].map((t) => t.idString));
      for (const task of affected) await this.closeTask(task, true);
      return;
    }
    await this.commit();
    for (const task of affected) {
      if (this.tasks.get(task.idString) !== task) continue; // lost in that commit and closed
      this.tasks.delete(task.idString);
      for (const [k, t] of this.taskByPartition) if (t === task) this.taskByPartition.delete(k);
      this.suspended.set(task.idString, task);
    }
  }

  /** Closes a task (a lost one without committing: its pending store writes are dropped). */
  private async closeTask(task: StreamTask, lost: boolean): Promise<void> {
    if (lost) this.config.logger.info(`task ${task.idString}: closing as lost; its uncommitted work is dropped`);
    try {
      await task.close();
    } finally {
      if (this.tasks.get(task.idString) === task) this.tasks.delete(task.idString);
      const resume: TopicPartition[] = [];
      for (const [k, t] of this.taskByPartition) {
        if (t !== task) continue;
        this.taskByPartition.delete(k);
        if (this.paused.delete(k)) {
          const at = k.lastIndexOf('/');
          resume.push({ topic: k.slice(0, at), partition: Number(k.slice(at + 1)) });
        }
      }
      if (resume.length > 0) this.consumer.resume(resume);
      await this.producer.closeTasks?.([task.idString]);
    }
  }

  /** Tasks with stores on this worker's disk (the group prefers to give them back to it). */
  private localTaskIds(): string[] {
    try {
      return readdirSync(join(this.config.stateDir, this.config.applicationId)).filter((n) => /^\d+_\d+$/.test(n));
    } catch {
      return [];
    }
  }

  private async closeTasks(): Promise<void> {
    for (const task of [...this.tasks.values(), ...this.suspended.values()]) await task.close();
    await this.producer.closeTasks?.([...this.tasks.keys(), ...this.suspended.keys()]);
    this.tasks.clear();
    this.suspended.clear();
    this.taskByPartition.clear();
  }

  private async abortAndClose(): Promise<void> {
    try {
      if (this.producer !== undefined) await this.producer.abort([...this.tasks.keys()]);
    } catch {
      /* the original error matters more */
    }
    for (const task of [...this.tasks.values(), ...this.suspended.values()]) {
      try {
        await task.close();
      } catch {
        /* keep closing the others */
      }
    }
    this.tasks.clear();
    this.suspended.clear();
  }

  // ---- interactive queries (called between batches; see interactive-queries.ts) ---------------

  private async whileRebalancing(step: () => Promise<void>): Promise<void> {
    if (this.rebalances++ === 0) this.options.onStateChange?.();
    try {
      await step();
    } finally {
      if (--this.rebalances === 0) this.options.onStateChange?.();
    }
  }

  /** Partitions are being revoked or assigned, or stores restored (Kafka Streams' REBALANCING). */
  get rebalancing(): boolean {
    return this.rebalances > 0;
  }

  /** The named store of each running task (and of each task being restored, when asked), by partition. */
  storesForQuery(name: string, includeRestoring: boolean): Array<{ readonly partition: number; readonly store: StateStore }> {
    const out: Array<{ partition: number; store: StateStore }> = [];
    const add = (task: StreamTask) => {
      const s = task.stores.get(name);
      if (s !== undefined) out.push({ partition: task.id.partition, store: s.facade() });
    };
    for (const task of this.tasks.values()) add(task);
    if (includeRestoring) for (const task of this.restoring.values()) add(task);
    return out.sort((a, b) => a.partition - b.partition);
  }

  /** Whether a store handed out for a query still belongs to a task of this worker. */
  servesStore(store: StateStore): boolean {
    for (const task of [...this.tasks.values(), ...this.restoring.values()]) {
      const s = task.stores.get(store.name);
      if (s !== undefined && s.facade() === store) return true;
    }
    return false;
  }

  /**
   * application.server → its tasks: the group's last assignment on a log of many members, else
   * this worker's own tasks (the embedded log has one member).
   */
  tasksByHost(): ReadonlyMap<string, readonly string[]> {
    const fromGroup = this.consumer?.tasksByHost?.();
    if (fromGroup !== undefined) return fromGroup;
    const own = this.config.applicationServer;
    if (own === null) return new Map();
    return new Map([[own, [...this.tasks.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))]]);
  }

  /** Tasks (= partitions) of a sub-topology, once the topics are planned. */
  taskCount(subtopology: number): number | undefined {
    return this.plan?.taskCounts.get(subtopology);
  }
}

