import type { LogAdmin, PartitionReader } from '../log/types.js';
import type { ManagedStore } from '../state/managed-store.js';
import type { Logger } from '../common/logger.js';

const RESTORE_BATCH = 10_000;
const RESTORE_PROGRESS_MS = 2_000;

/** What the reader needs of a task whose stores it restores (a StreamTask is one). */
export interface RestoringTask {
  readonly idString: string;
  readonly id: { readonly partition: number };
  readonly stores: ReadonlyMap<string, ManagedStore>;
  /** The store's changelog topic; null when logging is disabled. */
  changelogTopic(storeName: string): string | null;
  /** Opens the store again (after it was wiped). */
  initStore(storeName: string): Promise<void> | void;
  /** Restore progress for the metrics (restore-remaining-records-total) and the console. */
  readonly sensors: { restoring(store: string, total: number): { restored: number; remaining: number } };
}

/** What one store's restore did. */
export interface StoreRestore {
  readonly store: string;
  readonly changelog: string;
  /** Changelog offset the restore started at (0 when the local data was ahead and rebuilt). */
  readonly from: number;
  /** Changelog end the store was brought up to (and checkpointed at). */
  readonly end: number;
  readonly records: number;
}

/**
 * Kafka Streams' StoreChangelogReader: brings a task's stores up to date from their changelogs,
 * from each store's checkpoint to the changelog's end. Reads outside the group, in batches; a
 * standby task would apply records through the same applyRange.
 */
export class StoreChangelogReader {
  constructor(
    private readonly admin: LogAdmin,
    private readonly reader: PartitionReader,
    private readonly logger: Logger,
  ) {}

  /** Restores every logged store of the task; resolves once each is checkpointed at its changelog end. */
  async restore(task: RestoringTask): Promise<StoreRestore[]> {
    const done: StoreRestore[] = [];
    for (const [name, store] of task.stores) {
      const topic = task.changelogTopic(name);
      if (topic !== null) done.push(await this.restoreStore(task, name, store, topic));
    }
    return done;
  }

  private async restoreStore(task: RestoringTask, name: string, store: ManagedStore, topic: string): Promise<StoreRestore> {
    const partition = task.id.partition;
    const end = (await this.admin.endOffsets(topic))[partition] ?? 0;
    let from = store.restoreFrom();
    if (from > end) {
      this.logger.warn(`store ${name} of task ${task.idString} is ahead of its changelog (${from} > ${end}); rebuilding it`);
      await store.wipe();
      await task.initStore(name);
      from = 0;
    }
    this.logger.debug(`store ${name} of task ${task.idString}: checkpoint ${from}, changelog ${topic} ends at ${end}`);
    if (from === end) return { store: name, changelog: topic, from, end, records: 0 };
    const started = Date.now();
    const total = end - from;
    const sensor = task.sensors.restoring(name, total);
    const records = await this.applyRange(store, topic, partition, from, end, sensor, (restored, at) => {
      this.logger.info(`restoring store ${name} of task ${task.idString}: ${restored} records, offset ${at} of ${end} (${Math.round((100 * (total - (end - at))) / total)}%)`);
    });
    sensor.remaining = 0;
    await store.commit(end);
    this.logger.info(`restored ${records} records into store ${name} of task ${task.idString} in ${Date.now() - started} ms`);
    return { store: name, changelog: topic, from, end, records };
  }

  /** Applies the changelog records in [from, end) to the store; returns how many there were. */
  private async applyRange(
    store: ManagedStore,
    topic: string,
    partition: number,
    from: number,
    end: number,
    sensor: { restored: number; remaining: number },
    progress: (restored: number, offset: number) => void,
  ): Promise<number> {
    let restored = 0;
    let lastReport = Date.now();
    let at = from;
    while (at < end) {
      const records = await this.reader.read(topic, partition, at, RESTORE_BATCH);
      if (records.length === 0) break;
      store.restore(records);
      restored += records.length;
      at = records[records.length - 1]!.offset + 1;
      sensor.restored = restored;
      sensor.remaining = end - at;
      // A log read may complete without I/O: let the listener (/readyz, the console) answer between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (Date.now() - lastReport >= RESTORE_PROGRESS_MS) {
        lastReport = Date.now();
        progress(restored, at);
      }
    }
    return restored;
  }
}
