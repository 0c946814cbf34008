import { describe, expect, it } from 'vitest';
import { Consumed, Joined, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from 'kstream';
import { quiet, read } from '../windows/helpers.js';

describe('KStream-KTable join', () => {
  function streamTable(left: boolean, config: Record<string, unknown> = {}) {
    const builder = new StreamsBuilder();
    const table = builder.table('t', Consumed.with(Serdes.String(), Serdes.String()));
    const stream = builder.stream('s', Consumed.with(Serdes.String(), Serdes.String()));
    const joiner = (s: string, t: string | null) => `${s}|${t}`;
    (left ? stream.leftJoin(table, joiner) : stream.join(table, joiner)).to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'stj', ...quiet, ...config });
    return {
      driver,
      s: driver.createInputTopic('s', Serdes.String(), Serdes.String()),
      t: driver.createInputTopic('t', Serdes.String(), Serdes.String()),
      out: driver.createOutputTopic('out', Serdes.String(), Serdes.String()),
    };
  }

  function pipe(d: ReturnType<typeof streamTable>): void {
    d.s.pipeInput('A', 's0', 1);
    d.t.pipeInput('A', 't1', 5);
    d.s.pipeInput('A', 's1', 10);
    d.s.pipeInput(null, 'snull', 11);
    d.s.pipeInput('A', null, 12);
    d.t.pipeInput('A', 't2', 50);
    d.t.pipeInput('A', null, 60);
    d.s.pipeInput('A', 's2', 70);
  }

  it('inner: only stream records with a table value produce output, at the stream timestamp', () => {
    const d = streamTable(false);
    pipe(d);
    expect(read(d.out)).toEqual(['A -> s1|t1 @10']);
    expect(d.driver.metricsSnapshot()['dropped-records-total']).toBe(2);
  });

  it('left: every stream record with a value; null keys join with null (KIP-962)', () => {
    const d = streamTable(true);
    pipe(d);
    expect(read(d.out)).toEqual(['A -> s0|null @1', 'A -> s1|t1 @10', 'null -> snull|null @11', 'A -> s2|null @70']);
    expect(d.driver.metricsSnapshot()['dropped-records-total']).toBe(1);
  });

  it('table updates alone produce nothing; a later table value is not seen by an earlier stream record', () => {
    const d = streamTable(false);
    d.t.pipeInput('A', 't1', 50);
    d.t.pipeInput('B', 't2', 50);
    expect(d.out.isEmpty()).toBe(true);
    d.s.pipeInput('A', 's', 10);
    expect(read(d.out)).toEqual(['A -> s|t1 @10']);
  });

  it('joins a filtered / mapped table through its value getter', () => {
    const builder = new StreamsBuilder();
    const table = builder
      .table('t', Consumed.with(Serdes.String(), Serdes.String()))
      .filter((_k, v) => v.startsWith('ok'))
      .mapValues((v) => v.toUpperCase());
    builder
      .stream('s', Consumed.with(Serdes.String(), Serdes.String()))
      .leftJoin(table, (s, t) => `${s}|${t}`, Joined.as('my-join'))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const topology = builder.build();
    expect(topology.describe().toString()).toContain('Processor: my-join (stores: [t-STATE-STORE-0000000000])');
    const driver = new TopologyTestDriver(topology, { 'application.id': 'stj', ...quiet });
    const t = driver.createInputTopic('t', Serdes.String(), Serdes.String());
    const s = driver.createInputTopic('s', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    t.pipeInput('a', 'ok-1', 1);
    t.pipeInput('b', 'bad', 1);
    s.pipeInput('a', 'x', 2);
    s.pipeInput('b', 'y', 3);
    expect(read(out)).toEqual(['a -> x|OK-1 @2', 'b -> y|null @3']);
  });

  it('describes the verified stream-table topology exactly', () => {
    const builder = new StreamsBuilder();
    const s1 = builder.stream<string, string>('a');
    const t = builder.table<string, string>('t');
    s1.join(t, (v, tv) => v + tv).to('out');
    s1.selectKey((_k, v) => v)
      .leftJoin(t, (v, tv) => v + tv)
      .to('out2');
    expect(builder.build().describe().toString()).toBe(`Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [a])
      --> KSTREAM-KEY-SELECT-0000000006, KSTREAM-JOIN-0000000004
    Processor: KSTREAM-KEY-SELECT-0000000006 (stores: [])
      --> KSTREAM-FILTER-0000000008
      <-- KSTREAM-SOURCE-0000000000
    Source: KSTREAM-SOURCE-0000000009 (topics: [KSTREAM-KEY-SELECT-0000000006-repartition])
      --> KSTREAM-LEFTJOIN-0000000010
    Processor: KSTREAM-FILTER-0000000008 (stores: [])
      --> KSTREAM-SINK-0000000007
      <-- KSTREAM-KEY-SELECT-0000000006
    Processor: KSTREAM-JOIN-0000000004 (stores: [t-STATE-STORE-0000000001])
      --> KSTREAM-SINK-0000000005
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-LEFTJOIN-0000000010 (stores: [t-STATE-STORE-0000000001])
      --> KSTREAM-SINK-0000000011
      <-- KSTREAM-SOURCE-0000000009
    Source: KSTREAM-SOURCE-0000000002 (topics: [t])
      --> KTABLE-SOURCE-0000000003
    Sink: KSTREAM-SINK-0000000005 (topic: out)
      <-- KSTREAM-JOIN-0000000004
    Sink: KSTREAM-SINK-0000000007 (topic: KSTREAM-KEY-SELECT-0000000006-repartition)
      <-- KSTREAM-FILTER-0000000008
    Sink: KSTREAM-SINK-0000000011 (topic: out2)
      <-- KSTREAM-LEFTJOIN-0000000010
    Processor: KTABLE-SOURCE-0000000003 (stores: [t-STATE-STORE-0000000001])
      --> none
      <-- KSTREAM-SOURCE-0000000002

`);
  });

  it('a key change before a left join repartitions and keeps null keys through the repartition topic', () => {
    const builder = new StreamsBuilder();
    const t = builder.table('t', Consumed.with(Serdes.String(), Serdes.String()));
    builder
      .stream('s', Consumed.with(Serdes.String(), Serdes.String()))
      .selectKey((_k, v) => (v === 'none' ? null : v) as string)
      .leftJoin(t, (v, tv) => `${v}|${tv}`, Joined.with(Serdes.String(), Serdes.String(), Serdes.String()))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'rp', ...quiet });
    driver.createInputTopic('t', Serdes.String(), Serdes.String()).pipeInput('x', 'tx', 1);
    const s = driver.createInputTopic('s', Serdes.String(), Serdes.String());
    s.pipeInput('k1', 'x', 2);
    s.pipeInput('k2', 'none', 3);
    expect(read(driver.createOutputTopic('out', Serdes.String(), Serdes.String()))).toEqual(['x -> x|tx @2', 'null -> none|null @3']);
    expect([...driver.producedTopicNames()]).toContain('rp-KSTREAM-KEY-SELECT-0000000004-repartition');
  });

  it('an inner join drops null keys at the repartition filter (silently)', () => {
    const builder = new StreamsBuilder();
    const t = builder.table('t', Consumed.with(Serdes.String(), Serdes.String()));
    builder
      .stream('s', Consumed.with(Serdes.String(), Serdes.String()))
      .selectKey((_k, v) => (v === 'none' ? null : v) as string)
      .join(t, (v, tv) => `${v}|${tv}`, Joined.with(Serdes.String(), Serdes.String(), Serdes.String()))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'rp', ...quiet });
    driver.createInputTopic('s', Serdes.String(), Serdes.String()).pipeInput('k2', 'none', 3);
    expect(driver.producedRecords()).toEqual([]);
    expect(driver.metricsSnapshot()['dropped-records-total'] ?? 0).toBe(0);
  });
});

