/**
 * EMIT FINAL: one result per window once it closed, as ksqlDB gets it from Kafka Streams'
 * `emitStrategy(EmitStrategy.onWindowClose())` (KStreamWindowAggregate /
 * KStreamSessionWindowAggregate with ON_WINDOW_CLOSE). The DSL has no emit strategy yet, so this
 * processor follows the windowed aggregation's updates and reproduces what that strategy emits:
 * - window close time = stream time − grace (− gap for sessions); stream time = the largest
 *   record time the aggregation saw (the newest record always updates a window, so it is the
 *   largest update time);
 * - emission is checked after every update and happens when the close time progressed: time
 *   windows whose start is in (lastEmit − size, close − size], sessions whose end is in
 *   [lastEmit, close − 1]; in window-start (session-end) order, then by key bytes;
 * - windows past the store's retention (size + grace, or RETENTION) are no longer in Kafka
 *   Streams' store and are not emitted (time windows whose start < newest start − retention);
 * - time windows carry their aggregate's timestamp, sessions their end.
 */
import type { Processor, ProcessorContext } from '../../processor/api.js';
import { StreamRecord } from '../../processor/record.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import type { Serde } from '../../serde/serde.js';
import { Windowed } from '../../common/windowed.js';
import type { Row } from './serdes.js';

export interface EmitFinalWindow {
  readonly session: boolean;
  /** Window size (time windows) or inactivity gap (sessions). */
  readonly sizeMs: number;
  /** Advance of hopping windows (= size for tumbling). */
  readonly advanceMs: number;
  readonly graceMs: number;
  readonly retentionMs: number;
}

/** Pending window: [key row, start, end] → [aggregate state, timestamp]. */
type PendingKey = [Row, number, number];
type PendingValue = [unknown, number];

const NONE = -1;
/** Where the processor keeps its progress in its own store. */
const PROGRESS_KEY: PendingKey = [[], -1, -1];

export class EmitFinalProcessor implements Processor<Windowed<Row>, unknown, Windowed<Row>, unknown> {
  private context!: ProcessorContext<Windowed<Row>, unknown>;
  private store!: InternalKeyValueStore<PendingKey, PendingValue>;
  private observedStreamTime = NONE;
  private lastEmitWindowCloseTime = NONE;

  constructor(
    private readonly storeName: string,
    private readonly window: EmitFinalWindow,
    /** Serializes key rows as the aggregation's store does (orders windows of equal time). */
    private readonly keySerde: Serde<Row>,
  ) {}

  init(context: ProcessorContext<Windowed<Row>, unknown>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    const progress = this.store.get(PROGRESS_KEY);
    if (progress !== null) [this.observedStreamTime, this.lastEmitWindowCloseTime] = progress as unknown as [number, number];
  }

  process(record: StreamRecord<Windowed<Row>, unknown>): void {
    const w = record.key;
    if (w === null || w === undefined) return;
    const key: PendingKey = [w.key, w.window.start, w.window.end];
    if (record.value === null || record.value === undefined) this.store.delete(key);
    else this.store.put(key, [record.value, record.timestamp]);
    if (record.timestamp > this.observedStreamTime) this.observedStreamTime = record.timestamp;
    const { graceMs, sizeMs, session } = this.window;
    const closeTime = this.observedStreamTime - graceMs - (session ? sizeMs : 0);
    if (this.lastEmitWindowCloseTime !== NONE && this.lastEmitWindowCloseTime >= closeTime) return this.saveProgress();
    if (session) this.emitSessions(record, closeTime);
    else this.emitTimeWindows(record, closeTime);
    this.saveProgress();
  }

  private saveProgress(): void {
    this.store.put(PROGRESS_KEY, [this.observedStreamTime, this.lastEmitWindowCloseTime] as unknown as PendingValue);
  }

  /** The windows of a hopping/tumbling window set that contain `t` (their starts). */
  private windowsFor(t: number): string {
    const { sizeMs, advanceMs } = this.window;
    const starts: number[] = [];
    for (let s = Math.max(0, Math.floor((t - sizeMs + advanceMs) / advanceMs) * advanceMs); s <= t; s += advanceMs) if (s >= 0 && t < s + sizeMs) starts.push(s);
    return starts.join(',');
  }

  private emitTimeWindows(record: StreamRecord<Windowed<Row>, unknown>, closeTime: number): void {
    const { sizeMs, advanceMs, retentionMs } = this.window;
    const upper = closeTime - sizeMs;
    if (upper < 0) return;
    const lower = this.lastEmitWindowCloseTime === NONE ? 0 : Math.max(0, this.lastEmitWindowCloseTime - sizeMs) + 1;
    if (this.lastEmitWindowCloseTime !== NONE && this.windowsFor(upper) === this.windowsFor(lower - 1)) return;
    // The newest window put into Kafka Streams' store starts at the last advance boundary <= stream time.
    const maxStart = Math.floor(this.observedStreamTime / advanceMs) * advanceMs;
    const from = Math.max(lower, maxStart - retentionMs);
    this.emit(record, from, upper, (k) => k[1]);
    this.lastEmitWindowCloseTime = closeTime;
  }

  private emitSessions(record: StreamRecord<Windowed<Row>, unknown>, closeTime: number): void {
    const upper = closeTime - 1;
    if (upper < 0) return;
    const lower = Math.max(0, this.lastEmitWindowCloseTime);
    if (upper < lower) return;
    this.emit(record, lower, upper, (k) => k[2]);
    this.lastEmitWindowCloseTime = closeTime;
  }

  /** Emits the pending windows whose time is in [from, upper]; drops those before `from` (past retention). */
  private emit(record: StreamRecord<Windowed<Row>, unknown>, from: number, upper: number, time: (k: PendingKey) => number): void {
    const ready: { key: PendingKey; value: PendingValue; bytes: Buffer }[] = [];
    const expired: PendingKey[] = [];
    for (const [key, value] of this.store.all()) {
      if (key[1] < 0) continue;
      const t = time(key);
      if (t < from) expired.push(key);
      else if (t <= upper) ready.push({ key, value, bytes: this.keySerde.serialize(key[0]) ?? Buffer.alloc(0) });
    }
    for (const key of expired) this.store.delete(key);
    ready.sort((a, b) => time(a.key) - time(b.key) || Buffer.compare(a.bytes, b.bytes) || a.key[1] - b.key[1]);
    for (const { key, value } of ready) {
      this.store.delete(key);
      const ts = this.window.session ? key[2] : value[1];
      this.context.forward(new StreamRecord(new Windowed(key[0], { start: key[1], end: key[2] }), value[0], ts, record.headers));
    }
  }
}
