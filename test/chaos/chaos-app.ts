// The chaos test's application (run as `kstream run` worker processes by test/chaos/driver.ts):
//   lines  (key user, value text)   → word count (through a repartition topic)        → <prefix>-wordcount
//   lines                           → per-user tumbling 10 s window count, 5 s grace  → <prefix>-windowed
//   orders (key product, value id)  ⋈ prices table (key product, value version)        → <prefix>-joined
// The record cache is off so that every update is emitted: the driver checks every key's whole sequence.
import { KeyValue, Materialized, Grouped, Produced, Serdes, StreamsBuilder, TimeWindows, type Topology } from 'kstream';
import { WINDOW_GRACE_MS, WINDOW_SIZE_MS } from './windows.js';

const prefix = process.env.KSTREAM_CHAOS_PREFIX ?? 'chaos';

export const config = {
  'application.id': `${prefix}-app`,
  'statestore.cache.max.bytes': 0,
};

export default function chaos(): Topology {
  const builder = new StreamsBuilder();
  const lines = builder.stream<string, string>(`${prefix}-lines`);
  lines
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((word) => word.length > 0))
    .groupBy((_user, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('word-counts'))
    .toStream()
    .to(`${prefix}-wordcount`, Produced.with(Serdes.String(), Serdes.Long()));

  lines
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_SIZE_MS, WINDOW_GRACE_MS))
    .count(Materialized.as('user-windows'))
    .toStream()
    .map((w, n) => KeyValue.pair(`${w.key}@${w.window.start}`, n))
    .to(`${prefix}-windowed`, Produced.with(Serdes.String(), Serdes.Long()));

  const prices = builder.table<string, string>(`${prefix}-prices`, undefined, Materialized.as('prices'));
  builder
    .stream<string, string>(`${prefix}-orders`)
    .join(prices, (order: string, version: string) => `${order}|${version}`)
    .to(`${prefix}-joined`, Produced.with(Serdes.String(), Serdes.String()));
  return builder.build();
}
