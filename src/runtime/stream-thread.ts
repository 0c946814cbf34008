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
import { tpKey } from '../log/types.js';
import { RecordCache } from '../state/record-cache.js';
import type { Topology } from '../topology/topology.js';
import type { StreamsConfig } from './config.js';
import { handleRecordError } from './error-handling.js';
import { Metrics, METRIC } from './metrics.js';
import { StreamTask, drainOutbox } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import type { RecordQueue } from './record-queue.js';
import { type TopicPlan, physicalTopicName, planTopics } from './topic-planner.js';
import type { InputRecord } from '../log/types.js';

interface HandoffTarget {
  readonly topic: string;
  readonly partition: number;
  /** Offset the next record written to this partition will get. */
  next: number;
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
}

export interface StreamThreadOptions {
  /** Stop once every input is consumed, processed and committed. */
  readonly untilIdle?: boolean;
}

const RESTORE_BATCH = 10_000;
const PROCESS_BATCH_PER_TASK = 2_000;
const IDLE_POLL_MS = 50;

/**
 * The worker loop (Kafka Streams' StreamThread): poll → process each task's buffered records
 * synchronously → punctuate → commit. Awaits happen only between batches.
 */
export class StreamThread implements TaskEnvironment {
  readonly cache: RecordCache;
  readonly metrics = new Metrics();
  state: ThreadState = 'CREATED';
  private readonly tasks = new Map<string, StreamTask>();
  private readonly taskByPartition = new Map<string, StreamTask>();
  private plan!: TopicPlan;
  private admin!: LogAdmin;
  private consumer!: GroupConsumer;
  private producer!: TaskProducer;
  private reader!: PartitionReader;
  private readonly pendingTopics = new Map<string, number>();
  private readonly knownTopics = new Set<string>();
  private stopRequested = false;
  private commitRequested = false;
  private lastCommit = 0;
  private lastPurge = 0;
  private lag = 0;
  private lastLagCheck = 0;
  private commits = 0;
  private processedSinceCommit = 0;
  private paused = new Set<string>();
  /** Embedded log: locally read repartition partitions by topic and partition (see handOff). */
  private handoff: Map<string, HandoffTarget[]> | null = null;

