import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupConsumer, LogAdmin, RebalanceListener, TaskProducer, TopicPartition } from '../log/types.js';
import { tpKey } from '../log/types.js';
import type { StateStore } from '../state/store.js';
import type { Subtopology, Topology } from '../topology/topology.js';
import type { StreamsConfig } from './config.js';
import type { RepartitionHandoff } from './repartition-handoff.js';
import type { StandbyTasks } from './standby-tasks.js';
import type { StoreChangelogReader } from './store-changelog-reader.js';
import type { TaskRestoration } from './task-restoration.js';
import { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskLifecycle, type TaskState } from './task-state.js';
import type { TopicPlan } from './topic-planner.js';

export interface TaskManagerParts {
  readonly env: TaskEnvironment;
  readonly topology: Topology;
  readonly config: StreamsConfig;
  readonly plan: TopicPlan;
  readonly admin: LogAdmin;
  readonly consumer: GroupConsumer;
  readonly producer: TaskProducer;
  readonly changelogReader: StoreChangelogReader;
  /** Present where the log can take repartition records in-process. */
  readonly handoff: RepartitionHandoff | null;
  /** The worker's standby tasks (num.standby.replicas), opened and closed with each assignment. */
  readonly standbys?: StandbyTasks;
  /** Commits every running task (the loop's commit; a revocation commits before it suspends). */
  readonly commit: () => Promise<void>;
  /** Called when a rebalance or a restore begins and when it ends (the client's REBALANCING state). */
  readonly onRebalancing?: () => void;
}

/**
 * Kafka Streams' TaskManager: turns assignments and revocations into tasks and moves each task
 * along its lifecycle (task-state.ts): created on assignment and RESTORING, restored in passes
 * between the loop's turns (`restoreStep`, as Kafka Streams' state updater) and RUNNING once its
 * stores reached their changelog ends; suspended (committed) on revocation, resumed when assigned
 * again, closed when not, or when lost. The loop processes the RUNNING tasks (`active`); a
 * restoring task's input is fetched into its queues (bounded by back-pressure) meanwhile.
 */
export class TaskManager implements RebalanceListener {
  private readonly running = new Map<string, StreamTask>();
  private readonly restoring = new Map<string, StreamTask>();
  /** Tasks committed when their partitions were revoked before a rejoin; kept if assigned again. */
  private readonly suspended = new Map<string, StreamTask>();
  private readonly lifecycles = new Map<StreamTask, TaskLifecycle>();
  /** The RUNNING and RESTORING tasks by input partition (tpKey). */
  private readonly taskByPartition = new Map<string, StreamTask>();
  /** The restore of each RESTORING task, and the repartition partitions it reads in-process once it runs. */
  private readonly restorations = new Map<StreamTask, { readonly restoration: TaskRestoration; readonly handedOff: TopicPartition[] }>();
  /** Partitions whose fetching stopped because their queue is full (tpKey). */
  private readonly paused = new Set<string>();
  private rebalances = 0;

  constructor(private readonly parts: TaskManagerParts) {}

  /** The RUNNING tasks, by task id. */
  get active(): ReadonlyMap<string, StreamTask> {
    return this.running;
  }

  /** The task that reads a partition, if it is RUNNING or RESTORING here. */
  taskFor(topic: string, partition: number): StreamTask | undefined {
    return this.taskByPartition.get(tpKey(topic, partition));
  }

  stateOf(taskId: string): TaskState | undefined {
    for (const [task, lifecycle] of this.lifecycles) if (task.idString === taskId) return lifecycle.state;
    return undefined;
  }

  /** Partitions are being revoked or assigned, or stores restored (Kafka Streams' REBALANCING). */
  get rebalancing(): boolean {
    return this.rebalances > 0 || this.restoring.size > 0;
  }

  /**
   * Task id → how far this worker's state of the task has come, for the group leader's warm-up
   * decisions: LATEST_OFFSET (-2) for a stateful task it runs, the changelog offset sum of each
   * standby (warm-ups included). Other task directories on disk are not reported (their lag counts
   * as the whole changelog).
   */
  taskOffsetSums(): Record<string, number> {
    const sums: Record<string, number> = this.parts.standbys?.offsetSums() ?? {};
    for (const [id, task] of this.running) if (task.stores.size > 0) sums[id] = -2;
    return sums;
  }

  /** Tasks whose stores are being restored. */
  get restoringCount(): number {
    return this.restoring.size;
  }

