import type { GroupConsumer, HandedOffRecords, HandoffTaskProducer, LogAdmin, ProducedRecord, TaskCommit, TopicPartition } from '../log/types.js';
import { approxRecordBytes, tpKey } from '../log/types.js';
import type { RecordQueue } from './record-queue.js';
import type { StreamTask } from './stream-task.js';

/** A repartition partition that a task of this worker reads. */
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
  /** Records written to the partition since the last commit that its task has not consumed yet, from offset `heldBase`. */
  held: ProducedRecord[];
  heldBase: number;
}


/**
 * The in-process hand-off of repartition records, used only where the log declares the
 * capability (LogCapabilities.inProcessHandoff): a record written to a repartition partition that
 * a task of this worker reads is queued for that task at once, with the offset it will get at
 * commit, instead of being read back after the commit. The log commits all tasks of a worker in
 * one atomic step, so a crash loses the handed-off records and their effects together; records
 * their task already consumed are left out of the commit (no one else reads a repartition topic).
 * Records of these partitions are held here instead of in the producer, and dropped as soon as
 * their task consumed them (release()), so they do not live on in memory until the commit.
 */
export class RepartitionHandoff {
  /** Locally read repartition partitions by topic and partition. */
  private readonly targets = new Map<string, HandoffTarget[]>();
  /** Tasks that read a repartition topic written by this worker. */
  private readonly fed = new WeakSet<StreamTask>();

  constructor(
    private readonly producer: HandoffTaskProducer,
    private readonly consumer: GroupConsumer,
    private readonly admin: LogAdmin,
  ) {}

  /** On assignment, before the tasks are created: where the assigned repartition partitions end. */
  async assign(partitions: readonly TopicPartition[], isRepartitionTopic: (topic: string) => boolean): Promise<void> {
    for (const tp of partitions) {
      if (!isRepartitionTopic(tp.topic)) continue;
      let parts = this.targets.get(tp.topic);
      if (parts === undefined) this.targets.set(tp.topic, (parts = []));
      const next = (await this.admin.endOffsets(tp.topic))[tp.partition]!;
      parts[tp.partition] = { topic: tp.topic, partition: tp.partition, next, committedEnd: next, task: null, queue: null, touched: false, held: [], heldBase: next };
    }
  }

  /** A task of this worker reads the partition: records written to it are queued for the task. */
  attach(topic: string, partition: number, task: StreamTask): void {
    const target = this.targets.get(topic)?.[partition];
    if (target === undefined) return;
    target.task = task;
    target.queue = task.queueFor(topic, partition) ?? null;
    this.fed.add(task);
  }

  /** Whether the task is handed records in-process (it then drains what it was handed each round). */
  feeds(task: StreamTask): boolean {
    return this.fed.has(task);
  }

  /**
   * Queues the records a task just wrote for the tasks of this worker that read their partitions
   * and keeps them until they are consumed or committed; returns the other records (for the producer).
   */
  handOff(records: readonly ProducedRecord[]): readonly ProducedRecord[] {
    let touched: HandoffTarget[] | null = null;
    let rest: ProducedRecord[] | null = null;
    let lastTopic: string | null = null;
    let lastTargets: HandoffTarget[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.topic !== lastTopic) {
        lastTopic = r.topic;
        lastTargets = this.targets.get(r.topic);
      }
      const t = lastTargets?.[r.partition];
      if (t === undefined) {
        if (rest !== null) rest.push(r);
        continue;
      }
      rest ??= records.slice(0, i);
      const offset = t.next++;
      t.held.push(r);
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
    return rest ?? records;
  }

  /**
   * Drops held records their task already consumed: the task's offset, which commits in the same
   * atomic step, is past them, so they need not be written.
   */
  release(): void {
    for (const partitions of this.targets.values()) {
      for (const t of partitions) {
        if (t === undefined || t.queue === null || t.held.length === 0) continue;
        const drop = Math.min(t.next, t.queue.consumedOffset) - t.heldBase;
        if (drop <= 0) continue;
        t.held = drop >= t.held.length ? [] : t.held.slice(drop);
        t.heldBase += drop;
      }
    }
  }

  /** Bytes of the records held for a commit. */
  bufferedBytes(): number {
    let n = 0;
    for (const partitions of this.targets.values()) {
      for (const t of partitions) if (t !== undefined) for (let i = 0; i < t.held.length; i++) n += approxRecordBytes(t.held[i]!);
    }
    return n;
  }

  /** Commits with the held records that are still to be written (after the gap of those consumed). */
  commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>> {
    this.release();
    const handedOff: HandedOffRecords[] = [];
    for (const partitions of this.targets.values()) {
      for (const t of partitions) {
        if (t === undefined) continue;
        const gap = t.heldBase - t.committedEnd;
        if (gap > 0 || t.held.length > 0) handedOff.push({ topic: t.topic, partition: t.partition, gap, records: t.held });
        t.held = [];
        t.heldBase = t.next;
      }
    }
    return this.producer.commitWithHandedOff(groupId, commits, handedOff);
  }

  /** After a commit, the offsets the log gave must be the ones handed-off records were given. */
  checkCommitted(ends: ReadonlyMap<string, number>): void {
    for (const [topic, partitions] of this.targets) {
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
}
