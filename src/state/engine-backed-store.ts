import { MemoryEngine, type StoreEngine } from './engine.js';
import { LevelDbEngine } from './leveldb-engine.js';
import type { ChangelogRecord, StoreInitContext } from './managed-store.js';
import type { SegmentClock } from './segmented.js';

/**
 * The lifecycle shared by stores that keep their data in one StoreEngine (key-value, window and
 * session stores): checkpoints, commits, close and wipe. Subclasses say how to drop their cache
 * and what to save with a commit.
 */
export abstract class EngineBackedStore {
  protected engine!: StoreEngine;
  abstract readonly persistent: boolean;

  /** Opens the engine (LevelDB in the task's store dir when persistent, else memory) and sets up the layers on it. */
  init(ctx: StoreInitContext): Promise<void> | void {
    if (this.persistent && ctx.storeDir !== null) {
      return LevelDbEngine.open(ctx.storeDir, { rebuildable: ctx.changelogTopic !== null, warn: ctx.warn }).then((engine) => this.setUp(ctx, engine));
    }
    this.setUp(ctx, new MemoryEngine());
  }

  /** Builds the store's layers on its opened engine. */
  protected abstract setUp(ctx: StoreInitContext, engine: StoreEngine): void;

  /** Drops what the store's record cache holds (on close and wipe). */
  protected abstract clearCache(): void;

  /** Writes store metadata (e.g. observed stream time) into the engine before it commits. */
  protected beforeCommit(): void {}

  /** Forgets in-memory metadata when local data is wiped. */
  protected afterWipe(): void {}

  restoreFrom(): number {
    return this.engine.checkpoint() ?? 0;
  }

  pendingBytes(): number {
    return this.engine.pendingBytes();
  }

  async commit(changelogEnd: number | undefined): Promise<void> {
    this.beforeCommit();
    await this.engine.commit(changelogEnd);
  }

  async close(): Promise<void> {
    this.clearCache();
    await this.engine.close();
  }

  async wipe(): Promise<void> {
    this.clearCache();
    this.afterWipe();
    await this.engine.destroy();
  }

  facade(): this {
    return this;
  }
}

/**
 * Window and session stores: a time-segmented bytes layer that keeps the observed stream time
 * (its clock, saved with every commit), under an optional record cache.
 */
export abstract class SegmentedEngineStore<
  Inner extends { readonly clock: SegmentClock; restore(records: readonly ChangelogRecord[]): void },
  Cache extends { flush(): void; flushSteps(): Iterator<void>; clear(): void },
> extends EngineBackedStore {
  protected inner!: Inner;
  protected caching: Cache | null = null;

  restore(records: readonly ChangelogRecord[]): void {
    this.inner.restore(records);
  }

  /** Segment times below this were dropped by a restore ahead of the task's stream time (SegmentClock.lostBefore). */
  lostBefore(): number {
    return this.inner.clock.lostBefore();
  }

  flushCacheSteps(): Iterator<void> | null {
    return this.caching?.flushSteps() ?? null;
  }

  flushCache(): void {
    this.caching?.flush();
  }

  protected override beforeCommit(): void {
    this.inner.clock.save(this.engine);
  }

  protected override afterWipe(): void {
    this.inner?.clock.reset();
  }

  protected clearCache(): void {
    this.caching?.clear();
  }
}
