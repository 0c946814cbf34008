import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TopologyTestDriver,
  WindowedSerdes,
  type Windowed,
} from 'kstream';
import { quiet, readWindowed } from './helpers.js';

const INPUT = [3, 8, 12, 25, 14, 9, 30, 31, 4, 40];

function run<V>(build: (b: StreamsBuilder) => void, keySerdeOut: ReturnType<typeof WindowedSerdes.timeWindowedSerdeFrom<string>> | ReturnType<typeof WindowedSerdes.sessionWindowedSerdeFrom<string>>, valueSerde = Serdes.Long() as any, config: Record<string, unknown> = {}) {
  const builder = new StreamsBuilder();
  build(builder);
  const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'sw', ...quiet, ...config });
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  const out = driver.createOutputTopic<Windowed<string>, V>('out', keySerdeOut, valueSerde);
  return { driver, input, out };
}

describe('sliding windows', () => {
  it('matches Kafka Streams on the verified input (d 5, grace 2)', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 5);
    const { driver, input, out } = run<number>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5, 2))
          .count()
          .toStream()
          .to('out', Produced.with(serde, Serdes.Long())),
      serde,
    );
    for (const ts of INPUT) input.pipeInput('k', `v${ts}`, ts);
    expect(readWindowed(out, true)).toEqual([
      'k@[0,5] -> 1 @3',
      'k@[4,9] -> 1 @8',
      'k@[3,8] -> 2 @8',
      'k@[9,14] -> 1 @12',
      'k@[7,12] -> 2 @12',
      'k@[20,25] -> 1 @25',
      'k@[26,31] -> 1 @30',
      'k@[25,30] -> 2 @30',
      'k@[26,31] -> 2 @31',
      'k@[31,36] -> 1 @31',
      'k@[35,40] -> 1 @40',
    ]);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(3);
  });

  it('aggregates out-of-order records into the windows they belong to, and copies the right window', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
    const { input, out } = run<string>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
          .reduce((a, v) => `${a}+${v}`, Materialized.with(Serdes.String(), Serdes.String()))
          .toStream()
          .to('out', Produced.with(serde, Serdes.String())),
      serde,
      Serdes.String(),
      { 'statestore.cache.max.bytes': 0 },
    );
    input.pipeInput('k', 'a', 20);
    input.pipeInput('k', 'b', 25);
    input.pipeInput('k', 'c', 22); // out of order, between a and b
    expect(readWindowed(out, true)).toEqual([
      'k@[10,20] -> a @20',
      'k@[21,31] -> b @25',
      'k@[15,25] -> a+b @25',
      // c @22: updates b's left window and a's right window, then its own windows
      'k@[21,31] -> b+c @25',
      'k@[15,25] -> a+b+c @25',
      'k@[12,22] -> a+c @22',
      'k@[23,33] -> b @25',
    ]);
  });
});

