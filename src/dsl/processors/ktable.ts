import type { Processor, ProcessorContext } from '../../processor/api.js';
import { StreamRecord } from '../../processor/record.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import type { KeyValue } from '../../state/store.js';
import { StreamsError } from '../../runtime/node-runtime.js';
import { Change } from '../change.js';
import { type TableProcessorConfig, TupleForwarder, dropRecord } from './support.js';

abstract class TableProcessor<K, VIn, KOut, VOut> implements Processor<K, VIn, KOut, Change<VOut>> {
  protected context!: ProcessorContext<KOut, Change<VOut>>;
  protected store: InternalKeyValueStore<KOut, VOut> | null = null;
  protected forwarder: TupleForwarder<KOut, VOut> | null = null;

  constructor(protected readonly config: TableProcessorConfig) {}

  init(context: ProcessorContext<KOut, Change<VOut>>): void {
    this.context = context;
    if (this.config.storeName !== null) {
      const store = context.getStateStore<InternalKeyValueStore<KOut, VOut>>(this.config.storeName);
      this.store = store;
      this.forwarder = new TupleForwarder(store, context, this.config.sendOldValues);
    }
  }

  abstract process(record: StreamRecord<K, VIn>): void;
}

/** builder.table() and KStream.toTable(): each record is an upsert (null value: delete). */
export class TableSourceProcessor<K, V> extends TableProcessor<K, V, K, V> {
  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined) {
      dropRecord(this.context, 'null key');
      return;
    }
    const value = record.value === undefined ? null : record.value;
    if (this.store !== null) {
      const old = this.store.getWithTimestamp(record.key);
      this.store.putWithTimestamp(record.key, value, record.timestamp, record.rawHeaders());
      this.forwarder!.maybeForward(record.key, value, old === null ? null : old.value, record.timestamp, record.rawHeaders());
    } else {
      this.context.forward(new StreamRecord(record.key, new Change(value, null), record.timestamp, record.rawHeaders()));
    }
  }
}

/** KTable.filter / filterNot (Kafka Streams' KTableFilter). */
export class TableFilterProcessor<K, V> extends TableProcessor<K, Change<V>, K, V> {
  constructor(
    config: TableProcessorConfig,
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly negate: boolean,
  ) {
    super(config);
  }

  private compute(key: K, value: V | null): V | null {
    return value !== null && this.predicate(key, value) !== this.negate ? value : null;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const change = record.value;
    const newValue = this.compute(record.key, change.newValue);
    let oldValue: V | null = null;
    if (this.config.sendOldValues) {
      oldValue = this.store !== null ? (this.store.get(record.key) ?? null) : this.compute(record.key, change.oldValue);
      if (newValue === null && oldValue === null) return;
    }
    if (this.store !== null) {
      this.store.putWithTimestamp(record.key, newValue, record.timestamp, record.rawHeaders());
      this.forwarder!.maybeForward(record.key, newValue, oldValue, record.timestamp, record.rawHeaders());
    } else {
      this.context.forward(new StreamRecord(record.key, new Change(newValue, oldValue), record.timestamp, record.rawHeaders()));
    }
  }
}

/** KTable.mapValues (Kafka Streams' KTableMapValues): the mapper never sees null. */
export class TableMapValuesProcessor<K, V, VR> extends TableProcessor<K, Change<V>, K, VR> {
  constructor(
    config: TableProcessorConfig,
    private readonly mapper: (value: V, key: K) => VR,
  ) {
    super(config);
  }

  private compute(key: K, value: V | null): VR | null {
    if (value === null) return null;
    const out = this.mapper(value, key);
    return out === undefined ? null : out;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const change = record.value;
    const newValue = this.compute(record.key, change.newValue);
    let oldValue: VR | null = null;
    if (this.config.sendOldValues) {
      oldValue = this.store !== null ? (this.store.get(record.key) ?? null) : this.compute(record.key, change.oldValue);
    }
    if (this.store !== null) {
      this.store.putWithTimestamp(record.key, newValue, record.timestamp, record.rawHeaders());
      this.forwarder!.maybeForward(record.key, newValue, oldValue, record.timestamp, record.rawHeaders());
    } else {
      this.context.forward(new StreamRecord(record.key, new Change(newValue, oldValue), record.timestamp, record.rawHeaders()));
    }
  }
}

