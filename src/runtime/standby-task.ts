import { type TaskId, taskIdString } from '../processor/api.js';
import type { ManagedStore } from '../state/managed-store.js';
import type { Subtopology, Topology } from '../topology/topology.js';
import type { ChangelogTask, StoreChangelogReader } from './store-changelog-reader.js';
import { changelogTopicName } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';

/**
 * Kafka Streams' StandbyTask: a replica of a task's stores on a worker that does not run the task.
 * It opens the task's logged stores and keeps them close to their changelogs (not the source
 * topics), checkpointing what it applied; it never processes and never produces. When the task
 * becomes active here, the standby closes and the active task restores only the tail from the
 * standby's checkpoint.
 */
export class StandbyTask implements ChangelogTask {
  readonly id: TaskId;
  readonly idString: string;
  readonly stores = new Map<string, ManagedStore>();
  /** Next changelog offset to read, per logged store. */
  private readonly positions = new Map<string, number>();
  /** Records applied since the stores were opened. */
  applied = 0;

  constructor(
    private readonly env: TaskEnvironment,
    private readonly topology: Topology,
    subtopology: Subtopology,
    partition: number,
  ) {
    this.id = { subtopology: subtopology.id, partition };
    this.idString = taskIdString(this.id);
    for (const name of subtopology.stores) {
      const builder = topology.storeBuilders.get(name)!;
      // Only logged, persistent stores have something to keep warm: an in-memory replica is lost with the process anyway.
      if (builder.loggingEnabled && builder.persistent) this.stores.set(name, builder.build());
    }
  }

  changelogTopic(storeName: string): string | null {
    return this.topology.storeBuilders.get(storeName)!.loggingEnabled ? changelogTopicName(this.env.config.applicationId, storeName) : null;
  }

  initStore(name: string): Promise<void> | void {
    return this.stores.get(name)!.init({
      applicationId: this.env.config.applicationId,
      taskId: this.id,
      storeDir: this.env.storeDir(this.idString, name),
      changelogTopic: this.changelogTopic(name),
      changelogPartition: this.id.partition,
      cache: this.env.cache,
      logChange: () => {
        throw new Error(`standby task ${this.idString} must not write to a changelog`);
      },
      currentRecordTimestamp: () => 0,
      currentStreamTime: () => -1,
      warn: (message) => this.env.config.logger.warn(message),
      appConfigs: this.env.config.raw,
    });
  }

  /** Opens the stores and finds where each one's changelog is to be read from (its checkpoint). */
  async open(reader: StoreChangelogReader): Promise<void> {
    for (const [name, store] of this.stores) {
      await this.initStore(name);
      const { from, end } = await reader.checkpointed(this, name, store, this.changelogTopic(name)!);
      this.positions.set(name, from);
      this.env.config.logger.info(`standby task ${this.idString}: store ${name} at offset ${from} of ${end}`);
    }
  }

  /**
   * Applies up to `maxRecords` changelog records to each store and checkpoints them; returns how
   * many records were applied (0: every store is at its changelog's end).
   */
  async update(reader: StoreChangelogReader, maxRecords: number): Promise<number> {
    let total = 0;
    for (const [name, store] of this.stores) {
      const from = this.positions.get(name)!;
      const { applied, next } = await reader.applyNext(store, this.changelogTopic(name)!, this.id.partition, from, maxRecords);
      if (next === from) continue;
      await store.commit(next);
      this.positions.set(name, next);
      total += applied;
    }
    this.applied += total;
    return total;
  }

  /** Changelog offset each store has reached (its checkpoint). */
  offsets(): ReadonlyMap<string, number> {
    return this.positions;
  }

  /** Checkpoints and closes the stores; their data stays on disk for an active task or a later standby. */
  async close(): Promise<void> {
    for (const [name, store] of this.stores) {
      const at = this.positions.get(name);
      try {
        if (at !== undefined) await store.commit(at);
      } finally {
        await store.close();
      }
    }
  }
}