  constructor(
    readonly topology: Topology,
    readonly config: StreamsConfig,
    private readonly log: Log,
    private readonly options: StreamThreadOptions = {},
  ) {
    this.cache = new RecordCache(config.cacheMaxBytes);
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
    return { state: this.state, processed: this.metrics.get(METRIC.processed), tasks: this.tasks.size, lag: this.lag, commits: this.commits };
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
      await this.consumer.subscribe([...this.plan.sourceTopics.keys()], {
        onAssigned: (tps) => this.onAssigned(tps),
        onRevoked: (tps, lost) => this.onRevoked(tps, lost),
      });
      this.state = 'RUNNING';
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
      const batches = await this.consumer.poll(waitMs);
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
          if (++idleRounds >= 2) break;
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
      if (task !== undefined) task.enqueue(b);
    }
  }

  private processTasks(): number {
    let total = 0;
    for (const task of this.tasks.values()) {
      total += task.process(PROCESS_BATCH_PER_TASK);
    }
    this.processedSinceCommit += total;
    return total;
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
    for (const task of this.tasks.values()) {
      if (task.outbox.length === 0) continue;
      const records: ProducedRecord[] = drainOutbox(task);
      if (this.handoff !== null) this.handOff(records);
      this.producer.send(task.idString, records);
    }
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
      t.task!.enqueueInto(t.queue, { topic: r.topic, partition: r.partition, offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
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

  /** After a commit, the offsets the log gave must be the ones handed-off records were given. */
  private checkHandoff(ends: ReadonlyMap<string, number>): void {
    if (this.handoff === null) return;
    for (const [topic, partitions] of this.handoff) {
      for (let p = 0; p < partitions.length; p++) {
        const expected = partitions[p]?.next;
        const actual = ends.get(tpKey(topic, p));
        if (expected !== undefined && actual !== undefined && actual !== expected) {
          throw new Error(`internal topic ${topic}-${p} was written by another process (expected end ${expected}, found ${actual})`);
        }
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
    for (const task of this.tasks.values()) task.flushCaches();
    await this.sendOutboxes();
    const commits = [...this.tasks.values()].map((t) => ({ task: t, offsets: t.offsetsToCommit() }));
    const ends = await this.producer.commit(
      this.config.applicationId,
      commits.map((c) => ({ taskId: c.task.idString, offsets: c.offsets })),
    );
    this.checkHandoff(ends);
    for (const c of commits) await c.task.commitStores(ends, c.offsets);
    this.commits++;
    this.metrics.increment(METRIC.commits);
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
    if (this.producer.bufferedBytes() > 0 || this.processedSinceCommit > 0) {
      await this.commit();
      return false;
    }
    return (await this.refreshLag()) === 0 && this.tasks.size > 0;
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
      }
    }
    this.lag = lag;
    return lag;
  }

  // ---- assignment -----------------------------------------------------------------------

  private async onAssigned(partitions: TopicPartition[]): Promise<void> {
    if (this.log.kind === 'embedded') {
      this.handoff ??= new Map();
      for (const tp of partitions) {
        const logical = tp.topic.slice(this.config.applicationId.length + 1);
        if (!tp.topic.startsWith(`${this.config.applicationId}-`) || this.topology.internalTopics.get(logical)?.kind !== 'repartition') continue;
        let parts = this.handoff.get(tp.topic);
        if (parts === undefined) this.handoff.set(tp.topic, (parts = []));
        const next = (await this.admin.endOffsets(tp.topic))[tp.partition]!;
        parts[tp.partition] = { topic: tp.topic, partition: tp.partition, next, task: null, queue: null, touched: false };
      }
    }
    const committed = await this.admin.committedOffsets(this.config.applicationId, [...new Set(partitions.map((p) => p.topic))]);
    const subtopologies = this.topology.subtopologies();
    for (const tp of partitions) {
      const st = this.plan.sourceTopics.get(tp.topic);
      if (st === undefined) continue;
      const id = `${st}_${tp.partition}`;
      let task = this.tasks.get(id);
      if (task === undefined) {
        task = new StreamTask(this, this.topology, subtopologies[st]!, tp.partition);
        await task.initStores();
        await this.restore(task);
        task.initProcessors();
        this.tasks.set(id, task);
      }
      this.taskByPartition.set(tpKey(tp.topic, tp.partition), task);
      const target = this.handoff?.get(tp.topic)?.[tp.partition];
      if (target !== undefined) {
        target.task = task;
        target.queue = task.queueFor(tp.topic, tp.partition) ?? null;
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
      if (from === end) continue;
      const started = Date.now();
      let restored = 0;
      while (from < end) {
        const records = await this.reader.read(topic, task.id.partition, from, RESTORE_BATCH);
        if (records.length === 0) break;
        store.restore(records);
        restored += records.length;
        from = records[records.length - 1]!.offset + 1;
      }
      await store.commit(end);
      this.config.logger.info(`restored ${restored} records into store ${name} of task ${task.idString} in ${Date.now() - started} ms`);
    }
  }

  private async onRevoked(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const affected = new Set<StreamTask>();
    for (const tp of partitions) {
      const task = this.taskByPartition.get(tpKey(tp.topic, tp.partition));
      if (task !== undefined) affected.add(task);
    }
    if (affected.size === 0) return;
    if (!lost) await this.commit();
    else await this.producer.abort([...affected].map((t) => t.idString));
    for (const task of affected) {
      await task.close();
      this.tasks.delete(task.idString);
      for (const [k, t] of this.taskByPartition) if (t === task) this.taskByPartition.delete(k);
    }
  }

  private async closeTasks(): Promise<void> {
    for (const task of this.tasks.values()) await task.close();
    this.tasks.clear();
    this.taskByPartition.clear();
  }

  private async abortAndClose(): Promise<void> {
    try {
      if (this.producer !== undefined) await this.producer.abort([...this.tasks.keys()]);
    } catch {
      /* the original error matters more */
    }
    for (const task of this.tasks.values()) {
      try {
        await task.close();
      } catch {
        /* keep closing the others */
      }
    }
    this.tasks.clear();
  }
}