describe('KTable-KTable join (verified sequence)', () => {
  type Kind = 'join' | 'leftJoin' | 'outerJoin';
  function tableTable(kind: Kind, config: Record<string, unknown>) {
    const builder = new StreamsBuilder();
    const t1 = builder.table('t1', Consumed.with(Serdes.String(), Serdes.String()));
    const t2 = builder.table('t2', Consumed.with(Serdes.String(), Serdes.String()));
    const joiner = (a: string | null, b: string | null) => `${a}|${b}`;
    const joined = kind === 'join' ? t1.join(t2, joiner) : kind === 'leftJoin' ? t1.leftJoin(t2, joiner) : t1.outerJoin(t2, joiner);
    joined.toStream().to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'ttj', ...quiet, ...config });
    const a = driver.createInputTopic('t1', Serdes.String(), Serdes.String());
    const b = driver.createInputTopic('t2', Serdes.String(), Serdes.String());
    a.pipeInput('A', 'a1', 10);
    b.pipeInput('A', 'b1', 5);
    a.pipeInput('A', 'a2', 20);
    b.pipeInput('A', null, 30);
    a.pipeInput('A', null, 40);
    b.pipeInput('B', 'b2', 50);
    b.pipeInput('C', null, 55);
    a.pipeInput('B', null, 60);
    return read(driver.createOutputTopic('out', Serdes.String(), Serdes.String()));
  }
  const noCache = { 'statestore.cache.max.bytes': 0 };

  it('inner', () => {
    expect(tableTable('join', noCache)).toEqual(['A -> a1|b1 @10', 'A -> a2|b1 @20', 'A -> null @30', 'B -> null @60']);
  });

  it('left', () => {
    expect(tableTable('leftJoin', noCache)).toEqual([
      'A -> a1|null @10',
      'A -> a1|b1 @10',
      'A -> a2|b1 @20',
      'A -> a2|null @30',
      'A -> null @40',
      'B -> null @60',
    ]);
  });

  it('outer', () => {
    expect(tableTable('outerJoin', noCache)).toEqual([
      'A -> a1|null @10',
      'A -> a1|b1 @10',
      'A -> a2|b1 @20',
      'A -> a2|null @30',
      'A -> null @40',
      'B -> null|b2 @50',
      'B -> null|b2 @60',
    ]);
  });

  it('with default caching the source stores swallow tombstones of absent keys', () => {
    expect(tableTable('join', {})).toEqual(['A -> a1|b1 @10', 'A -> a2|b1 @20', 'A -> null @30']);
    expect(tableTable('leftJoin', {})).toEqual(['A -> a1|null @10', 'A -> a1|b1 @10', 'A -> a2|b1 @20', 'A -> a2|null @30', 'A -> null @40']);
    expect(tableTable('outerJoin', {})).toEqual([
      'A -> a1|null @10',
      'A -> a1|b1 @10',
      'A -> a2|b1 @20',
      'A -> a2|null @30',
      'A -> null @40',
      'B -> null|b2 @50',
    ]);
  });

  it('a materialized join result is queryable and forwards through its cache', () => {
    const builder = new StreamsBuilder();
    const t1 = builder.table('t1', Consumed.with(Serdes.String(), Serdes.String()));
    const t2 = builder.table('t2', Consumed.with(Serdes.String(), Serdes.String()));
    t1.join(t2, (a, b) => `${a}|${b}`, Materialized.as<string, string>('joined').withValueSerde(Serdes.String()))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const topology = builder.build();
    const text = topology.describe().toString();
    expect(text).toContain('Processor: KTABLE-MERGE-0000000006 (stores: [joined])');
    expect(text).toContain('Processor: KTABLE-JOINTHIS-0000000007 (stores: [t2-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: KTABLE-JOINOTHER-0000000008 (stores: [t1-STATE-STORE-0000000000])');
    const driver = new TopologyTestDriver(topology, { 'application.id': 'ttj', ...quiet });
    driver.createInputTopic('t1', Serdes.String(), Serdes.String()).pipeInput('k', 'a', 1);
    driver.createInputTopic('t2', Serdes.String(), Serdes.String()).pipeInput('k', 'b', 2);
    expect(read(driver.createOutputTopic('out', Serdes.String(), Serdes.String()))).toEqual(['k -> a|b @2']);
    expect(driver.getKeyValueStore<string, string>('joined')!.get('k')).toBe('a|b');
  });

  it('downstream old values reach through the join (groupBy on a join result)', () => {
    const builder = new StreamsBuilder();
    const t1 = builder.table('t1', Consumed.with(Serdes.String(), Serdes.String()));
    const t2 = builder.table('t2', Consumed.with(Serdes.String(), Serdes.String()));
    t1.join(t2, (a, b) => `${a}|${b}`)
      .groupBy((_k, v) => [v.split('|')[1]!, v])
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Long()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'ttj', 'statestore.cache.max.bytes': 0, ...quiet });
    const a = driver.createInputTopic('t1', Serdes.String(), Serdes.String());
    const b = driver.createInputTopic('t2', Serdes.String(), Serdes.String());
    b.pipeInput('k1', 'x', 1);
    b.pipeInput('k2', 'x', 1);
    a.pipeInput('k1', 'a', 2);
    a.pipeInput('k2', 'a', 3);
    b.pipeInput('k1', 'y', 4); // k1 moves from group x to group y: x − 1, y + 1
    expect(read(driver.createOutputTopic('out', Serdes.String(), Serdes.Long()))).toEqual(['x -> 1 @2', 'x -> 2 @3', 'x -> 1 @4', 'y -> 1 @4']);
  });
});