  /** Some restore has records to read now (not only waiting for a transaction left open on its changelog). */
  get restoreReady(): boolean {
    for (const r of this.restorations.values()) if (!r.restoration.waiting) return true;
    return false;
  }

  /**
   * One restore pass: advances the RESTORING tasks' restores until `deadline` (performance.now()
   * time); a task whose stores reached their changelog ends initializes its processors and runs.
   * Returns whether a task started running.
   */
  async restoreStep(deadline: number): Promise<boolean> {
    let started = false;
    for (const [task, r] of [...this.restorations]) {
      // Round robin: the task restored now goes last, so a pass cut short by the deadline starts with another next time.
      this.restorations.delete(task);
      this.restorations.set(task, r);
      await r.restoration.step(deadline);
      if (r.restoration.finished && this.restorations.get(task) === r) {
        this.restorations.delete(task);
        task.initProcessors();
        this.transition(task, 'RUNNING');
        for (const tp of r.handedOff) this.parts.handoff?.attach(tp.topic, tp.partition, task);
        started = true;
      }
      if (performance.now() >= deadline) break;
    }
    if (started && this.restoring.size === 0) this.parts.onRebalancing?.();
    return started;
  }

  // ---- assignment ---------------------------------------------------------------------------

  onAssigned(partitions: TopicPartition[]): Promise<void> {
    this.parts.env.metrics.sensors.rebalances++;
    return this.whileRebalancing(() => this.assign(partitions));
  }

  onRevoked(partitions: TopicPartition[], lost: boolean): Promise<void> {
    return this.whileRebalancing(() => this.revoke(partitions, lost));
  }

  private async whileRebalancing(step: () => Promise<void>): Promise<void> {
    if (this.rebalances++ === 0) this.parts.onRebalancing?.();
    try {
      await step();
    } finally {
      if (--this.rebalances === 0) this.parts.onRebalancing?.();
    }
  }

  private taskIdOf(tp: TopicPartition): string | undefined {
    const st = this.parts.plan.sourceTopics.get(tp.topic);
    return st === undefined ? undefined : `${st}_${tp.partition}`;
  }

  private async assign(partitions: TopicPartition[]): Promise<void> {
    const { plan, admin, consumer, producer, config, topology, handoff } = this.parts;
    if (handoff !== null) {
      const prefix = `${config.applicationId}-`;
      await handoff.assign(partitions, (topic) => topic.startsWith(prefix) && topology.internalTopics.get(topic.slice(prefix.length))?.kind === 'repartition');
    }
    // Tasks suspended at the revocation that came back are resumed where they stopped fetching;
    // the others are closed (they were committed when suspended).
    const assignedIds = new Set<string>();
    for (const tp of partitions) {
      const id = this.taskIdOf(tp);
      if (id !== undefined) assignedIds.add(id);
    }
    for (const [id, task] of this.suspended) if (!assignedIds.has(id)) await this.closeTask(task, false);
    // Standbys of tasks now active here close (checkpointed): the active task restores only the tail.
    await this.parts.standbys?.assign(assignedIds, consumer.standbyTasks().tasks);
    const resumed = new Set<StreamTask>();
    for (const id of assignedIds) {
      const task = this.suspended.get(id);
      if (task === undefined) continue;
      this.transition(task, 'RESTORING');
      this.transition(task, 'RUNNING');
      resumed.add(task);
    }
    // New tasks' writers first: on a log with per-task transactions this fences the previous
    // owner, so the offsets and changelogs read below no longer move under us.
    const fresh = [...assignedIds].filter((id) => !this.running.has(id) && !this.restoring.has(id));
    if (fresh.length > 0) await producer.openTasks(fresh);
    const freshTopics = new Set<string>();
    for (const tp of partitions) {
      const id = this.taskIdOf(tp);
      if (id !== undefined && !this.running.has(id)) freshTopics.add(tp.topic);
    }
    const committed = freshTopics.size > 0 ? await admin.committedOffsets(config.applicationId, [...freshTopics]) : new Map();
    const subtopologies = topology.subtopologies();
    for (const tp of partitions) {
      const st = plan.sourceTopics.get(tp.topic);
      if (st === undefined) continue;
      const id = `${st}_${tp.partition}`;
      let task = this.running.get(id);
      if (task !== undefined && resumed.has(task)) {
        this.taskByPartition.set(tpKey(tp.topic, tp.partition), task);
        const q = task.queueFor(tp.topic, tp.partition);
        if (q !== undefined) consumer.seek(tp.topic, tp.partition, q.fetchPosition);
        continue;
      }
      if (task === undefined) task = this.restoring.get(id) ?? (await this.createTask(subtopologies[st]!, tp.partition));
      this.taskByPartition.set(tpKey(tp.topic, tp.partition), task);
      // A restoring task is handed repartition records in-process only once it runs: until then
      // they go to the log and are fetched into its queue, which back-pressure bounds.
      this.restorations.get(task)?.handedOff.push(tp);
      const c = committed.get(tpKey(tp.topic, tp.partition));
      if (c !== undefined) {
        task.resume(tp.topic, tp.partition, c.offset, c.metadata);
        consumer.seek(tp.topic, tp.partition, c.offset);
      } else {
        const offset =
          this.sourceReset(tp.topic) === 'latest' ? (await admin.endOffsets(tp.topic))[tp.partition]! : (await admin.beginningOffsets(tp.topic))[tp.partition]!;
        consumer.seek(tp.topic, tp.partition, offset);
        task.resume(tp.topic, tp.partition, offset, undefined);
      }
    }
  }

