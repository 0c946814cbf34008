import type { Processor, ProcessorContext } from '../../processor/api.js';
import type { Headers, RawHeaders } from '../../processor/headers.js';
import { StreamRecord } from '../../processor/record.js';
import type { WindowKeyRef, InternalWindowStore } from '../../state/window-store.js';
import type { InternalSessionStore } from '../../state/session-store.js';
import type { ValueAndTimestamp } from '../../state/store.js';
import { METRIC } from '../../runtime/metrics.js';
import { Change } from '../change.js';
import { Windowed, type Window } from '../../common/windowed.js';
import type { SessionWindows, SlidingWindows, TimeWindows } from '../windows.js';
import type { Aggregator, Initializer } from './aggregate.js';
import { committedStreamTime, internalContext } from '../../runtime/internal-context.js';
import { type TableProcessorConfig, dropRecord } from './support.js';

export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/**
 * Counts a record that fell into a closed window: dropped-records (and the late-records counter)
 * plus Kafka Streams' WARN line.
 */
export function dropExpiredWindowRecord(
  context: ProcessorContext<any, any>,
  timestamp: number,
  window: string,
  closeTime: number,
  streamTime: number,
): void {
  const internal = internalContext(context);
  if (internal === null) return;
  internal.metrics.increment(METRIC.dropped);
  internal.metrics.increment(METRIC.lateDropped);
  const meta = context.recordMetadata();
  internal.logger.warn(
    `Skipping record for expired window. topic=[${meta?.topic ?? null}] partition=[${meta?.partition ?? -1}] offset=[${meta?.offset ?? -1}] ` +
      `timestamp=[${timestamp}] window=${window} expiration=[${closeTime}] streamTime=[${streamTime}]`,
  );
}

/** Store operations a windowed forwarder needs (window and session stores both have them). */
interface ListeningStore<K, V> {
  setFlushListener(
    listener: (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers | RawHeaders | undefined) => void,
    sendOldValues: boolean,
  ): boolean;
}

/**
 * Forwards windowed table updates: through the store's cache flushes when it caches, else at once
 * (Kafka Streams' TimestampedTupleForwarder / SessionTupleForwarder). Session results are stamped
 * with the session end, also when they come out of the cache.
 */
export class WindowedTupleForwarder<K, V> {
  readonly cachingActive: boolean;

  constructor(
    store: ListeningStore<K, V>,
    private readonly context: ProcessorContext<Windowed<K>, Change<V>>,
    private readonly sendOldValues: boolean,
    sessionTimestamps: boolean,
  ) {
    this.cachingActive = store.setFlushListener(
      (key, newValue, oldValue, timestamp, headers) =>
        context.forward(new StreamRecord(key, new Change(newValue, oldValue), sessionTimestamps ? key.window.end : timestamp, headers)),
      sendOldValues,
    );
  }

  maybeForward(key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers): void {
    if (this.cachingActive) return;
    this.context.forward(new StreamRecord(key, new Change(newValue, this.sendOldValues ? oldValue : null), timestamp, headers));
  }
}

/** A windowed processor's observed stream time before its first record: then it takes its task's. */
const UNSEEDED = -2;

/**
 * The processor's observed stream time after a record at `ts`. Kafka Streams starts it afresh in a
 * task's new instance (after a failover a late record is counted until newer ones arrive); here it
 * starts at the stream time the task was resumed with, so that results do not depend on when a
 * failover happened (exactly_once output equals a run without one).
 */
function advanceStreamTime(observed: number, ts: number, context: ProcessorContext<any, any>): number {
  const from = observed === UNSEEDED ? committedStreamTime(context) : observed;
  return ts > from ? ts : from;
}

function isNullish(x: unknown): boolean {
  return x === null || x === undefined;
}

/**
 * Tumbling/hopping window aggregation (Kafka Streams' KStreamWindowAggregate): the record updates
 * each window containing it that is still open (`end > streamTime − grace`); the aggregate's
 * timestamp is the largest record timestamp of the window. Null keys are dropped; null values
 * reach the aggregator.
 */
