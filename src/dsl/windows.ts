/**
 * Window specifications of the DSL (Kafka Streams' TimeWindows, SlidingWindows, SessionWindows,
 * JoinWindows). All durations are milliseconds. Messages of invalid arguments are Kafka Streams'.
 */

import { IllegalArgumentError, IllegalStateError } from '../common/errors.js';

/** Grace of the deprecated constructors: 24 h minus the window size (never negative). */
const DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 60 * 60 * 1000;

function checkMs(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
    throw new IllegalArgumentError(`${what} must be a whole number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * Tumbling (advance = size) and hopping (advance < size) windows over event time. A window is
 * `[start, start + size)`; windows start at multiples of the advance and never before 0.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
    private readonly graceSet: boolean,
  ) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMs(sizeMs, 'size');
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (sizeMs <= 0) throw new IllegalArgumentError('Window size (sizeMs) must be larger than zero.');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new TimeWindows(sizeMs, sizeMs, graceMs, true);
  }

  /** @deprecated Kafka Streams' `of(size)`: grace = max(24 h − size, 0). Prefer ofSizeWithNoGrace/ofSizeAndGrace. */
  static of(sizeMs: number): TimeWindows {
    checkMs(sizeMs, 'size');
    if (sizeMs <= 0) throw new IllegalArgumentError('Window size (sizeMs) must be larger than zero.');
    return new TimeWindows(sizeMs, sizeMs, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - sizeMs, 0), false);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs(advanceMs, 'advance');
    if (advanceMs <= 0 || advanceMs > this.sizeMs) {
      throw new IllegalArgumentError(
        `Window advancement interval should be more than zero and less than window duration which is ${this.sizeMs} ms, ` +
          `but given advancement interval is: ${advanceMs} ms`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs, this.graceSet);
  }

  /** @deprecated Only after the deprecated `of()`. */
  grace(graceMs: number): TimeWindows {
    if (this.graceSet) {
      throw new IllegalStateError('Cannot call grace() after setting grace value via ofSizeAndGrace or ofSizeWithNoGrace.');
    }
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new TimeWindows(this.sizeMs, this.advanceMs, graceMs, true);
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** First window start containing `timestamp` (ascending starts follow by `advanceMs` while <= timestamp). */
  firstWindowStart(timestamp: number): number {
    const lowest = Math.max(0, timestamp - this.sizeMs + this.advanceMs);
    return Math.floor(lowest / this.advanceMs) * this.advanceMs;
  }

  /** All windows containing `timestamp`, by ascending start. */
  windowsFor(timestamp: number): Array<{ start: number; end: number }> {
    const out: Array<{ start: number; end: number }> = [];
    for (let start = this.firstWindowStart(timestamp); start <= timestamp; start += this.advanceMs) {
      out.push({ start, end: start + this.sizeMs });
    }
    return out;
  }

  toString(): string {
    return `TimeWindows{sizeMs=${this.sizeMs}, advanceMs=${this.advanceMs}, graceMs=${this.graceMs}}`;
  }
}

/**
 * Sliding windows: windows of length `timeDifferenceMs` with both bounds inclusive, created where
 * records are (each record's left window `[t − d, t]` and right window `[t + 1, t + 1 + d]`).
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkMs(timeDifferenceMs, 'timeDifference');
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (timeDifferenceMs < 0) throw new IllegalArgumentError('Window time difference must not be negative.');
    if (graceMs < 0) throw new IllegalArgumentError('Window grace period must not be negative.');
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** @deprecated Kafka Streams' withTimeDifferenceAndGrace. */
  static withTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, graceMs);
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `SlidingWindows{timeDifferenceMs=${this.timeDifferenceMs}, graceMs=${this.graceMs}}`;
  }
}

/**
 * Session windows: records of a key closer than the inactivity gap belong to one session
 * `[first record, last record]` (both inclusive); a record bridging two sessions merges them.
 */
export class SessionWindows {
  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
    private readonly graceSet: boolean,
  ) {}

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(gapMs, 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    checkMs(gapMs, 'inactivityGap');
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (gapMs <= 0) throw new IllegalArgumentError('Gap time cannot be zero or negative.');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new SessionWindows(gapMs, graceMs, true);
  }

  /** @deprecated Kafka Streams' `with(gap)`: grace = max(24 h − gap, 0). */
  static with(gapMs: number): SessionWindows {
    checkMs(gapMs, 'inactivityGap');
    if (gapMs <= 0) throw new IllegalArgumentError('Gap time cannot be zero or negative.');
    return new SessionWindows(gapMs, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - gapMs, 0), false);
  }

  /** @deprecated Only after the deprecated `with()`. */
  grace(graceMs: number): SessionWindows {
    if (this.graceSet) {
      throw new IllegalStateError('Cannot call grace() after setting grace value via ofInactivityGapAndGrace or ofInactivityGapWithNoGrace.');
    }
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new SessionWindows(this.gapMs, graceMs, true);
  }

  inactivityGap(): number {
    return this.gapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `SessionWindows{gapMs=${this.gapMs}, graceMs=${this.graceMs}}`;
  }
}

/**
 * The time bounds of a stream-stream join: a record at `t` joins records of the other stream
 * with timestamps in `[t − before, t + after]`.
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
    /** Left/outer joins emit unmatched records only once the window closed (off for the deprecated `of()`). */
    readonly spuriousResultFixEnabled: boolean,
    private readonly graceSet: boolean,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs(timeDifferenceMs, 'timeDifference');
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (timeDifferenceMs < 0) throw new IllegalArgumentError('Window time difference must not be negative.');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs, true, true);
  }

  /** @deprecated Kafka Streams' `of(d)`: grace = max(24 h − 2d, 0) and unmatched records are emitted eagerly. */
  static of(timeDifferenceMs: number): JoinWindows {
    checkMs(timeDifferenceMs, 'timeDifference');
    if (timeDifferenceMs < 0) throw new IllegalArgumentError('Window time difference must not be negative.');
    return new JoinWindows(
      timeDifferenceMs,
      timeDifferenceMs,
      Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - 2 * timeDifferenceMs, 0),
      false,
      false,
    );
  }

  /** Records of the other stream may be up to `ms` older. */
  before(ms: number): JoinWindows {
    checkMs(ms, 'timeDifference');
    if (ms + this.afterMs < 0) throw new IllegalArgumentError("Window shouldn't have negative size.");
    return new JoinWindows(ms, this.afterMs, this.graceMs, this.spuriousResultFixEnabled, this.graceSet);
  }

  /** Records of the other stream may be up to `ms` newer. */
  after(ms: number): JoinWindows {
    checkMs(ms, 'timeDifference');
    if (ms + this.beforeMs < 0) throw new IllegalArgumentError("Window shouldn't have negative size.");
    return new JoinWindows(this.beforeMs, ms, this.graceMs, this.spuriousResultFixEnabled, this.graceSet);
  }

  /** @deprecated Only after the deprecated `of()`. */
  grace(graceMs: number): JoinWindows {
    if (this.graceSet) {
      throw new IllegalStateError('Cannot call grace() after setting grace value via ofTimeDifferenceAndGrace or ofTimeDifferenceWithNoGrace.');
    }
    checkMs(graceMs, 'afterWindowEnd (grace)');
    if (graceMs < 0) throw new IllegalArgumentError('Grace period must not be negative.');
    return new JoinWindows(this.beforeMs, this.afterMs, graceMs, this.spuriousResultFixEnabled, true);
  }

  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `JoinWindows{beforeMs=${this.beforeMs}, afterMs=${this.afterMs}, graceMs=${this.graceMs}}`;
  }
}
