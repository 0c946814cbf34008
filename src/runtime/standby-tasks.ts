import type { StateStore } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import { StandbyTask } from './standby-task.js';
import type { StoreChangelogReader } from './store-changelog-reader.js';
import type { TaskEnvironment } from './task-environment.js';

/** Records each standby applies per pass before the others (and the worker loop) get a turn. */
const STANDBY_BATCH = 2_000;
/** Wait between passes once every standby has reached its changelog's end. */
const STANDBY_IDLE_MS = 100;
const STANDBY_RETRY_MS = 1_000;

/**
 * The worker's standby tasks (num.standby.replicas): opened and closed as the group assigns them,
 * and updated in the background from their changelogs, one bounded batch per task per pass with a
 * yield in between. While the worker loop has records to process, a pass is followed by a pause as
 * long as the pass took, so standbys use at most about half of the process's time then; on an idle
 * worker they catch up at full speed. A standby whose task becomes active here is released first:
 * it checkpoints and closes, and the active task opens the same stores.
 */
export class StandbyTasks {
  private readonly tasks = new Map<string, StandbyTask>();
  /** The update of a task in progress (awaited before the task is closed). */
  private readonly busy = new Map<string, Promise<number>>();
  private running: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly env: TaskEnvironment,
    private readonly topology: Topology,
    /** Its own reader: updates run beside restores and the worker loop. */
    private readonly reader: StoreChangelogReader,
    /** Whether the worker loop processed records lately (standbys then give way). */
    private readonly workerBusy: () => boolean = () => false,
  ) {}

  get ids(): readonly string[] {
    return [...this.tasks.keys()];
  }

  /** Records applied by the current standbys since they were opened. */
  get applied(): number {
    let n = 0;
    for (const t of this.tasks.values()) n += t.applied;
    return n;
  }

  /**
   * Makes the standbys those of the assignment: standbys of tasks that are now active here (or no
   * longer assigned) are closed, new ones opened. Call it once the worker closed the active tasks
   * it no longer has (a standby may open the stores its former active task held).
   */
  async assign(active: ReadonlySet<string>, standby: readonly string[]): Promise<void> {
    const wanted = new Set(standby.filter((id) => !active.has(id)));
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) await this.release(id);
    const subtopologies = this.topology.subtopologies();
    for (const id of wanted) {
      if (this.tasks.has(id) || this.closed) continue;
      const [st, partition] = id.split('_').map(Number) as [number, number];
      const subtopology = subtopologies[st];
      if (subtopology === undefined) continue;
      const task = new StandbyTask(this.env, this.topology, subtopology, partition);
      if (task.stores.size === 0) continue;
      try {
        await task.open(this.reader);
      } catch (error) {
        await task.close().catch(() => undefined);
        this.env.config.logger.warn(`standby task ${id}: cannot open its stores (${(error as Error).message}); skipping it`);
        continue;
      }
      this.tasks.set(id, task);
    }
    if (this.tasks.size > 0 && this.running === null) this.running = this.run().finally(() => (this.running = null));
  }

  /** Closes the standby of a task (checkpointed) once its update in progress is done. */
  async release(id: string): Promise<void> {
    const task = this.tasks.get(id);
    if (task === undefined) return;
    this.tasks.delete(id);
    await this.busy.get(id)?.catch(() => 0);
    await task.close();
    this.env.config.logger.info(`standby task ${id}: closed after applying ${task.applied} changelog records`);
  }

  /** Task id → the sum of the changelog offsets its stores have reached (reported to the group leader). */
  offsetSums(): Record<string, number> {
    const sums: Record<string, number> = {};
    for (const [id, task] of this.tasks) {
      let sum = 0;
      for (const offset of task.offsets().values()) sum += offset;
      sums[id] = sum;
    }
    return sums;
  }

  /** The named store of each standby task (for queries that accept stale stores). */
  stores(name: string): Array<{ readonly partition: number; readonly store: StateStore }> {
    const out: Array<{ partition: number; store: StateStore }> = [];
    for (const task of this.tasks.values()) {
      const s = task.stores.get(name);
      if (s !== undefined) out.push({ partition: task.id.partition, store: s.facade() });
    }
    return out;
  }

  servesStore(store: StateStore): boolean {
    for (const task of this.tasks.values()) if (task.stores.get(store.name)?.facade() === store) return true;
    return false;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    this.wake?.();
    for (const id of [...this.tasks.keys()]) await this.release(id);
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.closed && this.tasks.size > 0) {
      const started = performance.now();
      let applied = 0;
      let failed = false;
      for (const [id, task] of [...this.tasks]) {
        if (this.tasks.get(id) !== task) continue;
        const step = task.update(this.reader, STANDBY_BATCH);
        this.busy.set(id, step);
        try {
          applied += await step;
        } catch (error) {
          failed = true;
          this.env.config.logger.warn(`standby task ${id}: update failed (${(error as Error).message}); retrying`);
        } finally {
          this.busy.delete(id);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (applied === 0 || failed) await this.sleep(failed ? STANDBY_RETRY_MS : STANDBY_IDLE_MS);
      else if (this.workerBusy()) await this.sleep(Math.min(STANDBY_IDLE_MS, performance.now() - started));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
