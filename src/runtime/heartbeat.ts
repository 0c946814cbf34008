/**
 * What the task loop tells the watchdog (src/runtime/watchdog.ts), through memory the watchdog
 * thread reads while the main thread may be stuck in user code: which input partition and offset
 * is being processed (two writes before a record, one after; nothing allocated), and a tick that
 * a timer of the main thread advances while its event loop runs. The watchdog sets `yield` when a
 * signal came: a long batch of slow records then returns to the event loop, where the signal is
 * handled, after its current record.
 */

/** Slots of the heartbeat array. */
export const BEAT = {
  /** Id of the input partition (see Heartbeat.register) whose record is being processed; -1 between records. */
  source: 0,
  /** Offset of that record. */
  offset: 1,
  /** Advanced by a main-thread timer: when it stops moving, the main thread is blocked. */
  tick: 2,
  /** Set by the watchdog when the process was asked to stop: tasks return to the loop after their record. */
  yield: 3,
} as const;
const SLOTS = 4;

/** An input partition of a task, as the watchdog names it. */
export interface BeatSource {
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
}

export class Heartbeat {
  readonly slots: Float64Array;
  private readonly sources: BeatSource[] = [];
  private listener: ((id: number, source: BeatSource) => void) | null = null;

  /** Shared: backed by a SharedArrayBuffer that a watchdog thread can read. */
  constructor(shared: boolean) {
    this.slots = shared ? new Float64Array(new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT)) : new Float64Array(SLOTS);
    this.slots[BEAT.source] = -1;
  }

  /** Gives an input partition of a task the id its records are announced with. */
  register(taskId: string, topic: string, partition: number): number {
    const source: BeatSource = { taskId, topic, partition };
    const id = this.sources.push(source) - 1;
    this.listener?.(id, source);
    return id;
  }

  /** Calls `listener` for every source registered so far and from now on. */
  onRegister(listener: (id: number, source: BeatSource) => void): void {
    this.listener = listener;
    this.sources.forEach((s, id) => listener(id, s));
  }
}
