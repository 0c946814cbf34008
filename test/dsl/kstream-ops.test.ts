import { describe, expect, it } from 'vitest';
import {
  Branched,
  Grouped,
  Headers,
  KeyValue,
  Materialized,
  Named,
  Produced,
  Repartitioned,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  silentLogger,
} from 'kstream';

const S = Serdes.String();
const L = Serdes.Long();

function driverFor(builder: StreamsBuilder, extra: Record<string, unknown> = {}) {
  return new TopologyTestDriver(builder.build(), { 'application.id': 'ops', logger: silentLogger, ...extra });
}

describe('stateless KStream operators', () => {
  it('filter / filterNot keep input order, timestamps and headers', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', undefined);
    s.filter((_k, v) => v.startsWith('a')).to('yes');
    s.filterNot((_k, v) => v.startsWith('a')).to('no');
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, S);
    const h = new Headers().add('trace', 'x1');
    input.pipeInput('k1', 'apple', 30, h);
    input.pipeInput('k2', 'pear', 10);
    input.pipeInput('k3', 'avocado', 20);
    const yes = d.createOutputTopic('yes', S, S).readRecordsToList();
    expect(yes.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 'apple', 30],
      ['k3', 'avocado', 20],
    ]);
    expect(yes[0]!.headers.lastHeader('trace')?.value?.toString()).toBe('x1');
    expect(d.createOutputTopic('no', S, S).readKeyValuesToList()).toEqual([['k2', 'pear']]);
  });

  it('map, mapValues (with and without key), selectKey', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in');
    s.map((k, v) => KeyValue.pair(v, k)).to('swapped');
    s.mapValues((v) => v.length).to('len', Produced.with(S, Serdes.Integer()));
    s.mapValues((v, k) => `${k}:${v}`).to('joined');
    s.selectKey((_k, v) => v.toUpperCase()).to('rekeyed');
    const d = driverFor(b);
    d.createInputTopic('in', S, S).pipeInput('a', 'xy', 5);
    expect(d.createOutputTopic('swapped', S, S).readKeyValue()).toEqual(['xy', 'a']);
    expect(d.createOutputTopic('len', S, Serdes.Integer()).readKeyValue()).toEqual(['a', 2]);
    expect(d.createOutputTopic('joined', S, S).readKeyValue()).toEqual(['a', 'a:xy']);
    expect(d.createOutputTopic('rekeyed', S, S).readKeyValue()).toEqual(['XY', 'xy']);
  });

  it('flatMap and flatMapValues emit each element with the input timestamp', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in');
    s.flatMapValues((v) => v.split(' ')).to('words');
    s.flatMap((k, v) => v.split(' ').map((w, i) => KeyValue.pair(`${k}${i}`, w))).to('keyed');
    const d = driverFor(b);
    d.createInputTopic('in', S, S).pipeInput('k', 'a b c', 42);
    expect(d.createOutputTopic('words', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k', 'a', 42],
      ['k', 'b', 42],
      ['k', 'c', 42],
    ]);
    expect(d.createOutputTopic('keyed', S, S).readKeyValuesToList()).toEqual([
      ['k0', 'a'],
      ['k1', 'b'],
      ['k2', 'c'],
    ]);
  });

  it('peek sees every record and foreach is terminal', () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in');
    s.peek((k, v) => seen.push(`peek ${k}=${v}`)).to('out');
    s.foreach((k, v) => seen.push(`each ${k}=${v}`));
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput(null, '2', 2);
    expect(seen).toEqual(['peek a=1', 'each a=1', 'peek null=2', 'each null=2']);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      ['a', '1'],
      [null, '2'],
    ]);
  });

  it('merge forwards the records of both streams', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('left').merge(b.stream<string, string>('right')).to('out');
    const d = driverFor(b);
    d.createInputTopic('left', S, S).pipeInput('l', '1', 10);
    d.createInputTopic('right', S, S).pipeInput('r', '2', 5);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      ['l', '1'],
      ['r', '2'],
    ]);
  });

  it('split routes to the first matching branch, then the default, with Kafka Streams names', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', undefined)
      .split(Named.as('s-'))
      .branch((_k, v) => v < 0, Branched.as('neg'))
      .branch((_k, v) => v === 0)
      .defaultBranch();
    expect([...branches.keys()]).toEqual(['s-neg', 's-2', 's-0']);
    branches.get('s-neg')!.to('neg', Produced.with(S, Serdes.Integer()));
    branches.get('s-2')!.to('zero', Produced.with(S, Serdes.Integer()));
    branches.get('s-0')!.to('pos', Produced.with(S, Serdes.Integer()));
    const d = new TopologyTestDriver(b.build(), { 'default.value.serde': 'integer', logger: silentLogger });
    const input = d.createInputTopic('in', S, Serdes.Integer());
    for (const v of [-1, 0, 5, -2]) input.pipeInput('k', v, 1);
    expect(d.createOutputTopic('neg', S, Serdes.Integer()).readValuesToList()).toEqual([-1, -2]);
    expect(d.createOutputTopic('zero', S, Serdes.Integer()).readValuesToList()).toEqual([0]);
    expect(d.createOutputTopic('pos', S, Serdes.Integer()).readValuesToList()).toEqual([5]);
  });

  it('split with withFunction / withConsumer branches', () => {
    const consumed: string[] = [];
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, string>('in')
      .split()
      .branch((_k, v) => v === 'x', Branched.withFunction((s) => s.mapValues((v) => v + '!')))
      .branch((_k, v) => v === 'y', Branched.withConsumer((s) => s.foreach((_k, v) => consumed.push(v))))
      .noDefaultBranch();
    expect([...branches.keys()]).toEqual(['KSTREAM-BRANCH-00000000011']);
    branches.get('KSTREAM-BRANCH-00000000011')!.to('out');
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, S);
    for (const v of ['x', 'y', 'z']) input.pipeInput('k', v, 1);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['x!']);
    expect(consumed).toEqual(['y']);
  });

  it('to() with a topic extractor picks the topic per record', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').to((k) => `out-${k}`);
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput('b', '2', 1);
    expect(d.createOutputTopic('out-a', S, S).readValuesToList()).toEqual(['1']);
    expect(d.createOutputTopic('out-b', S, S).readValuesToList()).toEqual(['2']);
  });

  it('repartition() goes through an internal topic named after Repartitioned', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').selectKey((_k, v) => v).repartition(Repartitioned.as('by-value')).to('out');
    const d = new TopologyTestDriver(b.build(), { 'application.id': 'rp', logger: silentLogger });
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 7);
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['v', 'v', 7]]);
    expect(d.producedTopicNames().has('rp-by-value-repartition')).toBe(true);
  });
});

