import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  TopologyTestDriver,
  WindowedSerdes,
  type Windowed,
} from 'kstream';
import { quiet, readWindowed } from './helpers.js';

const INPUT = [3, 8, 12, 25, 14, 9, 30, 31, 4, 40];

function windowedCount(windows: TimeWindows, config: Record<string, unknown> = {}) {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), windows.sizeMs), Serdes.Long()));
  const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'tw', ...quiet, ...config });
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  const out = driver.createOutputTopic<Windowed<string>, number>('out', WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), windows.sizeMs), Serdes.Long());
  return { driver, input, out };
}

describe('tumbling windows', () => {
  it('matches Kafka Streams on the verified input (size 10, grace 5)', () => {
    const { driver, input, out } = windowedCount(TimeWindows.ofSizeAndGrace(10, 5));
    for (const ts of INPUT) input.pipeInput('k', `v${ts}`, ts);
    expect(readWindowed(out)).toEqual([
      'k@[0,10) -> 1 @3',
      'k@[0,10) -> 2 @8',
      'k@[10,20) -> 1 @12',
      'k@[20,30) -> 1 @25',
      'k@[30,40) -> 1 @30',
      'k@[30,40) -> 2 @31',
      'k@[40,50) -> 1 @40',
    ]);
    // 14, 9 and 4 fell into closed windows.
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(3);
    driver.close();
  });
});

