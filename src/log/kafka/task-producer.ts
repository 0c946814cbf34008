/**
 * Writers of task output on Kafka.
 *
 * exactly_once: one transactional producer per task (`transactional.id = <application.id>-<task>`).
 * openTasks() initializes it, which fences an earlier owner of the task and aborts its open
 * transaction. Records are sent in the background as they come (chained per task, so they stay in
 * order); commit() adds the task's input offsets to the transaction (TxnOffsetCommit) and ends
 * it, all tasks in parallel. A task whose producer was fenced, or whose transaction could not
 * complete, is reported lost (TaskMigratedError) and its producer is dropped.
 *
 * at_least_once: one idempotent producer; commit() waits until every record sent is acknowledged,
 * then commits the offsets with the group generation (a member that lost its place cannot).
 * exactly_once_v2 (one transactional producer per worker): worker-producer.ts.
 *
 * The producers of one worker share a kafkajs Cluster (connections and metadata); each is a
 * ProducerSession with its own producer id, epoch and sequence numbers.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { TaskMigratedError, type OffsetToCommit, type ProducedRecord, type TaskCommit, type TaskProducer } from '../types.js';
import type { KafkaTuning } from './client-config.js';
import { kafkaErrorMessage, retrying } from './errors.js';
import { createCluster, type KBroker, type KCluster } from './kafkajs-internals.js';
import { ProducerSession } from './producer-session.js';
import { commitWithMembership } from './rebalance-commit.js';
import { allOffsets, isStaleMemberError, producedBytes, sessionOptions, SingleSessionProducer, taskLostBy, type ProducerHooks } from './worker-producer.js';

export type { ProducerHooks } from './worker-producer.js';

function offsetsByTopic(offsets: readonly OffsetToCommit[]): Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }> {
  const byTopic = new Map<string, Array<{ partition: number; offset: string; metadata?: string | null }>>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: String(o.offset), metadata: o.metadata ?? null });
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

class TxnTask {
  /**
   * The task's own connections: a broker serves one connection's requests one at a time, so tasks
   * sharing one would queue their produce and transaction requests behind each other (as the Java
   * client, each transactional producer has its own).
   */
  cluster: KCluster | null = null;
  session: ProducerSession | null = null;
  pending: ProducedRecord[] = [];
  pendingBytes = 0;
  sentBytes = 0;
  chain: Promise<void> = Promise.resolve();
  error: unknown = null;
  ends = new Map<string, number>();
  constructor(readonly id: string) {}
}

