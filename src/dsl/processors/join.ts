import type { Processor, ProcessorContext } from '../../processor/api.js';
import { StreamRecord } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import { SerdeError } from '../../serde/serde.js';
import type { InternalWindowStore } from '../../state/window-store.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import { LEFT_SIDE, type OuterJoinStore, RIGHT_SIDE } from '../../state/outer-join-store.js';
import { Change } from '../change.js';
import type { ValueJoinerWithKey } from '../join-options.js';
import type { ValueGetter, ValueGetterSupplier } from '../value-getter.js';
import type { JoinWindows } from '../windows.js';
import { EMIT_INTERVAL_ALIAS, EMIT_INTERVAL_OUTER_JOIN } from '../../runtime/internal-config.js';
import { internalContext } from '../../runtime/internal-context.js';
import { type TableProcessorConfig, TupleForwarder, dropRecord } from './support.js';

function isNullish(x: unknown): boolean {
  return x === null || x === undefined;
}

/** Java's Long.MAX_VALUE as the "no pending record" marker of the join time tracker. */
const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

/** Stream time and pending-emission bookkeeping shared by both sides of one join in one task. */
export class JoinTimeTracker {
  emitIntervalMs = 1000;
  streamTime = -1;
  minTime = NO_MIN_TIME;
  nextTimeToEmit = 0;

  advanceStreamTime(t: number): void {
    if (t > this.streamTime) this.streamTime = t;
  }

  updatedMinTime(t: number): void {
    if (t < this.minTime) this.minTime = t;
  }
}

/** One tracker per task for the two processors of a join (Kafka Streams' TimeTrackerSupplier). */
export class JoinTimeTrackers {
  private readonly byTask = new WeakMap<object, JoinTimeTracker>();

  get(context: ProcessorContext<any, any>): JoinTimeTracker {
    const owner: object = internalContext(context)?.taskScope ?? context;
    let t = this.byTask.get(owner);
    if (t === undefined) this.byTask.set(owner, (t = new JoinTimeTracker()));
    return t;
  }
}

function emitIntervalOf(configs: Readonly<Record<string, unknown>>): number {
  // The short name wins: the test driver presets Kafka Streams' name to 0 (as Kafka Streams' driver does).
  const raw = configs[EMIT_INTERVAL_ALIAS] ?? configs[EMIT_INTERVAL_OUTER_JOIN];
  if (raw === undefined) return 1000;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

/**
 * The first processor of each side of a stream-stream join (Kafka Streams' KStreamJoinWindow):
 * forwards the record to the join processor, then remembers it in the side's window store (a
 * record therefore never meets itself).
 */
export class JoinWindowProcessor<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;
  private store!: InternalWindowStore<K, V>;

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
  }

  process(record: StreamRecord<K, V>): void {
    this.context.forward(record);
    if (!isNullish(record.key)) this.store.putWithTimestamp(record.key, record.value, record.timestamp, record.timestamp);
  }
}

export interface StreamStreamJoinParams<K, VThis, VOther, VR> {
  readonly otherStoreName: string;
  readonly outerStoreName: string | null;
  readonly isLeftSide: boolean;
  /** The other side's records joined are those in [t − joinBefore, t + joinAfter]. */
  readonly joinBeforeMs: number;
  readonly joinAfterMs: number;
  readonly windows: JoinWindows;
  /** Joiner with this side's value first (the DSL swaps the user's joiner for the right side). */
  readonly joiner: ValueJoinerWithKey<K, VThis | null, VOther | null, VR>;
  /** This side's unmatched records are emitted (left side of left/outer, right side of outer). */
  readonly outer: boolean;
  readonly trackers: JoinTimeTrackers;
  /** Serdes of the shared outer store: the key and the left/right values. */
  readonly keySerde: Serde<K>;
  readonly thisValueSerde: Serde<VThis>;
  readonly otherValueSerde: Serde<VOther>;
}

/**
 * A stream-stream join processor (Kafka Streams' KStreamKStreamJoin, 3.x semantics): joins the
 * record with the other side's records in the window; with the shared outer store, an unmatched
 * record waits there until its window closed and a newer record arrives, then comes out joined with
 * null (records too late for the window come out at once).
 */