describe('hopping windows', () => {
  it('matches Kafka Streams on the verified input (size 10, advance 5, no grace)', () => {
    const { out, input } = windowedCount(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    for (const ts of INPUT) input.pipeInput('k', `v${ts}`, ts);
    expect(readWindowed(out)).toEqual([
      'k@[0,10) -> 1 @3',
      'k@[0,10) -> 2 @8',
      'k@[5,15) -> 1 @8',
      'k@[5,15) -> 2 @12',
      'k@[10,20) -> 1 @12',
      'k@[20,30) -> 1 @25',
      'k@[25,35) -> 1 @25',
      'k@[25,35) -> 2 @30',
      'k@[30,40) -> 1 @30',
      'k@[25,35) -> 3 @31',
      'k@[30,40) -> 2 @31',
      'k@[35,45) -> 1 @40',
      'k@[40,50) -> 1 @40',
    ]);
  });
});

describe('grace boundaries (exact comparisons)', () => {
  it('time windows: a window is closed once stream time >= end + grace', () => {
    const { driver, input, out } = windowedCount(TimeWindows.ofSizeAndGrace(10, 5));
    input.pipeInput('k', 'a', 14); // stream time 14: [0,10) closes at 15
    input.pipeInput('k', 'b', 9); // 10 + 5 > 14: accepted
    input.pipeInput('k', 'c', 15); // stream time 15
    input.pipeInput('k', 'd', 9); // 10 + 5 <= 15: dropped
    expect(readWindowed(out)).toEqual(['k@[10,20) -> 1 @14', 'k@[0,10) -> 1 @9', 'k@[10,20) -> 2 @15']);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(1);
    expect(driver.metricsSnapshot()['dropped-late-records-total']).toBe(1);
  });

  it('hopping windows drop and count per closed window', () => {
    const { driver, input, out } = windowedCount(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    input.pipeInput('k', 'a', 20);
    input.pipeInput('k', 'b', 12); // [5,15) closed (15 <= 20), [10,20) closed (20 <= 20)
    input.pipeInput('k', 'c', 16); // [10,20) closed, [15,25) open
    expect(readWindowed(out)).toEqual(['k@[15,25) -> 1 @20', 'k@[20,30) -> 1 @20', 'k@[15,25) -> 2 @20']);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(3);
  });
});

describe('windowed aggregation details', () => {
  it('null values reach the aggregator (count counts them); null keys are dropped and counted', () => {
    const { driver, input, out } = windowedCount(TimeWindows.ofSizeWithNoGrace(10));
    input.pipeInput('k', 'v', 1);
    input.pipeInput('k', null, 2);
    input.pipeInput(null, 'v', 3);
    expect(readWindowed(out)).toEqual(['k@[0,10) -> 1 @1', 'k@[0,10) -> 2 @2']);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(1);
  });

  it('the result timestamp is the largest record timestamp of the window', () => {
    const { input, out } = windowedCount(TimeWindows.ofSizeAndGrace(10, 100));
    input.pipeInput('k', 'v', 7);
    input.pipeInput('k', 'v', 2);
    expect(readWindowed(out)).toEqual(['k@[0,10) -> 1 @7', 'k@[0,10) -> 2 @7']);
  });

  it('keeps windows for size + grace by default, longer with Materialized.withRetention; queries through getWindowStore', () => {
    const build = (retention?: number) => {
      const builder = new StreamsBuilder();
      const m = Materialized.as<string, number>('counts');
      builder
        .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count(retention === undefined ? m : m.withRetention(retention));
      const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'ret', ...quiet });
      const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
      for (const ts of [1, 12, 25, 31]) input.pipeInput('k', 'v', ts);
      return driver.getWindowStore<string, number>('counts')!;
    };
    // stream time 31: default retention 15 keeps starts > 16
    expect(build().fetch('k', 0, 100)).toEqual([
      [20, 1],
      [30, 1],
    ]);
    expect(build(100).fetch('k', 0, 100)).toEqual([
      [0, 1],
      [10, 1],
      [20, 1],
      [30, 1],
    ]);
    expect(() => build(14)).toThrow(
      'The retention period of the window store counts must be no smaller than its window size plus the grace period. Got size=[10], grace=[5], retention=[14]',
    );
  });

  it('reduce and aggregate; old values through a downstream table operator', () => {
    const builder = new StreamsBuilder();
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
    const grouped = builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).groupByKey();
    grouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .reduce((a, b) => `${a}+${b}`, Materialized.with(Serdes.String(), Serdes.String()))
      .toStream()
      .to('reduced', Produced.with(serde, Serdes.String()));
    grouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .aggregate(() => 100, (_k, v, agg) => agg + v.length, Materialized.with(Serdes.String(), Serdes.Long()))
      .filter((_k, total) => total > 102)
      .toStream()
      .to('filtered', Produced.with(serde, Serdes.Long()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'agg', ...quiet });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'bb', 2);
    input.pipeInput('k', 'c', 11);
    expect(readWindowed(driver.createOutputTopic<Windowed<string>, string>('reduced', serde, Serdes.String()))).toEqual([
      'k@[0,10) -> a @1',
      'k@[0,10) -> a+bb @2',
      'k@[10,20) -> c @11',
    ]);
    // 101 fails the filter: with old values (the window store is materialized) no tombstone is sent for it
    expect(readWindowed(driver.createOutputTopic<Windowed<string>, number>('filtered', serde, Serdes.Long()))).toEqual(['k@[0,10) -> 103 @2']);
  });

  it('windowed keys go to the partition of their inner key (windowed sink partitioner)', async () => {
    const { windowedPartitioner } = await import('../../src/dsl/windowed-partitioner.js');
    const { partitionForKey } = await import('../../src/log/murmur2.js');
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
    const p = windowedPartitioner(serde)!;
    for (const key of ['a', 'b', 'user-42']) {
      for (const start of [0, 10, 1_000_000]) {
        expect(p('t', { key, window: { start, end: start + 10 } } as Windowed<string>, null, 7)).toBe(partitionForKey(Buffer.from(key), 7));
      }
    }
    // byte layouts of Kafka Streams' windowed serdes
    expect(serde.serialize({ key: 'k', window: { start: 10, end: 20 } } as Windowed<string>)!.toString('hex')).toBe('6b000000000000000a');
    const session = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    expect(session.serialize({ key: 'k', window: { start: 3, end: 8 } } as Windowed<string>)!.toString('hex')).toBe('6b' + '0000000000000008' + '0000000000000003');
    expect(session.deserialize(Buffer.from('6b00000000000000080000000000000003', 'hex'))!.window).toEqual({ start: 3, end: 8 });
    expect(serde.deserialize(Buffer.from('6b000000000000000a', 'hex'))!.window).toEqual({ start: 10, end: 20 });
  });

  it('validates window specifications with Kafka Streams messages', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow('Window size (sizeMs) must be larger than zero.');
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(
      'Window advancement interval should be more than zero and less than window duration which is 10 ms, but given advancement interval is: 11 ms',
    );
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12)).toEqual([
      { start: 5, end: 15 },
      { start: 10, end: 20 },
    ]);
    expect(TimeWindows.of(60_000).gracePeriodMs()).toBe(86_400_000 - 60_000);
  });
});