describe('session windows', () => {
  it('matches Kafka Streams on the verified input (gap 5, grace 2): merges retract old sessions first', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const { driver, input, out } = run<number>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
          .count(Materialized.as<string, number>('sessions'))
          .toStream()
          .to('out', Produced.with(serde, Serdes.Long())),
      serde,
    );
    for (const ts of INPUT) input.pipeInput('k', `v${ts}`, ts);
    expect(readWindowed(out, true)).toEqual([
      'k@[3,3] -> 1 @3',
      'k@[3,3] -> null @3',
      'k@[3,8] -> 2 @8',
      'k@[3,8] -> null @8',
      'k@[3,12] -> 3 @12',
      'k@[25,25] -> 1 @25',
      'k@[25,25] -> null @25',
      'k@[25,30] -> 2 @30',
      'k@[25,30] -> null @30',
      'k@[25,31] -> 3 @31',
      'k@[40,40] -> 1 @40',
    ]);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(3);
    // The segmented store keeps sessions for gap + grace = 7 ms of stream time (40), but reads go through the
    // record cache, which still holds the expired sessions: Kafka Streams 4.4.0's driver shows all three.
    const store = driver.getSessionStore<string, number>('sessions')!;
    expect(store.fetch('k').map(([w, v]) => `${w.window.start}-${w.window.end}:${v}`)).toEqual(['3-12:3', '25-31:3', '40-40:1']);
    expect(store.fetchSession('k', 40, 40)).toBe(1);
  });

  it('a record bridging two sessions merges them (aggregate with merger)', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const { input, out } = run<string>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 20))
          .aggregate(
            () => '',
            (_k, v, agg) => agg + v,
            (_k, a, b) => a + b,
            Materialized.with(Serdes.String(), Serdes.String()),
          )
          .toStream()
          .to('out', Produced.with(serde, Serdes.String())),
      serde,
      Serdes.String(),
    );
    input.pipeInput('k', 'a', 100);
    input.pipeInput('k', 'b', 120);
    input.pipeInput('k', 'c', 110); // within 10 of both: one session [100,120]
    expect(readWindowed(out, true)).toEqual([
      'k@[100,100] -> a @100',
      'k@[120,120] -> b @120',
      'k@[100,100] -> null @100',
      'k@[120,120] -> null @120',
      'k@[100,120] -> abc @120',
    ]);
  });

  it('a session that only the record cache still holds is merged (as Kafka Streams 4.4.0 does)', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const { input, out } = run<string>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
          .reduce((a, v) => a + v, Materialized.with(Serdes.String(), Serdes.String()))
          .toStream()
          .to('out', Produced.with(serde, Serdes.String())),
      serde,
      Serdes.String(),
    );
    input.pipeInput('k', 'a', 100);
    input.pipeInput('k', 'b', 120);
    // [100,100] is past the store's retention (gap 10) at stream time 120, but still in the record cache, and
    // Kafka Streams' caching session store finds it: c merges all three, and the merged session [100,120] is not
    // closed (120 >= 120 - 10), so d merges too. No tombstone for [100,100]: the store no longer had it.
    // Output of Kafka Streams 4.4.0's TopologyTestDriver for this input.
    input.pipeInput('k', 'c', 110);
    input.pipeInput('k', 'd', 98);
    expect(readWindowed(out, true)).toEqual([
      'k@[100,100] -> a @100',
      'k@[120,120] -> b @120',
      'k@[120,120] -> null @120',
      'k@[100,120] -> abc @120',
      'k@[100,120] -> null @120',
      'k@[98,120] -> abcd @120',
    ]);
  });
});

describe('close boundaries of sliding and session windows', () => {
  it('sliding: a window is updated while end >= stream time − grace (closed when stream time > end + grace)', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 5);
    const { driver, input, out } = run<number>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5, 2))
          .count()
          .toStream()
          .to('out', Produced.with(serde, Serdes.Long())),
      serde,
    );
    input.pipeInput('k', 'a', 20);
    // 16: updates [15,20]; its left window [11,16] ends before 20 − 2 (dropped, counted); its right window copies [15,20]
    input.pipeInput('k', 'b', 16);
    input.pipeInput('k', 'c', 12); // 12 + 5 < 18: dropped
    expect(readWindowed(out, true)).toEqual(['k@[15,20] -> 1 @20', 'k@[15,20] -> 2 @20', 'k@[17,22] -> 1 @20']);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(2);
  });

  it('session: a record is dropped iff its merged session ends before stream time − gap − grace', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const { driver, input, out } = run<number>(
      (b) =>
        b
          .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
          .count()
          .toStream()
          .to('out', Produced.with(serde, Serdes.Long())),
      serde,
    );
    input.pipeInput('a', 'x', 20);
    input.pipeInput('b', 'x', 13); // 13 >= 20 − 7: accepted
    input.pipeInput('c', 'x', 12); // 12 < 13: dropped
    expect(readWindowed(out, true)).toEqual(['a@[20,20] -> 1 @20', 'b@[13,13] -> 1 @13']);
    expect(driver.metricsSnapshot()['dropped-records-total']).toBe(1);
  });
});
