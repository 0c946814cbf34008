// The peers benchmark's topologies in kstream; bench/peers/kafka-streams/.../Topologies.java builds
// the same ones in Kafka Streams. Topic names start with a per-run prefix.
import { Consumed, Grouped, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, type Topology } from '../../src/index.js';

export const TOPOLOGIES = ['wordcount', 'windowed', 'join'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

/** Input topics of a topology (the join's stream first, then its table). */
export function inputTopics(name: TopologyName, prefix: string): string[] {
  return name === 'join' ? [`${prefix}-clicks`, `${prefix}-users`] : [`${prefix}-lines`];
}

export function outputTopic(prefix: string): string {
  return `${prefix}-out`;
}

const words = (line: string) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0);

export function buildTopology(name: TopologyName, prefix: string): Topology {
  const b = new StreamsBuilder();
  const out = outputTopic(prefix);
  switch (name) {
    case 'wordcount':
      b.stream<string | null, string>(`${prefix}-lines`)
        .flatMapValues(words)
        .groupBy((_k, w) => w, Grouped.with(Serdes.String(), Serdes.String()))
        .count(Materialized.as<string, number>('counts-store'))
        .toStream()
        .to(out, Produced.with(Serdes.String(), Serdes.Long()));
      break;
    case 'windowed':
      b.stream<string | null, string>(`${prefix}-lines`)
        .flatMapValues(words)
        .groupBy((_k, w) => w, Grouped.with(Serdes.String(), Serdes.String()))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
        .count(Materialized.as<string, number>('windowed-counts'))
        .toStream()
        .map((wk, n) => KeyValue.pair(`${wk.key}@${wk.window.start}`, n))
        .to(out, Produced.with(Serdes.String(), Serdes.Long()));
      break;
    case 'join':
      b.stream<string, string>(`${prefix}-clicks`)
        .join(b.table<string, string>(`${prefix}-users`, Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>('users-store')), (page: string, region: string) => `${page}@${region}`)
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
      break;
  }
  return b.build();
}
