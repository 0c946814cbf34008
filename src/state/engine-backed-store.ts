import type { StoreEngine } from './engine.js';

/**
 * The lifecycle shared by stores that keep their data in one StoreEngine (key-value, window and
 * session stores): checkpoints, commits, close and wipe. Subclasses say how to drop their cache
 * and what to save with a commit.
 */
export abstract class EngineBackedStore {
  protected engine!: StoreEngine;

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