export class TimeWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: InternalWindowStore<K, VA>;
  private forwarder!: WindowedTupleForwarder<K, VA>;
  private observedStreamTime = UNSEEDED;

  constructor(
    private readonly windows: TimeWindows,
    private readonly storeName: string,
    private readonly config: TableProcessorConfig,
    private readonly initializer: Initializer<VA | null>,
    private readonly aggregator: Aggregator<K, V, VA | null>,
  ) {}

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new WindowedTupleForwarder(this.store, context, this.config.sendOldValues, false);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.key)) {
      dropRecord(this.context, 'null key');
      return;
    }
    const ts = record.timestamp;
    this.observedStreamTime = advanceStreamTime(this.observedStreamTime, ts, this.context);
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    const { sizeMs, advanceMs } = this.windows;
    let ref: WindowKeyRef<K> | null = null;
    for (let start = this.windows.firstWindowStart(ts); start <= ts; start += advanceMs) {
      const end = start + sizeMs;
      // A window the store no longer holds is closed too: after a failover under at_least_once the
      // records reprocessed from the committed offsets may be older than what the restored store
      // kept (see SegmentClock), and counting one from scratch would output a wrong, smaller aggregate.
      if (end > closeTime && !this.store.isExpired(start)) {
        ref ??= this.store.keyRef(record.key);
        const old = this.store.fetchRef(ref, start);
        let oldAgg: VA | null = old === null ? null : old.value;
        let newTs: number;
        if (oldAgg === null) {
          oldAgg = this.initializer();
          newTs = ts;
        } else {
          newTs = Math.max(ts, old!.timestamp);
        }
        const newAgg = this.aggregator(record.key, record.value, oldAgg);
        const stored = newAgg === undefined ? null : newAgg;
        this.store.putRef(ref, stored, start, newTs, record.headers);
        if (!this.forwarder.cachingActive) this.forwarder.maybeForward(new Windowed(record.key, { start, end }), stored, oldAgg, newTs, record.headers);
      } else {
        dropExpiredWindowRecord(this.context, ts, `[${start},${end})`, closeTime, this.observedStreamTime);
      }
    }
  }
}

/**
 * Sliding window aggregation (Kafka Streams' KStreamSlidingWindowAggregate): windows `[s, s + d]`
 * exist where they hold records; each record updates the windows containing it and creates its
 * own left window `[t − d, t]` and, when a later record exists within d, its right window
 * `[t + 1, t + 1 + d]`. Null keys and null values are dropped.
 */