/** KTable.toStream: the new value of each update (a tombstone becomes a null value). */
export class TableToStreamProcessor<K, V> implements Processor<K, Change<V>, K, V | null> {
  private context!: ProcessorContext<K, V | null>;
  init(context: ProcessorContext<K, V | null>): void {
    this.context = context;
  }
  process(record: StreamRecord<K, Change<V>>): void {
    this.context.forward(record.withValue(record.value.newValue));
  }
}

/**
 * KTable.groupBy (Kafka Streams' KTableRepartitionMap): each update becomes a subtract for the old
 * group and an add for the new one; one record carries both when the group key stays the same.
 */
export class TableRepartitionMapProcessor<K, V, KR, VR> implements Processor<K, Change<V>, KR, Change<VR>> {
  private context!: ProcessorContext<KR, Change<VR>>;

  constructor(private readonly selector: (key: K, value: V) => KeyValue<KR, VR>) {}

  init(context: ProcessorContext<KR, Change<VR>>): void {
    this.context = context;
  }

  private select(key: K, value: V | null): KeyValue<KR, VR> | null {
    if (value === null) return null;
    const kv = this.selector(key, value);
    if (kv === null || kv === undefined || kv[0] === null || kv[0] === undefined || kv[1] === null || kv[1] === undefined) return null;
    return kv;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) throw new StreamsError('Record key for the grouping KTable should not be null.');
    const newPair = this.select(record.key, record.value.newValue);
    const oldPair = this.select(record.key, record.value.oldValue);
    const timestamp = record.timestamp;
    const headers = record.rawHeaders();
    if (newPair !== null && oldPair !== null && keysEqual(newPair[0], oldPair[0])) {
      this.context.forward(new StreamRecord(oldPair[0], new Change(newPair[1], oldPair[1]), timestamp, headers));
      return;
    }
    if (oldPair !== null) this.context.forward(new StreamRecord(oldPair[0], new Change<VR>(null, oldPair[1]), timestamp, headers));
    if (newPair !== null) this.context.forward(new StreamRecord(newPair[0], new Change<VR>(newPair[1], null), timestamp, headers));
  }
}

function keysEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  // Structural, not JSON.stringify: keys may hold bigints (which JSON.stringify throws on) or Maps.
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return deepEqual(a, b);
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof Map || b instanceof Map) {
    return a instanceof Map && b instanceof Map && a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * count / aggregate / reduce of a grouped table (Kafka Streams' KTableAggregate/KTableReduce):
 * subtract the old value, then add the new one.
 */
export class TableAggregateProcessor<K, V, VA> implements Processor<K, Change<V>, K, Change<VA>> {
  private context!: ProcessorContext<K, Change<VA>>;
  private store!: InternalKeyValueStore<K, VA>;
  private forwarder!: TupleForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly config: TableProcessorConfig,
    /** null for reduce: the first added value becomes the aggregate. */
    private readonly initializer: (() => VA) | null,
    private readonly adder: (key: K, value: V, aggregate: VA) => VA,
    private readonly subtractor: (key: K, value: V, aggregate: VA) => VA,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TupleForwarder(this.store, context, this.config.sendOldValues);
  }

  process(record: StreamRecord<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) {
      throw new StreamsError(`Record key for KTable aggregate operator with state ${this.storeName} should not be null.`);
    }
    const change = record.value;
    const old = this.store.getWithTimestamp(record.key);
    const oldAgg = old === null ? null : old.value;
    let timestamp = record.timestamp;
    let mid: VA | null = oldAgg;
    if (change.oldValue !== null && oldAgg !== null) {
      mid = this.subtractor(record.key, change.oldValue, oldAgg);
      if (old!.timestamp > timestamp) timestamp = old!.timestamp;
    }
    let newAgg: VA | null = mid;
    if (change.newValue !== null) {
      if (mid === null) {
        newAgg = this.initializer === null ? (change.newValue as unknown as VA) : this.adder(record.key, change.newValue, this.initializer());
      } else {
        newAgg = this.adder(record.key, change.newValue, mid);
      }
      if (old !== null && old.timestamp > timestamp) timestamp = old.timestamp;
    }
    if (newAgg === undefined) newAgg = null;
    this.store.putWithTimestamp(record.key, newAgg, timestamp, record.rawHeaders());
    this.forwarder.maybeForward(record.key, newAgg, oldAgg, timestamp, record.rawHeaders());
  }
}
