import { describe, expect, it } from 'vitest';
import {
  Consumed,
  JoinWindows,
  KafkaStreams,
  Materialized,
  Named,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamJoined,
  StreamsBuilder,
  TimeWindows,
  silentLogger,
} from 'kstream';
import { produce, tempDir } from '../helpers/embedded.js';

function ssJoin(kind: 'join' | 'leftJoin' | 'outerJoin', streamJoined?: StreamJoined<string, string, string>) {
  const b = new StreamsBuilder();
  const s1 = b.stream<string, string>('s1');
  const s2 = b.stream<string, string>('s2');
  const j = (x: string | null, y: string | null) => `${x}${y}`;
  const w = JoinWindows.ofTimeDifferenceWithNoGrace(10);
  (kind === 'join' ? s1.join(s2, j, w, streamJoined) : kind === 'leftJoin' ? s1.leftJoin(s2, j, w, streamJoined) : s1.outerJoin(s2, j, w, streamJoined)).to('out');
  return b.build();
}

describe('describe() of joins (Kafka Streams names and order)', () => {
  it('stream-stream inner join (verified names; merge lists JOINTHIS before JOINOTHER)', () => {
    expect(ssJoin('join').describe().toString()).toBe(`Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [s1])
      --> KSTREAM-WINDOWED-0000000002
    Source: KSTREAM-SOURCE-0000000001 (topics: [s2])
      --> KSTREAM-WINDOWED-0000000003
    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])
      --> KSTREAM-JOINTHIS-0000000004
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])
      --> KSTREAM-JOINOTHER-0000000005
      <-- KSTREAM-SOURCE-0000000001
    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])
      --> KSTREAM-MERGE-0000000006
      <-- KSTREAM-WINDOWED-0000000003
    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])
      --> KSTREAM-MERGE-0000000006
      <-- KSTREAM-WINDOWED-0000000002
    Processor: KSTREAM-MERGE-0000000006 (stores: [])
      --> KSTREAM-SINK-0000000007
      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005
    Sink: KSTREAM-SINK-0000000007 (topic: out)
      <-- KSTREAM-MERGE-0000000006

`);
  });

  it('stream-stream left and outer joins: OUTEROTHER / OUTERTHIS and the shared store on both join processors', () => {
    const left = ssJoin('leftJoin').describe().toString();
    expect(left).toContain('Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])');
    expect(left).toContain('Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])');
    expect(left).toContain('<-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005');
    const outer = ssJoin('outerJoin').describe().toString();
    expect(outer).toContain('Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])');
    expect(outer).toContain('Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])');
  });

  it('StreamJoined.as(name) names processors; withStoreName names stores', () => {
    const named = ssJoin('leftJoin', StreamJoined.as('j')).describe().toString();
    for (const n of ['j-this-windowed', 'j-other-windowed', 'j-this-join', 'j-outer-other-join', 'j-merge']) expect(named).toContain(`Processor: ${n} `);
    // without withStoreName the stores keep generated names (the indexes were burned)
    expect(named).toContain('Processor: j-this-join (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])');
    const stores = ssJoin('outerJoin', StreamJoined.as<string, string, string>('j').withStoreName('st')).describe().toString();
    expect(stores).toContain('Processor: j-outer-this-join (stores: [st-outer-shared-join-store, st-outer-other-join-store])');
    expect(stores).toContain('Processor: j-this-windowed (stores: [st-outer-this-join-store])');
    expect(stores).toContain('Sink: KSTREAM-SINK-0000000007 (topic: out)');
  });

  it('a key change before a stream-stream join repartitions each such side (named after the upstream node, or <name>-left/-right)', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('s1').map((k, v) => [v, k] as const);
    const s2 = b.stream<string, string>('s2');
    s1.join(s2, (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    const text = b.build().describe().toString();
    expect(text).toContain('Sink: KSTREAM-SINK-0000000003 (topic: KSTREAM-MAP-0000000001-repartition)');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000005 (topics: [KSTREAM-MAP-0000000001-repartition])');
    expect(text).toContain('Processor: KSTREAM-WINDOWED-0000000006');
    const b2 = new StreamsBuilder();
    const t1 = b2.stream<string, string>('s1').selectKey((_k, v) => v);
    const t2 = b2.stream<string, string>('s2').selectKey((_k, v) => v);
    t1.join(t2, (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(10), StreamJoined.as('jj')).to('out');
    const text2 = b2.build().describe().toString();
    expect(text2).toContain('Sink: jj-left-repartition-sink (topic: jj-left-repartition)');
    expect(text2).toContain('Sink: jj-right-repartition-sink (topic: jj-right-repartition)');
  });

  it('table-table joins: KTABLE-MERGE, KTABLE-JOINTHIS, KTABLE-JOINOTHER (Named: x, x-join-this, x-join-other)', () => {
    const b = new StreamsBuilder();
    const t1 = b.table<string, string>('t1');
    const t2 = b.table<string, string>('t2');
    t1.join(t2, (x, y) => x + y).toStream().to('out');
    t1.leftJoin(t2, (x, y) => x + y, Named.as('lj')).toStream().to('out2');
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KTABLE-JOINTHIS-0000000007 (stores: [t2-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: KTABLE-JOINOTHER-0000000008 (stores: [t1-STATE-STORE-0000000000])');
    expect(text).toContain('<-- KTABLE-JOINTHIS-0000000007, KTABLE-JOINOTHER-0000000008');
    expect(text).toContain('Processor: lj-join-this (stores: [t2-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: lj (stores: [])');
    // lj burned 3 indexes (11, 12, 13): its toStream is 14
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000014');
  });

  it('windowed aggregations: store before processor, compat burn for nameless Materialized (not for sliding)', () => {
    const b = new StreamsBuilder();
    const g = b.stream<string, string>('in').groupByKey();
    g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count().toStream().to('o1');
    g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(Materialized.with(Serdes.String(), Serdes.Long())).toStream().to('o2');
    g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(Materialized.with(Serdes.String(), Serdes.Long())).toStream().to('o3');
    g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).reduce((x, y) => x + y).toStream().to('o4');
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000007 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000006])'); // 5 burned
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000011 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000010])'); // no burn
    expect(text).toContain('Processor: KSTREAM-REDUCE-0000000015 (stores: [KSTREAM-REDUCE-STATE-STORE-0000000014])');
  });
});

