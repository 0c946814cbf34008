import type { LogAdmin } from '../log/types.js';
import { tpKey } from '../log/types.js';
import type { Topology } from '../topology/topology.js';
import type { StreamTask } from './stream-task.js';

/** Deletes repartition records once committed as consumed, on an interval (Kafka Streams does the same). */
export class RepartitionPurger {
  private lastPurge = Date.now();

  constructor(
    private readonly admin: LogAdmin,
    private readonly topology: Topology,
    private readonly applicationId: string,
    private readonly physicalTopic: (logical: string) => string,
    /** Physical input topics of the application (sources and repartition topics). */
    private readonly inputTopics: ReadonlyMap<string, number>,
    private readonly intervalMs: number,
  ) {}

  /** After a commit: purges the tasks' repartition partitions when the interval has passed. */
  async afterCommit(tasks: ReadonlyMap<string, StreamTask>): Promise<void> {
    if (Date.now() - this.lastPurge < this.intervalMs) return;
    this.lastPurge = Date.now();
    const committed = await this.admin.committedOffsets(this.applicationId, [...this.inputTopics.keys()]);
    for (const [logical, def] of this.topology.internalTopics) {
      if (def.kind !== 'repartition') continue;
      const topic = this.physicalTopic(logical);
      for (const task of tasks.values()) {
        const c = committed.get(tpKey(topic, task.id.partition));
        if (c !== undefined && task.queueFor(topic, task.id.partition) !== undefined) {
          await this.admin.deleteRecordsBefore(topic, task.id.partition, c.offset);
        }
      }
    }
  }
}
