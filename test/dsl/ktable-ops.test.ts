import { describe, expect, it } from 'vitest';
import { KeyValue, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver, silentLogger } from 'kstream';

const S = Serdes.String();
const L = Serdes.Long();

function rows(driver: TopologyTestDriver, topic: string, valueSerde = S as any) {
  return driver
    .createOutputTopic(topic, S, valueSerde)
    .readRecordsToList()
    .map((r) => `${r.key} -> ${r.value} @${r.timestamp}`);
}

// The sequences below were observed with Kafka Streams 3.9.2 (docs/semantics/operators.md).
const FILTER_INPUT: Array<[string, string | null, number]> = [
  ['k1', 'a1', 1],
  ['k1', 'b1', 2],
  ['k2', 'b2', 3],
  ['k2', 'b3', 4],
  ['k3', null, 5],
  ['k1', 'a2', 6],
  ['k1', 'a3', 4],
];

describe('KTable operators', () => {
  it('source table: upserts, tombstones, null keys dropped', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t', undefined, Materialized.as('t-store')).toStream().to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger, 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('t', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput('a', '2', 2);
    input.pipeInput(null, 'x', 3);
    input.pipeInput('a', null, 4);
    input.pipeInput('b', null, 5);
    expect(rows(d, 'out')).toEqual(['a -> 1 @1', 'a -> 2 @2', 'a -> null @4', 'b -> null @5']);
    expect(d.getKeyValueStore<string, string>('t-store')!.get('a')).toBeNull();
    expect(d.metricsSnapshot()['dropped-records-total']).toBe(1);
  });

  it('with caching, a tombstone for a key that never existed is not forwarded', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t', undefined, Materialized.as('t-store')).toStream().to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('t', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput('b', null, 2);
    input.pipeInput('a', null, 3);
    expect(rows(d, 'out')).toEqual(['a -> 1 @1', 'a -> null @3']);
  });

  it('filter on an unmaterialized table forwards every failing update as a tombstone', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t')
      .filter((_k, v) => v.startsWith('a'))
      .toStream()
      .to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('t', S, S);
    for (const [k, v, ts] of FILTER_INPUT) input.pipeInput(k, v, ts);
    expect(rows(d, 'out')).toEqual([
      'k1 -> a1 @1',
      'k1 -> null @2',
      'k2 -> null @3',
      'k2 -> null @4',
      'k3 -> null @5',
      'k1 -> a2 @6',
      'k1 -> a3 @4',
    ]);
  });

  it('filter on a materialized table only retracts values that passed before', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('tm', undefined, Materialized.as('tm-store'))
      .filter((_k, v) => v.startsWith('a'))
      .toStream()
      .to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('tm', S, S);
    for (const [k, v, ts] of FILTER_INPUT) input.pipeInput(k, v, ts);
    expect(rows(d, 'out')).toEqual(['k1 -> a1 @1', 'k1 -> null @2', 'k1 -> a2 @6', 'k1 -> a3 @4']);
  });

  it('mapValues maps new values and turns tombstones into tombstones', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t')
      .mapValues((v) => v.toUpperCase())
      .toStream()
      .to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('t', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', null, 2);
    expect(rows(d, 'out')).toEqual(['a -> X @1', 'a -> null @2']);
  });

  it('a materialized mapValues keeps its own queryable store', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t').mapValues((v, k) => `${k}=${v}`, Materialized.as<string, string>('mapped').withValueSerde(S));
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    d.createInputTopic('t', S, S).pipeInput('a', 'x', 1);
    expect(d.getKeyValueStore<string, string>('mapped')!.get('a')).toBe('a=x');
  });

  it('groupBy + count subtracts from the old group and adds to the new one', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t')
      .groupBy((_k, v) => KeyValue.pair(v[0]!, v))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('t', S, S);
    input.pipeInput('k1', 'a1', 10);
    input.pipeInput('k2', 'a2', 5);
    input.pipeInput('k1', 'a3', 20);
    input.pipeInput('k1', 'b1', 15);
    input.pipeInput('k2', null, 30);
    expect(rows(d, 'out', L)).toEqual(['a -> 1 @10', 'a -> 2 @10', 'a -> 2 @20', 'a -> 1 @20', 'b -> 1 @15', 'a -> 0 @30']);
  });

  it('groupBy + reduce with adder and subtractor', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t')
      .groupBy((_k, v) => KeyValue.pair(v[0]!, v))
      .reduce(
        (agg, v) => `${agg}+${v}`,
        (agg, v) => `${agg}-${v}`,
      )
      .toStream()
      .to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('t', S, S);
    input.pipeInput('k1', 'a1', 10);
    input.pipeInput('k2', 'a2', 5);
    input.pipeInput('k1', 'a3', 20);
    input.pipeInput('k1', 'b1', 15);
    input.pipeInput('k2', null, 30);
    expect(rows(d, 'out')).toEqual([
      'a -> a1 @10',
      'a -> a1+a2 @10',
      'a -> a1+a2-a1+a3 @20',
      'a -> a1+a2-a1+a3-a3 @20',
      'b -> b1 @15',
      'a -> a1+a2-a1+a3-a3-a2 @30',
    ]);
  });

  it('KStream.toTable turns a stream into an upserting table', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').toTable(undefined, Materialized.as('latest')).toStream().to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger, 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput('a', '2', 2);
    input.pipeInput('a', null, 3);
    expect(rows(d, 'out')).toEqual(['a -> 1 @1', 'a -> 2 @2', 'a -> null @3']);
  });
});

describe('describe() names match Kafka Streams', () => {
  it('unnamed groupBy + count', () => {
    const b = new StreamsBuilder();
    b.stream('in')
      .groupBy((_k, v) => v)
      .count()
      .toStream()
      .to('out');
    expect(b.build().describe().toString()).toBe(`Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [in])
      --> KSTREAM-KEY-SELECT-0000000001
    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])
      --> KSTREAM-FILTER-0000000005
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-FILTER-0000000005 (stores: [])
      --> KSTREAM-SINK-0000000004
      <-- KSTREAM-KEY-SELECT-0000000001
    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)
      <-- KSTREAM-FILTER-0000000005

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])
      --> KTABLE-TOSTREAM-0000000007
      <-- KSTREAM-SOURCE-0000000006
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000008 (topic: out)
      <-- KTABLE-TOSTREAM-0000000007

`);
  });

  it('table groupBy + count materializes the source table', () => {
    const b = new StreamsBuilder();
    b.table('t')
      .groupBy((k, v) => KeyValue.pair(v, k))
      .count()
      .toStream()
      .to('out');
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KTABLE-SOURCE-0000000002 (stores: [t-STATE-STORE-0000000000])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)');
    expect(text).toContain('Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000006');
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000008');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000009 (topic: out)');
  });
});