  /** CREATED → RESTORING: stores opened, to be brought up to date from their changelogs by restoreStep. */
  private async createTask(subtopology: Subtopology, partition: number): Promise<StreamTask> {
    const task = new StreamTask(this.parts.env, this.parts.topology, subtopology, partition);
    this.lifecycles.set(task, new TaskLifecycle(task.idString));
    await task.initStores();
    this.transition(task, 'RESTORING');
    this.restorations.set(task, { restoration: this.parts.changelogReader.begin(task), handedOff: [] });
    this.parts.onRebalancing?.();
    return task;
  }

  private sourceReset(physical: string): 'earliest' | 'latest' {
    const { topology, env, config } = this.parts;
    for (const node of topology.nodes.values()) {
      if (node.kind === 'source' && node.topics.some((t) => env.physicalTopic(t) === physical)) return node.offsetReset ?? config.autoOffsetReset;
    }
    return config.autoOffsetReset;
  }

  /**
   * Partitions are taken away before the group rebalances. Unless they were lost, their tasks
   * commit and are suspended: a task assigned again resumes as it was (assign), the others are
   * closed then. Lost tasks drop their uncommitted output and store writes and close.
   */
  private async revoke(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const affected = new Set<StreamTask>();
    const suspendedAffected = new Set<StreamTask>();
    for (const tp of partitions) {
      const task = this.taskByPartition.get(tpKey(tp.topic, tp.partition));
      if (task !== undefined) affected.add(task);
      const id = this.taskIdOf(tp);
      const s = id === undefined ? undefined : this.suspended.get(id);
      if (s !== undefined) suspendedAffected.add(s);
    }
    for (const task of suspendedAffected) await this.closeTask(task, lost);
    // A task still restoring has processed nothing: it closes, checkpointed at the offsets its restore reached.
    for (const task of affected) {
      if (!this.restorations.has(task)) continue;
      affected.delete(task);
      await this.closeTask(task, false);
    }
    if (affected.size === 0) return;
    if (lost) {
      await this.parts.producer.abort([...affected].map((t) => t.idString));
      for (const task of affected) await this.closeTask(task, true);
      return;
    }
    await this.parts.commit();
    for (const task of affected) {
      if (this.running.get(task.idString) !== task) continue; // lost in that commit and closed
      for (const [k, t] of this.taskByPartition) if (t === task) this.taskByPartition.delete(k);
      this.transition(task, 'SUSPENDED');
    }
  }

  /** Tasks a commit found migrated to another worker: closed without committing. */
  async closeLost(taskIds: Iterable<string>): Promise<void> {
    for (const id of taskIds) {
      const task = this.running.get(id);
      if (task !== undefined) await this.closeTask(task, true);
    }
  }

  /** Closes a task (a lost one without committing: its pending store writes are dropped; a restoring one checkpointed). */
  private async closeTask(task: StreamTask, lost: boolean): Promise<void> {
    if (lost) this.parts.config.logger.info(`task ${task.idString}: closing as lost; its uncommitted work is dropped`);
    try {
      await this.stopRestoring(task);
      await task.close();
    } finally {
      this.markClosed(task);
      const resume: TopicPartition[] = [];
      for (const [k, t] of this.taskByPartition) {
        if (t !== task) continue;
        this.taskByPartition.delete(k);
        if (this.paused.delete(k)) {
          const at = k.lastIndexOf('/');
          resume.push({ topic: k.slice(0, at), partition: Number(k.slice(at + 1)) });
        }
      }
      if (resume.length > 0) this.parts.consumer.resume(resume);
      await this.parts.producer.closeTasks([task.idString]);
    }
  }

