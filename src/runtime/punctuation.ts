import type { Cancellable, Punctuator } from '../processor/api.js';

export class PunctuationSchedule implements Cancellable {
  cancelled = false;
  constructor(
    /** Node whose context is current while the punctuator runs. */
    readonly nodeName: string,
    public next: number,
    readonly interval: number,
    readonly punctuator: Punctuator,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  /** Advances past `now`: a punctuation that fell behind fires once, then realigns to its interval. */
  advance(now: number): void {
    let next = this.next + this.interval;
    if (now >= next) next = this.next + (Math.floor((now - this.next) / this.interval) + 1) * this.interval;
    this.next = next;
  }
}

/** Schedules of one task and one time type, fired in order of due time. */
export class PunctuationQueue {
  private schedules: PunctuationSchedule[] = [];

  add(s: PunctuationSchedule): void {
    this.schedules.push(s);
  }

  /** Earliest due time, or Infinity. */
  nextDue(): number {
    let min = Infinity;
    for (const s of this.schedules) if (!s.cancelled && s.next < min) min = s.next;
    return min;
  }

  /** Schedules due at `now`, advanced for their next firing; cancelled ones are dropped. */
  takeDue(now: number): PunctuationSchedule[] {
    this.schedules = this.schedules.filter((s) => !s.cancelled);
    const due = this.schedules.filter((s) => s.next <= now).sort((a, b) => a.next - b.next);
    return due;
  }

  get size(): number {
    return this.schedules.length;
  }
}
