import type { LogAdmin, PartitionReader } from '../log/types.js';
import type { ManagedStore } from '../state/managed-store.js';
import type { Logger } from '../common/logger.js';
import { stableChangelogEnd } from './stable-changelog-end.js';

const RESTORE_BATCH = 10_000;
const RESTORE_PROGRESS_MS = 2_000;

/** A task with local stores fed from changelogs (a StreamTask or a StandbyTask). */
export interface ChangelogTask {
  readonly idString: string;
  readonly id: { readonly partition: number };
  readonly stores: ReadonlyMap<string, ManagedStore>;
  /** The store's changelog topic; null when logging is disabled. */
  changelogTopic(storeName: string): string | null;
  /** Opens the store again (after it was wiped). */
  initStore(storeName: string): Promise<void> | void;
}

/** What the reader needs of a task whose stores it restores (a StreamTask is one). */
export interface RestoringTask extends ChangelogTask {
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
 * from each store's checkpoint to the changelog's end. Reads outside the group, in batches;
 * standby tasks (standby-task.ts) apply records through the same applyNext.
 */
export class StoreChangelogReader {
  constructor(
    private readonly admin: LogAdmin,
    private readonly reader: PartitionReader,
    private readonly logger: Logger,
    /** How long a restore waits for a transaction left open on its changelog (stable-changelog-end.ts). */
    private readonly openTransactionWaitMs = 300_000,
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
    const { from, end } = await this.checkpointed(task, name, store, topic, true);
    this.logger.debug(`store ${name} of task ${task.idString}: checkpoint ${from}, changelog ${topic} ends at ${end}`);
    if (from === end) {
      // A standby (or a clean shutdown) left the store at the changelog's end: nothing to restore.
      if (end > 0) this.logger.info(`restored 0 records into store ${name} of task ${task.idString} in 0 ms (checkpoint ${from} is the changelog end)`);
      return { store: name, changelog: topic, from, end, records: 0 };
    }
    const started = Date.now();
    const total = end - from;
    const sensor = task.sensors.restoring(name, total);
    const records = await this.applyRange(store, topic, partition, from, end, sensor, (restored, at) => {
      this.logger.info(`restoring store ${name} of task ${task.idString}: ${restored} records, offset ${at} of ${end} (${Math.round((100 * (total - (end - at))) / total)}%)`);
    });
    sensor.remaining = 0;
    await store.commit(end);
    this.logger.info(`restored ${records} records into store ${name} of task ${task.idString} in ${Date.now() - started} ms (changelog offsets ${from} to ${end})`);
    return { store: name, changelog: topic, from, end, records };
  }

  /**
   * The store's checkpoint and its changelog's end. A store ahead of its changelog (the topic was
   * recreated, or local data outlived it) is wiped and opened again, to be rebuilt from offset 0.
   * A restore (`stable`) first waits for transactions left open on the changelog: the end is then
   * past every record committed so far. A standby reads on and needs no wait.
   */
  async checkpointed(task: ChangelogTask, name: string, store: ManagedStore, topic: string, stable = false): Promise<{ from: number; end: number }> {
    const partition = task.id.partition;
    const end = stable
      ? await stableChangelogEnd(this.admin, topic, partition, { logger: this.logger, what: `store ${name} of task ${task.idString}`, timeoutMs: this.openTransactionWaitMs })
      : ((await this.admin.endOffsets(topic))[partition] ?? 0);
    const from = store.restoreFrom();
    if (from <= end) return { from, end };
    this.logger.warn(`store ${name} of task ${task.idString} is ahead of its changelog (${from} > ${end}); rebuilding it`);
    await store.wipe();
    await task.initStore(name);
    return { from: 0, end };
  }

  /**
   * Reads up to `maxRecords` changelog records from `from` and applies them to the store (not yet
   * committed); returns how many were applied and the offset to read next (`from` at the end).
   */
  async applyNext(store: ManagedStore, topic: string, partition: number, from: number, maxRecords: number): Promise<{ applied: number; next: number }> {
    const records = await this.reader.read(topic, partition, from, maxRecords);
    if (records.length === 0) return { applied: 0, next: from };
    store.restore(records);
    return { applied: records.length, next: records[records.length - 1]!.offset + 1 };
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
      const { applied, next } = await this.applyNext(store, topic, partition, at, RESTORE_BATCH);
      if (applied === 0) break;
      restored += applied;
      at = next;
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
