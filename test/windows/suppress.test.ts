import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  WindowedSerdes,
  type Windowed,
} from 'kstream';
import { quiet, read, readWindowed } from './helpers.js';

function finalCounts(config: Record<string, unknown> = {}) {
  const builder = new StreamsBuilder();
  const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
    .count()
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to('out', Produced.with(serde, Serdes.Long()));
  const topology = builder.build();
  const driver = new TopologyTestDriver(topology, { 'application.id': 'sup', ...quiet, ...config });
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  const out = driver.createOutputTopic<Windowed<string>, number>('out', serde, Serdes.Long());
  return { topology, driver, input, out };
}

describe('suppress(untilWindowCloses)', () => {
  it('describes as Kafka Streams does', () => {
    const { topology } = finalCounts();
    expect(topology.describe().toString()).toBe(`Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [in])
      --> KSTREAM-AGGREGATE-0000000002
    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])
      --> KTABLE-SUPPRESS-0000000003
      <-- KSTREAM-SOURCE-0000000000
    Processor: KTABLE-SUPPRESS-0000000003 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000004])
      --> KTABLE-TOSTREAM-0000000005
      <-- KSTREAM-AGGREGATE-0000000002
    Processor: KTABLE-TOSTREAM-0000000005 (stores: [])
      --> KSTREAM-SINK-0000000006
      <-- KTABLE-SUPPRESS-0000000003
    Sink: KSTREAM-SINK-0000000006 (topic: out)
      <-- KTABLE-TOSTREAM-0000000005

`);
  });

  it('emits exactly one final result per window once stream time reaches end + grace (verified sequence)', () => {
    for (const cache of [undefined, 0]) {
      const { driver, input, out } = finalCounts(cache === undefined ? {} : { 'statestore.cache.max.bytes': cache });
      const emittedAfter: Record<number, string[]> = {};
      for (const ts of [3, 8, 12, 25, 14, 9, 30, 31, 4, 40]) {
        input.pipeInput('k', `v${ts}`, ts);
        const got = readWindowed(out);
        if (got.length > 0) emittedAfter[ts] = got;
      }
      expect(emittedAfter).toEqual({
        25: ['k@[0,10) -> 2 @8', 'k@[10,20) -> 1 @12'],
        40: ['k@[20,30) -> 1 @25'],
      });
      driver.close();
    }
  });

  it('orders evictions by window end, then key bytes', () => {
    const { input, out } = finalCounts();
    input.pipeInput('b', 'x', 1);
    input.pipeInput('a', 'x', 2);
    input.pipeInput('c', 'x', 11);
    input.pipeInput('a', 'x', 12);
    input.pipeInput('z', 'x', 100);
    expect(readWindowed(out)).toEqual([
      'a@[0,10) -> 1 @2',
      'b@[0,10) -> 1 @1',
      'a@[10,20) -> 1 @12',
      'c@[10,20) -> 1 @11',
    ]);
  });

  it('logs the buffer to its changelog: the buffered value on flush, a tombstone once emitted', () => {
    const { driver, input } = finalCounts();
    input.pipeInput('k', 'x', 3);
    input.pipeInput('k', 'x', 20);
    const log = driver.producedRecords().filter((r) => r.topic === 'sup-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog');
    const keySerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
    const entries = log.map((r) => {
      const w = keySerde.deserialize(r.key)!;
      return `${w.key}@${w.window.start}:${r.value === null ? 'tombstone' : 'value'}:v=${r.headers?.[0]?.[0]}${r.headers?.[0]?.[1]?.[0]}`;
    });
    // After 3: [0,10) buffered. After 20 (>= 10 + 5): [20,30) buffered and [0,10) emitted (tombstone).
    expect(entries[0]).toBe('k@0:value:v=v3');
    expect(entries.slice(1).sort()).toEqual(['k@0:tombstone:v=v3', 'k@20:value:v=v3']);
    // The buffered value ends with the buffer time (the window end).
    expect(log[0]!.value!.readBigInt64BE(log[0]!.value!.length - 8)).toBe(10n);
  });
});

describe('suppress(untilWindowCloses) on session windows', () => {
  it('waits for end + gap + grace and never emits the retraction tombstones', () => {
    const builder = new StreamsBuilder();
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(serde, Serdes.Long()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'ss', ...quiet });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic<Windowed<string>, number>('out', serde, Serdes.Long());
    const emittedAfter: Record<number, string[]> = {};
    for (const ts of [3, 8, 12, 25, 14, 9, 30, 31, 4, 40]) {
      input.pipeInput('k', `v${ts}`, ts);
      const got = readWindowed(out, true);
      if (got.length > 0) emittedAfter[ts] = got;
    }
    // [3,12] closes at 12 + 5 + 2 = 19 (emitted when 25 arrives); [25,31] at 38 (emitted at 40)
    expect(emittedAfter).toEqual({ 25: ['k@[3,12] -> 3 @12'], 40: ['k@[25,31] -> 3 @31'] });
  });
});

describe('suppress(untilTimeLimit)', () => {
  it('emits the latest update of a key once the time limit passed, keeping tombstones', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>('t-store'))
      .suppress(Suppressed.untilTimeLimit<string>(10, BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'tl', 'statestore.cache.max.bytes': 0, ...quiet });
    const input = driver.createInputTopic('t', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    input.pipeInput('a', 'a1', 0);
    input.pipeInput('a', 'a2', 5);
    input.pipeInput('b', 'b1', 6);
    expect(read(out)).toEqual([]);
    input.pipeInput('c', 'c1', 15); // a2 (5) <= 15 − 10
    expect(read(out)).toEqual(['a -> a2 @5']);
    input.pipeInput('b', null, 16);
    input.pipeInput('c', 'c2', 30);
    // b's tombstone (16 <= 30 − 10) comes out; c was re-buffered at 30 and waits.
    expect(read(out)).toEqual(['b -> null @16']);
  });

  it('BufferConfig.maxRecords(n) emits early (oldest first) when full', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>('t-store'))
      .suppress(Suppressed.untilTimeLimit<string>(1000, BufferConfig.maxRecords(2)))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'tl', 'statestore.cache.max.bytes': 0, ...quiet });
    const input = driver.createInputTopic('t', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    input.pipeInput('a', 'a1', 1);
    input.pipeInput('b', 'b1', 2);
    input.pipeInput('c', 'c1', 3);
    expect(read(out)).toEqual(['a -> a1 @1']);
  });

  it('shutDownWhenFull fails the task with Kafka Streams message', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>('t-store'))
      .suppress(Suppressed.untilTimeLimit<string>(1000, BufferConfig.maxRecords(1).shutDownWhenFull()).withName('sup'))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), {
      'application.id': 'tl',
      'statestore.cache.max.bytes': 0,
      'processing.exception.handler': 'fail',
      ...quiet,
    });
    const input = driver.createInputTopic('t', Serdes.String(), Serdes.String());
    input.pipeInput('a', 'a1', 1);
    expect(() => input.pipeInput('b', 'b1', 2)).toThrow(/sup buffer exceeded its max capacity. Currently \[2\/1\] records/);
  });
});
