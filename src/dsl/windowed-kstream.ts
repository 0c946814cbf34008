import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { SessionWindowedSerde, TimeWindowedSerde } from '../serde/windowed-serdes.js';
import { SessionStoreBuilder } from '../state/session-store.js';
import { WindowStoreBuilder } from '../state/window-store.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import { splitArgs } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import type { Materialized, Named } from './options.js';
import type { Aggregator, Initializer, Reducer } from './processors/aggregate.js';
import { TableProcessorConfig } from './processors/support.js';
import {
  type Merger,
  SessionWindowAggregateProcessor,
  SlidingWindowAggregateProcessor,
  TimeWindowAggregateProcessor,
} from './processors/window-aggregate.js';
import { internalSerde } from './stores.js';
import type { Windowed } from '../common/windowed.js';
import { IllegalArgumentError } from '../common/errors.js';
import { type SessionWindows, SlidingWindows, type TimeWindows } from './windows.js';

export type { Merger } from './processors/window-aggregate.js';

function applyStoreSettings(b: WindowStoreBuilder<any, any> | SessionStoreBuilder<any, any>, materialized: Materialized<any, any> | undefined): void {
  if (materialized?.cachingEnabled ?? true) b.withCachingEnabled();
  else b.withCachingDisabled();
  if (materialized?.loggingEnabled ?? true) b.withLoggingEnabled({ ...(materialized?.logConfig ?? {}) });
  else b.withLoggingDisabled();
}

/** `(k, v, agg) → agg == null ? v : reducer(agg, v)`: a reducer as an aggregator with a null initial value. */
function reducerAsAggregator<K, V>(reducer: Reducer<V>): Aggregator<K, V, V | null> {
  return (_key, value, aggregate) => (aggregate === null || aggregate === undefined ? value : reducer(aggregate, value));
}

