import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { TimeOrderedBufferBuilder } from '../state/time-ordered-buffer.js';
import { TopologyError } from '../topology/topology.js';
import { KTable } from './ktable.js';
import { SuppressProcessor } from './processors/suppress.js';
import { TableProcessorConfig } from './processors/support.js';
import type { Suppressed } from './suppressed.js';
import { internalSerde } from './stores.js';
import { Windowed } from '../common/windowed.js';

/**
 * How long final-results suppression waits after a window's end: the grace of the windowed
 * aggregation upstream (+ the gap for sessions), found by walking up the table's parents
 * (Kafka Streams' GraphGraceSearchUtil).
 */
function windowCloseOf(table: KTable<any, any>): number {
  let t: KTable<any, any> = table;
  for (;;) {
    if (t.windowCloseMs !== null) return t.windowCloseMs;
    if (t.origin.kind !== 'derived') break;
    t = t.origin.parent;
  }
  throw new TopologyError(`Window close time is only defined for windowed computations. Got [${table.nodeName}].`);
}

/** Windowed keys of unknown inner serde inside the buffer: msgpack of [key, start, end]. */
function internalWindowedSerde(): Serde<Windowed<unknown>> {
  const inner = Serdes.Msgpack<[unknown, number, number]>();
  return Serdes.from(
    (w: Windowed<unknown>) => inner.serialize([w.key, w.window.start, w.window.end])!,
    (b: Buffer) => {
      const [key, start, end] = inner.deserialize(b)!;
      return new Windowed(key, { start, end });
    },
    'internal-windowed',
  );
}

/** KTable.suppress: names as Kafka Streams (`KTABLE-SUPPRESS-n` + `KTABLE-SUPPRESS-STATE-STORE-(n+1)`, or `<name>` + `<name>-store`). */
export function suppressTable<K, V>(table: KTable<K, V>, suppressed: Suppressed<K>): KTable<K, V> {
  const builder = table.builder;
  const name = suppressed.name ?? builder.newProcessorName('KTABLE-SUPPRESS-');
  const storeName = suppressed.name !== undefined ? `${name}-store` : builder.newStoreName('KTABLE-SUPPRESS-');
  const finalResults = suppressed.kind === 'windowCloses';
  const duration = finalResults ? windowCloseOf(table) : suppressed.timeToWaitMs;
  // The buffer keeps the prior value of each key: the parent must send old values.
  table.enableSendingOldValues(true);
  const keySerde: Serde<K> = table.keySerde ?? (finalResults ? (internalWindowedSerde() as unknown as Serde<K>) : internalSerde<K>(undefined));
  const valueSerde = internalSerde(table.valueSerde);
  const store = new TimeOrderedBufferBuilder(storeName);
  if (suppressed.bufferConfig.loggingEnabled) store.withLoggingEnabled({ ...suppressed.bufferConfig.logConfig });
  else store.withLoggingDisabled();
  const bufferConfig = suppressed.bufferConfig;
  builder.topology.addProcessor(
    name,
    () => new SuppressProcessor<K, V>(name, storeName, finalResults, duration, bufferConfig, keySerde, valueSerde),
    table.nodeName,
  );
  builder.topology.addStateStore(store, name);
  return new KTable<K, V>(builder, name, table.keySerde, table.valueSerde, new TableProcessorConfig(), { kind: 'derived', parent: table, storeName: null });
}