export class TransactionalTaskProducer implements TaskProducer {
  private readonly tasks = new Map<string, TxnTask>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly applicationId: string,
    private readonly tuning: KafkaTuning,
    private readonly hooks: ProducerHooks,
    private readonly logger: Logger,
  ) {}

  transactionalId(taskId: string): string {
    return `${this.applicationId}-${taskId}`;
  }

  async openTasks(taskIds: readonly string[]): Promise<void> {
    await Promise.all(taskIds.map((id) => this.open(id)));
  }

  /** Starts (or keeps) the task's producer; a new one fences any older owner of the task. */
  private async open(id: string): Promise<TxnTask> {
    const existing = this.tasks.get(id);
    if (existing !== undefined && existing.session !== null && existing.error === null) return existing;
    if (existing !== undefined) await this.dispose(existing);
    const t = new TxnTask(id);
    this.tasks.set(id, t);
    await this.start(t);
    return t;
  }

  private async start(t: TxnTask): Promise<void> {
    const started = Date.now();
    const cluster = (t.cluster = createCluster(this.kafka));
    await retrying(`connecting the producer of task ${t.id}`, () => cluster.connect(), { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed });
    const session = new ProducerSession(cluster, sessionOptions(this.tuning, this.transactionalId(t.id), () => this.closed, this.logger));
    await session.init();
    t.session = session;
    this.logger.debug(`task ${t.id}: transactional producer ${this.transactionalId(t.id)} (id ${session.producerId}, epoch ${session.producerEpoch}) ready in ${Date.now() - started} ms`);
  }

  send(taskId: string, records: readonly ProducedRecord[]): void {
    if (records.length === 0) return;
    let t = this.tasks.get(taskId);
    if (t === undefined) {
      // Not opened by the runtime (direct use): open on first use, in the task's chain.
      t = new TxnTask(taskId);
      this.tasks.set(taskId, t);
      const task = t;
      task.chain = this.start(task).catch((e: unknown) => {
        task.error ??= e;
      });
    }
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      t.pending.push(r);
      bytes += producedBytes(r);
    }
    t.pendingBytes += bytes;
    if (t.pendingBytes >= this.tuning.produceRequestBytes) this.dispatch(t);
  }

  /** Hands the task's pending records to its producer, behind what it is already sending. */
  private dispatch(t: TxnTask): void {
    if (t.pending.length === 0) return;
    const records = t.pending;
    t.sentBytes += t.pendingBytes;
    t.pending = [];
    t.pendingBytes = 0;
    t.chain = t.chain
      .then(async () => {
        if (t.error !== null) return;
        await t.session!.send(records, t.ends);
      })
      .catch((e: unknown) => {
        t.error ??= e;
      });
  }

  async commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>> {
    const results = await Promise.all(
      commits.map((c) =>
        this.commitTask(groupId, c).then(
          (ends) => ({ id: c.taskId, ends, error: null as unknown }),
          (error: unknown) => ({ id: c.taskId, ends: null, error }),
        ),
      ),
    );
    const ends = new Map<string, number>();
    const lost: string[] = [];
    let fatal: unknown = null;
    let reason = '';
    for (const r of results) {
      if (r.ends !== null) {
        for (const [k, v] of r.ends) ends.set(k, v);
        continue;
      }
      const t = this.tasks.get(r.id);
      if (t !== undefined) await this.dispose(t);
      this.tasks.delete(r.id);
      if (taskLostBy(r.error)) {
        lost.push(r.id);
        reason ||= kafkaErrorMessage(r.error);
      } else {
        fatal ??= r.error;
      }
    }
    if (fatal !== null) throw fatal;
    if (lost.length > 0) {
      this.hooks.tasksLost(groupId, lost);
      throw new TaskMigratedError(`task${lost.length > 1 ? 's' : ''} ${lost.join(', ')} could not commit (${reason})`, lost, ends);
    }
    return ends;
  }

  private async commitTask(groupId: string, c: TaskCommit): Promise<Map<string, number>> {
    let t = this.tasks.get(c.taskId);
    if (t === undefined) t = await this.open(c.taskId);
    this.dispatch(t);
    await t.chain;
    if (t.error !== null) throw t.error;
    const session = t.session!;
    if (c.offsets.length > 0) await session.sendOffsets(groupId, c.offsets);
    await session.endTransaction(true);
    const ends = t.ends;
    t.ends = new Map();
    t.sentBytes = 0;
    return ends;
  }

  async abort(taskIds: readonly string[]): Promise<void> {
    await Promise.all(
      taskIds.map(async (id) => {
        const t = this.tasks.get(id);
        if (t === undefined) return;
        t.pending = [];
        t.pendingBytes = 0;
        await t.chain;
        t.sentBytes = 0;
        t.ends = new Map();
        if (t.error !== null || t.session === null) {
          await this.dispose(t);
          this.tasks.delete(id);
          return;
        }
        try {
          await t.session.endTransaction(false);
        } catch (error) {
          this.logger.debug(`task ${id}: abort failed (${kafkaErrorMessage(error)}); dropping its producer`);
          await this.dispose(t);
          this.tasks.delete(id);
        }
      }),
    );
  }

  async closeTasks(taskIds: readonly string[]): Promise<void> {
    await Promise.all(
      taskIds.map(async (id) => {
        const t = this.tasks.get(id);
        if (t === undefined) return;
        this.tasks.delete(id);
        await this.dispose(t);
      }),
    );
  }

  private async dispose(t: TxnTask): Promise<void> {
    t.pending = [];
    t.pendingBytes = 0;
    t.sentBytes = 0;
    await t.chain.catch(() => undefined);
    // An open transaction is left to the next owner (its InitProducerId aborts it) or to the broker's timeout.
    t.session = null;
    const cluster = t.cluster;
    t.cluster = null;
    await cluster?.disconnect().catch(() => undefined);
  }

  bufferedBytes(): number {
    let n = 0;
    for (const t of this.tasks.values()) n += t.pendingBytes + t.sentBytes;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(all.map((t) => this.dispose(t)));
  }
}

/** at_least_once: an idempotent producer; offsets are committed once the output is acknowledged. */
export class IdempotentTaskProducer extends SingleSessionProducer {
  private coordinator: KBroker | null = null;

  constructor(kafka: Kafka, tuning: KafkaTuning, hooks: ProducerHooks, logger: Logger) {
    super(kafka, tuning, hooks, logger, null);
  }

  async commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>> {
    const owner = this.hooks.membership(groupId)?.memberId ?? null;
    const { ends, error } = await this.drain();
    const all = commits.map((c) => c.taskId);
    if (error !== null) {
      // A new producer id next time (its sequence numbers may be out of step with the broker).
      this.dropSession();
      if (!taskLostBy(error)) throw error;
      this.hooks.tasksLost(groupId, all);
      throw new TaskMigratedError(`output could not be written (${kafkaErrorMessage(error)})`, all, new Map());
    }
    const offsets = allOffsets(commits);
    if (offsets.length > 0) {
      let generation: number | undefined;
      try {
        await commitWithMembership(
          groupId,
          () => this.hooks.membership(groupId),
          (member) => {
            generation = member.generationId;
            return retrying(
              'committing offsets',
              async () => {
                this.coordinator ??= await this.cluster.findGroupCoordinator({ groupId });
                try {
                  await this.coordinator.offsetCommit({ groupId, groupGenerationId: member.generationId, memberId: member.memberId, topics: offsetsByTopic(offsets) });
                } catch (e) {
                  this.coordinator = null;
                  throw e;
                }
              },
              { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed },
            );
          },
          this.tuning.sessionTimeoutMs,
          owner,
        );
      } catch (error) {
        if (isStaleMemberError(error)) {
          this.hooks.tasksLost(groupId, all);
          throw new TaskMigratedError(`offsets could not be committed: this member left ${generation === undefined ? 'the group' : `generation ${generation}`} (${(error as { type?: string }).type})`, all, ends);
        }
        throw error;
      }
    }
    return ends;
  }

  async abort(): Promise<void> {
    // Records already sent stay (at_least_once); only what was not sent yet is dropped.
    await this.dropPending().catch(() => undefined);
  }

  override async close(): Promise<void> {
    await super.close();
    this.logger.debug('idempotent producer closed');
  }
}