  /** A restoring task's restore ends: its stores are checkpointed at the changelog offsets reached. */
  private async stopRestoring(task: StreamTask): Promise<void> {
    const r = this.restorations.get(task);
    if (r === undefined) return;
    this.restorations.delete(task);
    await r.restoration.checkpoint();
  }

  /** Clean shutdown: every task closes (running ones were committed just before, restoring ones are checkpointed). */
  async closeAll(): Promise<void> {
    const tasks = [...this.running.values(), ...this.restoring.values(), ...this.suspended.values()];
    for (const task of tasks) {
      await this.stopRestoring(task);
      await task.close();
    }
    await this.parts.producer.closeTasks(tasks.map((t) => t.idString));
    for (const task of tasks) this.markClosed(task);
    this.taskByPartition.clear();
  }

  /** After a failure: drops the running tasks' uncommitted output and closes every task, as far as it can. */
  async abortAndClose(): Promise<void> {
    try {
      await this.parts.producer.abort([...this.running.keys()]);
    } catch {
      /* the original error matters more */
    }
    for (const task of [...this.running.values(), ...this.restoring.values(), ...this.suspended.values()]) {
      try {
        await task.close();
      } catch {
        /* keep closing the others */
      }
      this.markClosed(task);
    }
    this.taskByPartition.clear();
  }

  // ---- lifecycle bookkeeping ----------------------------------------------------------------

  private transition(task: StreamTask, next: TaskState): void {
    const lifecycle = this.lifecycles.get(task)!;
    const previous = lifecycle.state;
    lifecycle.transitionTo(next);
    this.mapFor(previous)?.delete(task.idString);
    this.mapFor(next)?.set(task.idString, task);
    if (next === 'CLOSED') this.lifecycles.delete(task);
  }

  private mapFor(state: TaskState): Map<string, StreamTask> | null {
    if (state === 'RUNNING') return this.running;
    if (state === 'RESTORING') return this.restoring;
    if (state === 'SUSPENDED') return this.suspended;
    return null;
  }

  /** Suspends the task if it is still active, then closes it. */
  private markClosed(task: StreamTask): void {
    const lifecycle = this.lifecycles.get(task);
    if (lifecycle === undefined) return;
    if (lifecycle.state !== 'SUSPENDED') this.transition(task, 'SUSPENDED');
    this.transition(task, 'CLOSED');
  }

  // ---- back-pressure ------------------------------------------------------------------------

  /** Stops fetching partitions whose queue is full; resumes them once drained. */
  applyBackpressure(): void {
    const limit = this.parts.config.bufferedRecordsPerPartition;
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const tasks of [this.running, this.restoring]) {
      for (const task of tasks.values()) {
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
    }
    if (pause.length > 0) this.parts.consumer.pause(pause);
    if (resume.length > 0) this.parts.consumer.resume(resume);
  }

  // ---- what the group and interactive queries ask -------------------------------------------

  /** Tasks with stores on this worker's disk (the group prefers to give them back to it). */
  static localTaskIds(config: StreamsConfig): string[] {
    try {
      return readdirSync(join(config.stateDir, config.applicationId)).filter((n) => /^\d+_\d+$/.test(n));
    } catch {
      return [];
    }
  }

  /** The named store of each running task (and of each task being restored, when asked), by partition. */
  storesForQuery(name: string, includeRestoring: boolean): Array<{ readonly partition: number; readonly store: StateStore }> {
    const out: Array<{ partition: number; store: StateStore }> = [];
    const add = (task: StreamTask) => {
      const s = task.stores.get(name);
      if (s !== undefined) out.push({ partition: task.id.partition, store: s.facade() });
    };
    for (const task of this.running.values()) add(task);
    if (includeRestoring) for (const task of this.restoring.values()) add(task);
    if (includeRestoring && this.parts.standbys !== undefined) out.push(...this.parts.standbys.stores(name));
    return out.sort((a, b) => a.partition - b.partition);
  }

  /** Whether a store handed out for a query still belongs to a task of this worker. */
  servesStore(store: StateStore): boolean {
    for (const task of [...this.running.values(), ...this.restoring.values()]) {
      const s = task.stores.get(store.name);
      if (s !== undefined && s.facade() === store) return true;
    }
    return this.parts.standbys?.servesStore(store) ?? false;
  }
}
