import type { LogAdmin } from '../log/types.js';
import { tpKey } from '../log/types.js';
import type { StreamTask } from './stream-task.js';
import type { ThreadSensors } from './metrics/sensors.js';

/**
 * How far this worker's tasks got through their inputs: lag (records on the log not yet
 * processed) and whether every input was consumed to its end (the untilIdle stop).
 */
export class InputProgress {
  /** Records on the log not yet processed by this worker's tasks, as of the last refresh. */
  lag = 0;
  lastLagCheck = 0;
  /** Highest end offset this worker's commits reported per input partition (see groupConsumedToEnd). */
  private readonly writtenEnds = new Map<string, number>();

  constructor(
    private readonly admin: LogAdmin,
    private readonly applicationId: string,
    /** Physical input topics of the application (sources and repartition topics). */
    private readonly inputTopics: ReadonlyMap<string, number>,
    /** The group may have other members (LogCapabilities.sharedGroup). */
    private readonly sharedGroup: boolean,
    private readonly sensors: ThreadSensors,
  ) {}

  /** After a commit: the end offsets it reported for the input partitions it wrote. */
  recordWritten(ends: ReadonlyMap<string, number>): void {
    for (const [key, end] of ends) {
      if (this.inputTopics.has(key.slice(0, key.lastIndexOf('/'))) && end > (this.writtenEnds.get(key) ?? 0)) this.writtenEnds.set(key, end);
    }
  }

  /** Every input consumed to its end (call once everything processed is committed). */
  async consumedToEnd(tasks: ReadonlyMap<string, StreamTask>): Promise<boolean> {
    if (this.sharedGroup) return this.groupConsumedToEnd(tasks);
    return (await this.refreshLag(tasks)) === 0 && tasks.size > 0;
  }

  /** Records on the log not yet processed by the tasks. */
  async refreshLag(tasks: ReadonlyMap<string, StreamTask>): Promise<number> {
    this.lastLagCheck = Date.now();
    let lag = 0;
    const ends = new Map<string, number[]>();
    for (const topic of this.inputTopics.keys()) ends.set(topic, await this.admin.endOffsets(topic));
    for (const task of tasks.values()) {
      for (const p of task.positions()) {
        const end = ends.get(p.topic)?.[p.partition] ?? 0;
        const partitionLag = Math.max(0, end - Math.max(0, p.consumed));
        lag += partitionLag;
        this.sensors.lag(p.topic, p.partition, task.idString, partitionLag, this.lastLagCheck);
      }
    }
    this.lag = lag;
    return lag;
  }

  /**
   * With workers sharing the work through a group, idle means: every partition of every input
   * topic of the application has a committed offset at the end of its log. The end is the log
   * end offset, transaction markers included, so a transaction whose markers are still being
   * written is never mistaken for the end; and no less than what this worker's own commits wrote there.
   */
  private async groupConsumedToEnd(tasks: ReadonlyMap<string, StreamTask>): Promise<boolean> {
    const topics = [...this.inputTopics.keys()];
    const committed = await this.admin.committedOffsets(this.applicationId, topics);
    // This worker's partitions count as far as it consumed them (all of it is committed by now,
    // except a position taken from auto.offset.reset=latest, which has nothing to commit).
    const consumed = new Map<string, number>();
    for (const task of tasks.values()) for (const p of task.positions()) consumed.set(tpKey(p.topic, p.partition), p.consumed);
    for (const topic of topics) {
      const ends = await this.admin.logEndOffsets(topic);
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
}
