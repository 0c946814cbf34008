import type { TaskId } from '../processor/api.js';
import type { RawHeaders } from '../processor/headers.js';
import type { RecordCache } from './record-cache.js';
import type { StateStore } from './store.js';

/** What a task gives each of its stores when it opens them. */
export interface StoreInitContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Directory for this store's files; null means no disk (e.g. the test driver): use memory. */
  readonly storeDir: string | null;
  /** The store's changelog topic (full name) when logging is enabled. */
  readonly changelogTopic: string | null;
  readonly changelogPartition: number;
  readonly cache: RecordCache;
  logChange(topic: string, partition: number, key: Buffer, value: Buffer | null, timestamp: number, headers?: RawHeaders): void;
  /** Timestamp of the record being processed (used by puts that give none). */
  currentRecordTimestamp(): number;
  currentStreamTime(): number;
  /** Where a store says what it did about damaged local data. */
  warn?(message: string): void;
  /** Counts a record a store dropped (e.g. a put into an expired window segment) and logs why. */
  onDroppedRecord?(message: string): void;
  /** Settings of the application (internal tuning knobs are read from here). */
  readonly appConfigs?: Readonly<Record<string, unknown>>;
}

/** A changelog record as the restore reads it. */
export interface ChangelogRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/**
 * The runtime's side of a state store: lifecycle, restore, cache flush and commit. Users see
 * `facade()` only.
 */
export interface ManagedStore {
  readonly name: string;
  /** Synchronous for in-memory stores (the test driver relies on it). */
  init(ctx: StoreInitContext): Promise<void> | void;
  /** Changelog offset to restore from: the checkpoint of the local data, or 0 without one. */
  restoreFrom(): number;
  restore(records: readonly ChangelogRecord[]): void;
  /** Pushes cached dirty entries down (forwarding them to the owner's children when it listens). */
  flushCache(): void;
  /**
   * flushCache() in steps of a bounded number of entries (the caller may let the event loop run
   * between steps, while nothing else writes to the store); null or absent: flushCache() is one step.
   */
  flushCacheSteps?(): Iterator<void> | null;
  /** Bytes written since the last commit that wait in memory. */
  pendingBytes(): number;
  /** Persists local data with the changelog offset it reflects (undefined: no changelog). */
  commit(changelogEnd: number | undefined): Promise<void>;
  close(): Promise<void>;
  /** Deletes local data (used before restoring from scratch). */
  wipe(): Promise<void>;
  facade(): StateStore;
}

export interface StoreBuilder {
  readonly name: string;
  readonly kind: 'keyValue' | 'window' | 'session' | 'buffer';
  readonly persistent: boolean;
  readonly loggingEnabled: boolean;
  readonly cachingEnabled: boolean;
  /** Topic configs for the changelog (cleanup.policy etc.). */
  readonly changelogConfig: Readonly<Record<string, string>>;
  build(): ManagedStore;
}