/**
 * A grouped stream windowed by time (tumbling, hopping or sliding windows), ready to aggregate
 * (Kafka Streams' TimeWindowedKStream). Results are a KTable keyed by `Windowed<K>`.
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  private get sliding(): boolean {
    return this.windows instanceof SlidingWindows;
  }

  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const [n, m] = splitArgs(named, materialized);
    // Kafka Streams burns an extra index for a nameless Materialized (time windows only, not sliding).
    if (m !== undefined && m.storeName === undefined && !this.sliding) this.grouped.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>('KSTREAM-AGGREGATE-', n, m, Serdes.Long(), () => 0, (_k, _v, agg) => (agg as number) + 1);
  }

  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<V>('KSTREAM-REDUCE-', n, m, this.grouped.valueSerde, () => null, reducerAsAggregator<K, V>(reducer));
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<VA>('KSTREAM-AGGREGATE-', n, m, undefined, initializer, aggregator as Aggregator<K, V, VA | null>);
  }

  private build<VA>(
    prefix: string,
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA | null>,
    aggregator: Aggregator<K, V, VA | null>,
  ): KTable<Windowed<K>, VA> {
    const builder = this.grouped.builder;
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const generated = builder.newProcessorName(prefix);
    const name = named?.name ?? generated;
    const source = this.grouped.sourceFor(storeName);
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde;
    const vSerde = materialized?.valueSerde ?? valueSerde;
    const config = new TableProcessorConfig();
    config.storeName = storeName;
    const persistent = materialized?.storeType !== 'in-memory';
    let store: WindowStoreBuilder<K, VA>;
    let windowedSerde: Serde<Windowed<K>> | undefined;
    let grace: number;
    if (this.windows instanceof SlidingWindows) {
      const w = this.windows;
      const retention = materialized?.retentionMs ?? 2 * w.timeDifferenceMs + w.graceMs;
      if (w.timeDifferenceMs * 2 + w.graceMs > retention) {
        throw new IllegalArgumentError(
          `The retention period of the window store ${storeName} must be no smaller than 2 * time difference plus the grace period. ` +
            `Got time difference=[${w.timeDifferenceMs}], grace=[${w.graceMs}], retention=[${retention}]`,
        );
      }
      store = new WindowStoreBuilder(storeName, persistent, retention, w.timeDifferenceMs, false, internalSerde(keySerde), internalSerde(vSerde), true);
      store.withIndexBucket(Math.max(1, w.timeDifferenceMs + 1));
      builder.topology.addProcessor(name, () => new SlidingWindowAggregateProcessor(w, storeName, config, initializer, aggregator), source);
      windowedSerde = keySerde === undefined ? undefined : new TimeWindowedSerde(keySerde, w.timeDifferenceMs);
      grace = w.graceMs;
    } else {
      const w = this.windows;
      const retention = materialized?.retentionMs ?? w.sizeMs + w.graceMs;
      if (w.sizeMs + w.graceMs > retention) {
        throw new IllegalArgumentError(
          `The retention period of the window store ${storeName} must be no smaller than its window size plus the grace period. ` +
            `Got size=[${w.sizeMs}], grace=[${w.graceMs}], retention=[${retention}]`,
        );
      }
      store = new WindowStoreBuilder(storeName, persistent, retention, w.sizeMs, false, internalSerde(keySerde), internalSerde(vSerde), true);
      builder.topology.addProcessor(name, () => new TimeWindowAggregateProcessor(w, storeName, config, initializer, aggregator), source);
      windowedSerde = keySerde === undefined ? undefined : new TimeWindowedSerde(keySerde, w.sizeMs);
      grace = w.graceMs;
    }
    applyStoreSettings(store, materialized);
    builder.topology.addStateStore(store, name);
    const table = new KTable<Windowed<K>, VA>(builder, name, windowedSerde, vSerde, config, { kind: 'materialized', storeName });
    table.windowCloseMs = grace;
    return table;
  }
}

/**
 * A grouped stream windowed by sessions (Kafka Streams' SessionWindowedKStream). Aggregations
 * need a merger to combine the aggregates of sessions a record bridges.
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const [n, m] = splitArgs(named, materialized);
    if (m !== undefined && m.storeName === undefined) this.grouped.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>(
      'KSTREAM-AGGREGATE-',
      n,
      m,
      Serdes.Long(),
      () => 0,
      (_k, _v, agg) => (agg as number) + 1,
      (_k, a, b) => (a as number) + (b as number),
    );
  }

  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const [n, m] = splitArgs(named, materialized);
    const aggregator = reducerAsAggregator<K, V>(reducer);
    // Kafka Streams' mergerForAggregator: merge(k, a, b) = aggregator(k, b, a).
    return this.build<V>('KSTREAM-REDUCE-', n, m, this.grouped.valueSerde, () => null, aggregator, (k, a, b) => aggregator(k, b as V, a));
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    sessionMerger: Merger<K, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const [n, m] = splitArgs(named, materialized);
    return this.build<VA>(
      'KSTREAM-AGGREGATE-',
      n,
      m,
      undefined,
      initializer,
      aggregator as Aggregator<K, V, VA | null>,
      sessionMerger as Merger<K, VA | null>,
    );
  }

  private build<VA>(
    prefix: string,
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA | null>,
    aggregator: Aggregator<K, V, VA | null>,
    merger: Merger<K, VA | null>,
  ): KTable<Windowed<K>, VA> {
    const builder = this.grouped.builder;
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const generated = builder.newProcessorName(prefix);
    const name = named?.name ?? generated;
    const source = this.grouped.sourceFor(storeName);
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde;
    const vSerde = materialized?.valueSerde ?? valueSerde;
    const w = this.windows;
    const retention = materialized?.retentionMs ?? w.gapMs + w.graceMs;
    if (w.gapMs + w.graceMs > retention) {
      throw new IllegalArgumentError(
        `The retention period of the session store ${storeName} must be no smaller than the session inactivity gap plus the grace period. ` +
          `Got gap=[${w.gapMs}], grace=[${w.graceMs}], retention=[${retention}]`,
      );
    }
    const config = new TableProcessorConfig();
    config.storeName = storeName;
    const store = new SessionStoreBuilder(storeName, materialized?.storeType !== 'in-memory', retention, internalSerde(keySerde), internalSerde(vSerde));
    applyStoreSettings(store, materialized);
    builder.topology.addProcessor(name, () => new SessionWindowAggregateProcessor(w, storeName, config, initializer, aggregator, merger), source);
    builder.topology.addStateStore(store, name);
    const windowedSerde = keySerde === undefined ? undefined : new SessionWindowedSerde(keySerde);
    const table = new KTable<Windowed<K>, VA>(builder, name, windowedSerde, vSerde, config, { kind: 'materialized', storeName });
    // A session closes at end + gap + grace.
    table.windowCloseMs = w.graceMs + w.gapMs;
    return table;
  }
}