export class SlidingWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: InternalWindowStore<K, VA>;
  private forwarder!: WindowedTupleForwarder<K, VA>;
  private observedStreamTime = UNSEEDED;
  private readonly d: number;

  constructor(
    private readonly windows: SlidingWindows,
    private readonly storeName: string,
    private readonly config: TableProcessorConfig,
    private readonly initializer: Initializer<VA | null>,
    private readonly aggregator: Aggregator<K, V, VA | null>,
  ) {
    this.d = windows.timeDifferenceMs;
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new WindowedTupleForwarder(this.store, context, this.config.sendOldValues, false);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.key) || isNullish(record.value)) {
      dropRecord(this.context, 'null key or value');
      return;
    }
    const ts = record.timestamp;
    this.observedStreamTime = advanceStreamTime(this.observedStreamTime, ts, this.context);
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    // Also when the store lost windows this record reads (restored ahead of the task's stream time,
    // see SegmentClock.lostBefore): aggregating from less would output smaller aggregates.
    if (ts + this.d < closeTime || Math.max(0, ts - 2 * this.d) < this.store.lostBefore()) {
      dropExpiredWindowRecord(this.context, ts, `[${ts},${ts + this.d}]`, closeTime, this.observedStreamTime);
      return;
    }
    if (ts < this.d) this.processEarly(record, closeTime);
    else this.processReverse(record, closeTime);
  }

  private processReverse(record: StreamRecord<K, V>, closeTime: number): void {
    const ts = record.timestamp;
    const d = this.d;
    const ref = this.store.keyRef(record.key);
    const starts = new Set<number>();
    let leftWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;
    // Lazy reverse scan of the key's windows with start in [t − 2d, t + 1] (stops early, as Kafka Streams' iterator).
    this.store.visitRef(ref, Math.max(0, ts - 2 * d), ts + 1, true, (w) => {
      starts.add(w.start);
      const end = w.start + d;
      if (w.start === ts + 1) {
        rightWinAlreadyCreated = true;
        return true;
      }
      if (end > ts) {
        if (rightWinAgg === null) rightWinAgg = w;
        this.updateWindowAndForward(ref, w.start, w, record, closeTime);
        return true;
      }
      if (end === ts) {
        leftWinAlreadyCreated = true;
        if (w.timestamp < ts) previousRecordTimestamp = w.timestamp;
        this.updateWindowAndForward(ref, w.start, w, record, closeTime);
        return false;
      }
      leftWinAgg = w;
      previousRecordTimestamp = w.timestamp;
      return false;
    });
    if (previousRecordTimestamp !== null) {
      const previousRightWinStart: number = previousRecordTimestamp + 1;
      if (!starts.has(previousRightWinStart) && previousRightWinStart + d >= ts) {
        this.updateWindowAndForward(ref, previousRightWinStart, this.initial(ts), record, closeTime);
      }
    }
    if (!leftWinAlreadyCreated) {
      const left = leftWinAgg as ValueAndTimestamp<VA> | null;
      const seed = previousRecordTimestamp !== null && ts - d <= previousRecordTimestamp && left !== null ? this.make(left.value, ts) : this.initial(ts);
      this.updateWindowAndForward(ref, ts - d, seed, record, closeTime);
    }
    const right = rightWinAgg as ValueAndTimestamp<VA> | null;
    if (!rightWinAlreadyCreated && right !== null && right.timestamp > ts) {
      this.createCurrentRecordRightWindow(ref, ts, right, record);
    }
  }

  private processEarly(record: StreamRecord<K, V>, closeTime: number): void {
    const ts = record.timestamp;
    const d = this.d;
    const ref = this.store.keyRef(record.key);
    let combined: { start: number; value: VA; timestamp: number } | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAlreadyCreated = false;
    const starts = new Set<number>();
    let previousRecordTimestamp: number | null = null;
    const windows = this.store.fetchEntries(record.key, Math.max(0, ts - 2 * d), ts + 1, false);
    for (const w of windows) {
      starts.add(w.start);
      if (w.start === 0) {
        combined = w;
        if (w.timestamp < ts) previousRecordTimestamp = w.timestamp;
      } else if (w.start <= ts) {
        rightWinAgg = w;
        this.updateWindowAndForward(ref, w.start, w, record, closeTime);
      } else if (w.start === ts + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw new Error('Unexpected window found when processing sliding windows');
      }
    }
    if (rightWinAgg === null && combined !== null && combined.timestamp > ts) rightWinAgg = combined;
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > ts) {
      this.createCurrentRecordRightWindow(ref, ts, rightWinAgg, record);
    }
    if (previousRecordTimestamp !== null && !starts.has(previousRecordTimestamp + 1)) {
      this.updateWindowAndForward(ref, previousRecordTimestamp + 1, this.initial(ts), record, closeTime);
    }
    if (combined === null) this.updateWindowAndForward(ref, 0, this.initial(ts), record, closeTime);
    else this.updateWindowAndForward(ref, combined.start, combined, record, closeTime);
  }

  /** ValueAndTimestamp.make: null when the value is null. */
  private make(value: VA | null, timestamp: number): ValueAndTimestamp<VA> | null {
    return value === null || value === undefined ? null : { value, timestamp };
  }

  private initial(timestamp: number): ValueAndTimestamp<VA> | null {
    return this.make(this.initializer(), timestamp);
  }

  private updateWindowAndForward(ref: WindowKeyRef<K>, start: number, current: ValueAndTimestamp<VA> | null, record: StreamRecord<K, V>, closeTime: number): void {
    const end = start + this.d;
    if (end >= closeTime) {
      const oldAgg = current === null ? null : current.value;
      const newAgg = this.aggregator(record.key, record.value, oldAgg);
      const stored = newAgg === undefined ? null : newAgg;
      const newTs = oldAgg === null ? record.timestamp : Math.max(record.timestamp, current!.timestamp);
      this.store.putRef(ref, stored, start, newTs, record.headers);
      this.forwarder.maybeForward(new Windowed(record.key, { start, end }), stored, oldAgg, newTs, record.headers);
    } else {
      dropExpiredWindowRecord(this.context, record.timestamp, `[${start},${end}]`, closeTime, this.observedStreamTime);
    }
  }

  private createCurrentRecordRightWindow(ref: WindowKeyRef<K>, ts: number, rightWinAgg: ValueAndTimestamp<VA>, record: StreamRecord<K, V>): void {
    const start = ts + 1;
    const end = start + this.d;
    this.store.putRef(ref, rightWinAgg.value, start, rightWinAgg.timestamp, record.headers);
    this.forwarder.maybeForward(new Windowed(record.key, { start, end }), rightWinAgg.value, null, rightWinAgg.timestamp, record.headers);
  }
}

