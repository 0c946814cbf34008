import type { RepartitionHandoff } from './repartition-handoff.js';
import type { StreamTask } from './stream-task.js';

/**
 * Records a task processes per visit. Small rounds keep tasks of one worker in step: a task whose
 * output another task reads (through a handed-off repartition topic) gets ahead by one round at most.
 */
export const PROCESS_BATCH_PER_TASK = 250;

/**
 * The worker's tasks processed in rounds, within a time slice: each visit a task takes a small
 * step (a task fed in-process by the repartition hand-off takes steps until it has drained what it
 * was handed), downstream sub-topologies first. The slice is checked after every step, so no call
 * runs much past its deadline whatever a task was handed; what is left stays queued, in order, and
 * the next call goes on with the round where this one stopped (so every task gets its turn however
 * short the slices).
 */
export class ProcessRounds {
  private order: readonly StreamTask[] = [];
  /** Index in `order` of the task the current round visits next. */
  private next = 0;

  /**
   * Processes until a whole round found nothing processable, or performance.now() has passed
   * `deadline` and something was processed; `emit` hands a task's output on (the hand-off may
   * queue it for tasks visited later). Returns the records processed.
   */
  run(order: readonly StreamTask[], handoff: RepartitionHandoff | null, deadline: number, emit: (task: StreamTask) => void): number {
    if (order !== this.order) {
      this.order = order;
      this.next = 0;
    }
    if (order.length === 0) return 0;
    let total = 0;
    let idleVisits = 0;
    for (;;) {
      const task = order[this.next]!;
      this.next = this.next + 1 === order.length ? 0 : this.next + 1;
      const n = handoff !== null && handoff.feeds(task) ? this.drain(task, deadline, emit) : task.process(PROCESS_BATCH_PER_TASK);
      if (n > 0) {
        total += n;
        idleVisits = 0;
        emit(task);
      } else if (++idleVisits >= order.length) {
        break;
      }
      // Past the deadline, stop once something was processed (a turn that reports 0 must mean idle).
      if (total > 0 && performance.now() >= deadline) break;
    }
    return total;
  }

  /** Steps through what a hand-off-fed task was given until it is drained or the slice is used. */
  private drain(task: StreamTask, deadline: number, emit: (task: StreamTask) => void): number {
    let total = 0;
    for (;;) {
      const n = task.process(PROCESS_BATCH_PER_TASK);
      total += n;
      if (n < PROCESS_BATCH_PER_TASK || performance.now() >= deadline) return total;
      emit(task);
    }
  }
}