describe('grouped stream aggregations', () => {
  it('count drops null keys and null values and counts the rest (cache off: every update)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').groupByKey().count().toStream().to('out', Produced.with(S, L));
    const d = driverFor(b, { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', null, 2);
    input.pipeInput(null, 'x', 3);
    input.pipeInput('b', 'y', 4);
    input.pipeInput('a', 'z', 2);
    expect(d.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 1],
      ['b', 1, 4],
      ['a', 2, 2],
    ]);
    expect(d.metricsSnapshot()['dropped-records-total']).toBe(2);
  });

  it('aggregate output timestamp is the largest input timestamp so far (out-of-order input)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .groupByKey()
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        Materialized.with(S, S),
      )
      .toStream()
      .to('out');
    const d = driverFor(b, { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 10);
    input.pipeInput('k', 'b', 5);
    input.pipeInput('k', 'c', 12);
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([
      ['a', 10],
      ['ab', 10],
      ['abc', 12],
    ]);
  });

  it('reduce keeps the first value as the aggregate', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .groupByKey()
      .reduce((agg, v) => `${agg}+${v}`)
      .toStream()
      .to('out');
    const d = driverFor(b, { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 2);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'a+b']);
  });

  it('with the cache on, updates caused by one input record are deduplicated', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .flatMapValues((v) => v.split(' '))
      .groupByKey()
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const cached = driverFor(b);
    cached.createInputTopic('in', S, S).pipeInput('k', 'a b c', 1);
    expect(cached.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([['k', 3]]);
  });

  it('groupBy repartitions by the new key and drops records whose new key is null', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .groupBy((_k, v) => (v === 'none' ? (null as unknown as string) : v), Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    const d = driverFor(b, { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, S);
    for (const v of ['x', 'none', 'y', 'x']) input.pipeInput('k', v, 1);
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      ['x', 1],
      ['y', 1],
      ['x', 2],
    ]);
  });
});

describe('max.task.idle.ms', () => {
  it('-1 processes whatever is buffered; a positive value waits for the empty input first', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('left').merge(b.stream<string, string>('right')).to('out');
    const t = b.build();
    const eager = new TopologyTestDriver(t, { logger: silentLogger, 'max.task.idle.ms': -1 });
    eager.createInputTopic('left', S, S).pipeInput('l', '1', 10);
    expect(eager.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1']);
    const b2 = new StreamsBuilder();
    b2.stream<string, string>('left').merge(b2.stream<string, string>('right')).to('out');
    const patient = new TopologyTestDriver(b2.build(), { logger: silentLogger, 'max.task.idle.ms': 1000 }, 0);
    patient.createInputTopic('left', S, S).pipeInput('l', '1', 10);
    const out = patient.createOutputTopic('out', S, S);
    expect(out.isEmpty()).toBe(true);
    patient.createInputTopic('right', S, S).pipeInput('r', '2', 5);
    // Both inputs had data: the older record went first; then 'right' is empty again and the task
    // waits for it until it has been idle for max.task.idle.ms of wall-clock time.
    expect(out.readValuesToList()).toEqual(['2']);
    patient.advanceWallClockTime(999);
    expect(out.isEmpty()).toBe(true);
    patient.advanceWallClockTime(1);
    expect(out.readValuesToList()).toEqual(['1']);
  });
});