/**
 * Session window aggregation (Kafka Streams' KStreamSessionWindowAggregate): a record merges the
 * sessions of its key within the inactivity gap; merged sessions are removed (forwarded as
 * tombstones stamped with their end) before the new session is forwarded (stamped with its end).
 * Null keys are dropped; null values reach the aggregator.
 */
export class SessionWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: InternalSessionStore<K, VA>;
  private forwarder!: WindowedTupleForwarder<K, VA>;
  private observedStreamTime = UNSEEDED;

  constructor(
    private readonly windows: SessionWindows,
    private readonly storeName: string,
    private readonly config: TableProcessorConfig,
    private readonly initializer: Initializer<VA | null>,
    private readonly aggregator: Aggregator<K, V, VA | null>,
    private readonly merger: Merger<K, VA | null>,
  ) {}

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new WindowedTupleForwarder(this.store, context, this.config.sendOldValues, true);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.key)) {
      dropRecord(this.context, 'null key');
      return;
    }
    const ts = record.timestamp;
    const gap = this.windows.gapMs;
    this.observedStreamTime = advanceStreamTime(this.observedStreamTime, ts, this.context);
    const closeTime = this.observedStreamTime - this.windows.graceMs - gap;
    // Sessions this record may merge with were lost by a restore ahead of the task's stream time
    // (SegmentClock.lostBefore): a new session from this record alone would be a smaller aggregate.
    if (ts - gap < this.store.lostBefore()) {
      dropExpiredWindowRecord(this.context, ts, `[${ts},${ts}]`, closeTime, this.observedStreamTime);
      return;
    }
    const merged = this.store.findSessions(record.key, ts - gap, ts + gap);
    let start = ts;
    let end = ts;
    let agg = this.initializer();
    for (const [session, value] of merged) {
      agg = this.merger(record.key, agg, value);
      if (session.window.start < start) start = session.window.start;
      if (session.window.end > end) end = session.window.end;
    }
    if (end < closeTime) {
      dropExpiredWindowRecord(this.context, ts, `[${start},${end}]`, closeTime, this.observedStreamTime);
      return;
    }
    if (start !== ts || end !== ts) {
      for (const [session, value] of merged) {
        this.store.putWithContext(session, null, ts, record.headers);
        this.forwarder.maybeForward(session, null, value, session.window.end, record.headers);
      }
    }
    const newAgg = this.aggregator(record.key, record.value, agg);
    const stored = newAgg === undefined ? null : newAgg;
    const window: Window = { start, end };
    const key = new Windowed(record.key, window);
    this.store.putWithContext(key, stored, ts, record.headers);
    this.forwarder.maybeForward(key, stored, null, end, record.headers);
  }
}
