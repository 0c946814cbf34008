import type { ManagedStore } from '../state/managed-store.js';
import type { Logger } from '../common/logger.js';
import { StableEndWait } from './stable-changelog-end.js';
import type { RestoringTask, StoreChangelogReader, StoreRestore } from './store-changelog-reader.js';

/** Changelog records read per request during a restore pass. */
export const RESTORE_READ_RECORDS = 4_000;
/** A store being restored is checkpointed after this many records (bounds memory; a restart goes on from there). */
export const RESTORE_CHECKPOINT_RECORDS = 50_000;
const RESTORE_PROGRESS_MS = 2_000;

/** One logged store of the task on its way to its changelog's end. */
interface StoreProgress {
  readonly name: string;
  readonly store: ManagedStore;
  readonly topic: string;
  readonly wait: StableEndWait;
  /** -1 until the changelog's end is known. */
  end: number;
  from: number;
  at: number;
  records: number;
  sinceCheckpoint: number;
  sensor: { restored: number; remaining: number } | null;
  started: number;
  lastReport: number;
}

/**
 * The restoration of one task's stores in bounded passes (Kafka Streams' state updater): each
 * `step` reads and applies changelog records until a deadline, so the worker loop goes on
 * processing its running tasks between passes and sees a stop at once. A store is checkpointed
 * at the changelog offset reached every RESTORE_CHECKPOINT_RECORDS and by `checkpoint()` (the
 * task is revoked or the worker stops), so a restart reads only the rest; LevelDB keeps nothing
 * past a checkpoint (data and checkpoint are written in one batch), so nothing is trusted beyond it.
 */
export class TaskRestoration {
  readonly done: StoreRestore[] = [];
  private readonly stores: StoreProgress[] = [];
  private index = 0;

  constructor(
    private readonly reader: StoreChangelogReader,
    private readonly task: RestoringTask,
    private readonly logger: Logger,
    openTransactionWaitMs: number,
  ) {
    for (const [name, store] of task.stores) {
      const topic = task.changelogTopic(name);
      if (topic === null) continue;
      const what = `store ${name} of task ${task.idString}`;
      const wait = new StableEndWait(reader.admin, topic, task.id.partition, { logger, what, timeoutMs: openTransactionWaitMs });
      this.stores.push({ name, store, topic, wait, end: -1, from: 0, at: 0, records: 0, sinceCheckpoint: 0, sensor: null, started: 0, lastReport: 0 });
    }
  }

  get finished(): boolean {
    return this.index >= this.stores.length;
  }

  /** The restoration waits for a transaction left open on a changelog (nothing to read meanwhile). */
  get waiting(): boolean {
    const s = this.stores[this.index];
    return s !== undefined && s.end < 0 && s.wait.waiting;
  }

  /**
   * Restores until `deadline` (performance.now() time; at least one read) or until every store is
   * at its changelog end; returns the records applied.
   */
  async step(deadline: number): Promise<number> {
    let applied = 0;
    while (!this.finished) {
      const s = this.stores[this.index]!;
      if (s.end < 0 && !(await this.begin(s))) return applied;
      if (s.at < s.end) {
        const { applied: n, next } = await this.reader.applyNext(s.store, s.topic, this.task.id.partition, s.at, Math.min(RESTORE_READ_RECORDS, s.end - s.at));
        applied += n;
        s.records += n;
        s.sinceCheckpoint += n;
        // Nothing readable before the end (aborted records, markers): the store is as far as it gets.
        s.at = n === 0 ? s.end : next;
        s.sensor!.restored = s.records;
        s.sensor!.remaining = s.end - s.at;
        this.report(s);
      }
      if (s.at >= s.end) {
        await this.finish(s);
      } else if (s.sinceCheckpoint >= RESTORE_CHECKPOINT_RECORDS) {
        s.sinceCheckpoint = 0;
        await s.store.commit(s.at);
      }
      if (performance.now() >= deadline) return applied;
    }
    return applied;
  }

  /**
   * Persists what was applied with the changelog offset reached (the task is closed before its
   * restore finished): the next restore of the store starts there.
   */
  async checkpoint(): Promise<void> {
    const s = this.stores[this.index];
    if (s === undefined || s.end < 0 || s.at === s.from) return;
    await s.store.commit(s.at);
    this.logger.info(
      `stopped restoring store ${s.name} of task ${this.task.idString} at changelog offset ${s.at} of ${s.end} (${s.records} records restored, checkpointed); the next restore reads from there`,
    );
  }

  /** Learns where the store's changelog ends (false while a transaction is open) and where its restore starts. */
  private async begin(s: StoreProgress): Promise<boolean> {
    const end = await s.wait.check();
    if (end === null) return false;
    s.end = end;
    s.from = s.at = await this.reader.startingPoint(this.task, s.name, s.store, end);
    this.logger.debug(`store ${s.name} of task ${this.task.idString}: checkpoint ${s.from}, changelog ${s.topic} ends at ${end}`);
    s.started = s.lastReport = Date.now();
    if (s.from < end) s.sensor = this.task.sensors.restoring(s.name, end - s.from);
    return true;
  }

  private async finish(s: StoreProgress): Promise<void> {
    this.index++;
    const restore: StoreRestore = { store: s.name, changelog: s.topic, from: s.from, end: s.end, records: s.records };
    this.done.push(restore);
    if (s.from === s.end) {
      // A standby (or a clean shutdown) left the store at the changelog's end: nothing to restore.
      if (s.end > 0) this.logger.info(`restored 0 records into store ${s.name} of task ${this.task.idString} in 0 ms (checkpoint ${s.from} is the changelog end)`);
      return;
    }
    s.sensor!.remaining = 0;
    await s.store.commit(s.end);
    this.logger.info(`restored ${s.records} records into store ${s.name} of task ${this.task.idString} in ${Date.now() - s.started} ms (changelog offsets ${s.from} to ${s.end})`);
  }

  private report(s: StoreProgress): void {
    if (Date.now() - s.lastReport < RESTORE_PROGRESS_MS) return;
    s.lastReport = Date.now();
    const total = s.end - s.from;
    this.logger.info(
      `restoring store ${s.name} of task ${this.task.idString}: ${s.records} records, offset ${s.at} of ${s.end} (${Math.round((100 * (s.at - s.from)) / total)}%)`,
    );
  }
}