export class StreamStreamJoinProcessor<K, VThis, VOther, VR> implements Processor<K, VThis, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private otherStore!: InternalWindowStore<K, VOther>;
  private outerStore: OuterJoinStore | null = null;
  private tracker!: JoinTimeTracker;
  private readonly graceMs: number;
  private readonly thisSide: number;
  private readonly otherSide: number;

  constructor(private readonly p: StreamStreamJoinParams<K, VThis, VOther, VR>) {
    this.graceMs = p.windows.graceMs;
    this.thisSide = p.isLeftSide ? LEFT_SIDE : RIGHT_SIDE;
    this.otherSide = p.isLeftSide ? RIGHT_SIDE : LEFT_SIDE;
  }

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    this.otherStore = context.getStateStore(this.p.otherStoreName);
    this.tracker = this.p.trackers.get(context);
    if (this.p.outerStoreName !== null) {
      this.outerStore = context.getStateStore<OuterJoinStore>(this.p.outerStoreName);
      this.tracker.emitIntervalMs = emitIntervalOf(context.appConfigs);
    }
  }

  private keyBytes(key: K): Buffer {
    const b = this.p.keySerde.serialize(key);
    if (b === null) throw new SerdeError('a join key must not serialize to null');
    return b;
  }

  process(record: StreamRecord<K, VThis>): void {
    const t = record.timestamp;
    const tracker = this.tracker;
    tracker.advanceStreamTime(t);
    if (this.p.outer && isNullish(record.key) && !isNullish(record.value)) {
      this.context.forward(record.withValue(this.p.joiner(record.key, record.value, null)));
      return;
    }
    if (isNullish(record.key) || isNullish(record.value)) {
      dropRecord(this.context, 'null key or value');
      return;
    }
    if (t === tracker.streamTime && this.outerStore !== null) this.emitNonJoinedOuterRecords(this.outerStore, record);
    const from = Math.max(0, t - this.p.joinBeforeMs);
    const to = Math.max(0, t + this.p.joinAfterMs);
    const matches = this.otherStore.fetchEntries(record.key, from, to, false);
    if (matches.length > 0) {
      let kb: Buffer | null = null;
      for (let i = 0; i < matches.length; i++) {
        const m = matches[i]!;
        if (this.outerStore !== null) this.outerStore.delete(m.start, this.otherSide, (kb ??= this.keyBytes(record.key)), t);
        this.context.forward(new StreamRecord(record.key, this.p.joiner(record.key, record.value, m.value), Math.max(t, m.start), record.headers));
      }
      return;
    }
    if (!this.p.outer) return;
    if (this.outerStore === null || to < tracker.streamTime) {
      this.context.forward(record.withValue(this.p.joiner(record.key, record.value, null)));
    } else {
      tracker.updatedMinTime(t);
      const value = this.p.thisValueSerde.serialize(record.value);
      if (value === null) throw new SerdeError('a join value must not serialize to null');
      this.outerStore.append(t, this.thisSide, this.keyBytes(record.key), value, t);
    }
  }

  private emitNonJoinedOuterRecords(store: OuterJoinStore, record: StreamRecord<K, VThis>): void {
    const tracker = this.tracker;
    // minTime = "none pending" is Java's Long.MAX_VALUE: the sum overflows and the check passes.
    const bound = tracker.minTime === NO_MIN_TIME ? (this.p.joinAfterMs + this.graceMs > 0 ? -Infinity : NO_MIN_TIME) : tracker.minTime + this.p.joinAfterMs + this.graceMs;
    if (bound >= tracker.streamTime) return;
    const now = this.context.currentSystemTimeMs();
    if (now < tracker.nextTimeToEmit) return;
    tracker.nextTimeToEmit = now + tracker.emitIntervalMs;
    tracker.minTime = NO_MIN_TIME;
    let leftOpen = false;
    let rightOpen = false;
    const windowsAfter = this.p.windows.afterMs;
    const windowsBefore = this.p.windows.beforeMs;
    for (const e of store.entries()) {
      tracker.minTime = e.timestamp;
      if (leftOpen && rightOpen) break;
      const isLeft = e.side === LEFT_SIDE;
      const lookBack = isLeft ? windowsAfter : windowsBefore;
      if (e.timestamp + lookBack + this.graceMs >= tracker.streamTime) {
        if (isLeft) leftOpen = true;
        else rightOpen = true;
        // Kafka Streams iterates the store value by value: an open key with a second value stops the
        // scan right there, leaving minTime at this key's timestamp rather than the next key's.
        if (leftOpen && rightOpen && e.values.length > 1) break;
        continue;
      }
      const key = this.p.keySerde.deserialize(e.keyBytes) as K;
      for (const bytes of e.values) {
        let joined: VR;
        if (e.side === this.thisSide) {
          joined = this.p.joiner(key, this.p.thisValueSerde.deserialize(bytes), null);
        } else {
          joined = this.p.joiner(key, null, this.p.otherValueSerde.deserialize(bytes));
        }
        this.context.forward(new StreamRecord(key, joined, e.timestamp, record.headers));
      }
      store.deleteEntry(e, record.timestamp);
    }
  }
}

/**
 * A stream-table join (Kafka Streams' KStreamKTableJoinProcessor): each stream record looks its
 * key up in the table; table updates alone produce nothing. The output keeps the stream record's
 * timestamp and headers.
 */
