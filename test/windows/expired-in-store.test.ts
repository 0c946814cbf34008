/**
 * A record for a window the store no longer holds is dropped like a record for a closed window.
 * After a failover under at_least_once, records reprocessed from the committed offsets can be older
 * than the restored store's retention while the processor's own stream time is older still; here the
 * store's stream time is moved ahead by writing to it directly (as a restore would), and the record
 * must not start the window's count afresh (the chaos test's at_least_once windowed check).
 */
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, TopologyTestDriver, WindowedSerdes, type Windowed } from 'kstream';
import { quiet } from './helpers.js';

describe('a windowed count when the store is ahead of the processor', () => {
  it('drops a record for a window the store dropped, keeping the window\'s last count', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count(Materialized.as('counts'))
      .toStream()
      .to('out', Produced.with(serde, Serdes.Long()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'expired', ...quiet, 'statestore.cache.max.bytes': 0 });
    try {
      const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
      const out = driver.createOutputTopic<Windowed<string>, number>('out', serde, Serdes.Long());
      input.pipeInput('k', 'a', 3);
      input.pipeInput('k', 'b', 4);
      // The store observes a window far ahead (retention 15 ms: window [0,10) is gone from it).
      driver.getWindowStore<string, number>('counts')!.put('other', 1, 100);
      input.pipeInput('k', 'c', 5);
      const counts = out.readRecordsToList().map((r) => `${r.key!.key}@${r.key!.window.start}=${r.value}`);
      expect(counts).toEqual(['k@0=1', 'k@0=2']);
    } finally {
      driver.close();
    }
  });
});