describe('co-partitioning', () => {
  it('rejects join inputs with different partition counts (Kafka Streams message)', async () => {
    const { dir, cleanup } = tempDir('kstream-copart-');
    try {
      await produce(dir, 'left', [], 2);
      await produce(dir, 'right', [], 3);
      const b = new StreamsBuilder();
      b.stream('left', Consumed.with(Serdes.String(), Serdes.String()))
        .join(b.stream('right', Consumed.with(Serdes.String(), Serdes.String())), (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(5))
        .to('out', Produced.with(Serdes.String(), Serdes.String()));
      const app = new KafkaStreams(b.build(), { 'application.id': 'cp', 'data.dir': dir, logger: silentLogger });
      await expect(app.run({ untilIdle: true })).rejects.toThrow('Invalid topology: Topics not co-partitioned: [{left=2, right=3}]');
    } finally {
      cleanup();
    }
  });

  it('gives a repartition topic before a join the partition count of the other side', async () => {
    const { dir, cleanup } = tempDir('kstream-copart-');
    try {
      await produce(dir, 'table', [{ key: 'x', value: 'tx', timestamp: 1 }], 3);
      await produce(dir, 'stream', [{ key: 'k', value: 'x', timestamp: 2 }], 1);
      const b = new StreamsBuilder();
      const t = b.table('table', Consumed.with(Serdes.String(), Serdes.String()));
      b.stream('stream', Consumed.with(Serdes.String(), Serdes.String()))
        .selectKey((_k, v) => v)
        .join(t, (v, tv) => `${v}|${tv}`)
        .to('out', Produced.with(Serdes.String(), Serdes.String()));
      await new KafkaStreams(b.build(), { 'application.id': 'cp2', 'data.dir': dir, logger: silentLogger }).run({ untilIdle: true });
      const { EmbeddedLog } = await import('kstream');
      const log = EmbeddedLog.open(dir);
      try {
        const d = await log.admin().describeTopics(['cp2-KSTREAM-KEY-SELECT-0000000004-repartition', 'out']);
        expect(d.get('cp2-KSTREAM-KEY-SELECT-0000000004-repartition')!.partitions).toBe(3);
      } finally {
        await log.close();
      }
      const { readAll } = await import('../helpers/embedded.js');
      expect((await readAll(dir, 'out', Serdes.String(), Serdes.String())).map((r) => `${r.key}=${r.value}`)).toEqual(['x=x|tx']);
    } finally {
      cleanup();
    }
  });
});
