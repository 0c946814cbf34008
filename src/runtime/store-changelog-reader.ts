import type { LogAdmin, PartitionReader } from '../log/types.js';
import type { ManagedStore } from '../state/managed-store.js';
import type { Logger } from '../common/logger.js';
import { yieldToEventLoop } from '../common/event-loop.js';
import { STABLE_END_POLL_MS } from './stable-changelog-end.js';
import { TaskRestoration } from './task-restoration.js';
import { SLICE_MS } from './loop-slices.js';

/** How long one restore pass may run before the event loop gets a turn. */
const RESTORE_PASS_MS = SLICE_MS;

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
 * from each store's checkpoint to the changelog's end. Reads outside the group, in batches. The
 * worker restores in bounded passes (`begin`, task-restoration.ts) between its other work;
 * standby tasks (standby-task.ts) apply records through the same applyNext.
 */
export class StoreChangelogReader {
  constructor(
    readonly admin: LogAdmin,
    private readonly reader: PartitionReader,
    private readonly logger: Logger,
    /** How long a restore waits for a transaction left open on its changelog (stable-changelog-end.ts). */
    private readonly openTransactionWaitMs = 300_000,
  ) {}

  /** The restoration of every logged store of the task, to be advanced in passes (TaskRestoration.step). */
  begin(task: RestoringTask): TaskRestoration {
    return new TaskRestoration(this, task, this.logger, this.openTransactionWaitMs);
  }

  /** Restores every logged store of the task at once; resolves once each is checkpointed at its changelog end. */
  async restore(task: RestoringTask): Promise<StoreRestore[]> {
    const restoration = this.begin(task);
    while (!restoration.finished) {
      await restoration.step(performance.now() + RESTORE_PASS_MS);
      // A log read may complete without I/O: let the listener (/readyz, the console) answer between passes.
      if (restoration.waiting) await new Promise((resolve) => setTimeout(resolve, STABLE_END_POLL_MS));
      else await yieldToEventLoop();
    }
    return restoration.done;
  }

  /** The store's checkpoint and its changelog's end (a standby reads on: no wait for open transactions). */
  async checkpointed(task: ChangelogTask, name: string, store: ManagedStore, topic: string): Promise<{ from: number; end: number }> {
    const end = (await this.admin.endOffsets(topic))[task.id.partition] ?? 0;
    return { from: await this.startingPoint(task, name, store, end), end };
  }

  /**
   * Where the store's restore starts: its checkpoint. A store ahead of its changelog (the topic was
   * recreated, or local data outlived it) is wiped and opened again, to be rebuilt from offset 0.
   */
  async startingPoint(task: ChangelogTask, name: string, store: ManagedStore, end: number): Promise<number> {
    const from = store.restoreFrom();
    if (from <= end) return from;
    this.logger.warn(`store ${name} of task ${task.idString} is ahead of its changelog (${from} > ${end}); rebuilding it`);
    await store.wipe();
    await task.initStore(name);
    return 0;
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
}