export class StreamTableJoinProcessor<K, V, VT, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private getter!: ValueGetter<K, VT>;

  constructor(
    private readonly getterSupplier: ValueGetterSupplier<K, VT>,
    private readonly joiner: ValueJoinerWithKey<K, V, VT | null, VR>,
    private readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    this.getter = this.getterSupplier.create(context);
  }

  process(record: StreamRecord<K, V>): void {
    if (this.leftJoin && isNullish(record.key) && !isNullish(record.value)) {
      this.context.forward(record.withValue(this.joiner(record.key, record.value, null)));
      return;
    }
    if (isNullish(record.key) || isNullish(record.value)) {
      dropRecord(this.context, 'null join key or value');
      return;
    }
    const tv = this.getter.get(record.key);
    if (tv !== null || this.leftJoin) {
      this.context.forward(record.withValue(this.joiner(record.key, record.value, tv === null ? null : tv.value)));
    }
  }
}

export type TableJoinKind = 'inner' | 'left' | 'right' | 'outer';

/**
 * One side of a table-table join (Kafka Streams' KTableKTableInnerJoin / LeftJoin / RightJoin /
 * OuterJoin): an update of this side is joined with the other side's current value. `kind` is the
 * behaviour of this processor: the left table's processor of a leftJoin is `left`, the right
 * table's is `right` (it needs the left value).
 */
export class TableTableJoinProcessor<K, VThis, VOther, VR> implements Processor<K, Change<VThis>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private getter!: ValueGetter<K, VOther>;

  constructor(
    private readonly otherGetterSupplier: ValueGetterSupplier<K, VOther>,
    private readonly kind: TableJoinKind,
    /** Joiner with this side's value first. */
    private readonly joiner: ValueJoinerWithKey<K, VThis | null, VOther | null, VR>,
    private readonly config: TableProcessorConfig,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.getter = this.otherGetterSupplier.create(context);
  }

  process(record: StreamRecord<K, Change<VThis>>): void {
    const key = record.key;
    if (isNullish(key)) {
      dropRecord(this.context, 'null key');
      return;
    }
    const { newValue, oldValue } = record.value;
    const sendOld = this.config.sendOldValues;
    const other = this.getter.get(key);
    const o = other === null ? null : other.value;
    const j = (v: VThis | null) => this.joiner(key, v, o);
    let ts: number;
    let newR: VR | null = null;
    let oldR: VR | null = null;
    switch (this.kind) {
      case 'inner':
        if (o === null) return;
        ts = Math.max(record.timestamp, other!.timestamp);
        if (newValue !== null) newR = j(newValue);
        if (sendOld && oldValue !== null) oldR = j(oldValue);
        break;
      case 'left':
        if (o === null) {
          if (newValue === null && oldValue === null) return;
          ts = record.timestamp;
        } else {
          ts = Math.max(record.timestamp, other!.timestamp);
        }
        if (newValue !== null) newR = j(newValue);
        if (sendOld && oldValue !== null) oldR = j(oldValue);
        break;
      case 'right':
        if (o === null) return;
        ts = Math.max(record.timestamp, other!.timestamp);
        newR = j(newValue);
        if (sendOld) oldR = j(oldValue);
        break;
      case 'outer':
        if (o === null) {
          if (newValue === null && oldValue === null) return;
          ts = record.timestamp;
        } else {
          ts = Math.max(record.timestamp, other!.timestamp);
        }
        if (o !== null || newValue !== null) newR = j(newValue);
        if (sendOld && (o !== null || oldValue !== null)) oldR = j(oldValue);
        break;
    }
    this.context.forward(new StreamRecord(key, new Change(newR ?? null, oldR ?? null), ts, record.headers));
  }
}

/**
 * The merge of a table-table join (Kafka Streams' KTableKTableJoinMerger): forwards both join
 * processors' results, through its store (and cache) when the result is materialized.
 */
export class TableJoinMergeProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private store: InternalKeyValueStore<K, V> | null = null;
  private forwarder: TupleForwarder<K, V> | null = null;

  constructor(private readonly config: TableProcessorConfig) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    if (this.config.storeName !== null) {
      const store = context.getStateStore<InternalKeyValueStore<K, V>>(this.config.storeName);
      this.store = store;
      this.forwarder = new TupleForwarder(store, context, this.config.sendOldValues);
    }
  }

  process(record: StreamRecord<K, Change<V>>): void {
    if (this.store !== null) {
      this.store.putWithTimestamp(record.key, record.value.newValue, record.timestamp, record.headers);
      this.forwarder!.maybeForward(record.key, record.value.newValue, record.value.oldValue, record.timestamp, record.headers);
      return;
    }
    if (this.config.sendOldValues) this.context.forward(record);
    else this.context.forward(record.withValue(new Change(record.value.newValue, null)));
  }
}
