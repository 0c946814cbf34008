import { yieldToEventLoop } from '../common/event-loop.js';

/**
 * How long one synchronous stretch of a worker loop (enqueueing a poll's records, processing,
 * flushing caches) may run before the loop yields to the event loop: a pull query served by the
 * same process waits at most about this long behind the worker.
 */
export const SLICE_MS = 10;

/**
 * The synchronous stretches of a worker loop. The loop asks whether the current stretch used its
 * budget (`due`, `deadline`) and then yields to the event loop (setImmediate), so that what waits
 * on it (queries on the same process, timers, fetch responses) runs between slices instead of
 * behind one long slice. It also yields once per turn. The longest stretch of every turn is
 * handed to `record` (the loop-slice histogram); awaits that wait on I/O are bracketed with
 * pause()/resume() and not counted.
 */
export class LoopSlices {
  private startedAt = performance.now();
  private longest = 0;

  constructor(
    readonly budgetMs: number,
    private readonly record: (longestMs: number) => void,
  ) {}

  /** performance.now() time at which the current stretch has used its budget. */
  get deadline(): number {
    return this.startedAt + this.budgetMs;
  }

  get due(): boolean {
    return performance.now() >= this.startedAt + this.budgetMs;
  }

  /** Before an await that may wait on I/O: the current stretch ends. */
  pause(): void {
    const ms = performance.now() - this.startedAt;
    if (ms > this.longest) this.longest = ms;
  }

  /** After such an await: a new stretch starts. */
  resume(): void {
    this.startedAt = performance.now();
  }

  async yield(): Promise<void> {
    this.pause();
    await yieldToEventLoop();
    this.resume();
  }

  /** End of a loop turn: records the turn's longest stretch and yields. */
  async endTurn(): Promise<void> {
    this.pause();
    this.record(this.longest);
    this.longest = 0;
    await yieldToEventLoop();
    this.resume();
  }
}
