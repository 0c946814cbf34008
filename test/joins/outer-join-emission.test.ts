import { describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from 'kstream';

/**
 * Issue 9: when an outer join's scan of the shared outer store may stop early. The expected output is what
 * Kafka Streams 4.4.0's TopologyTestDriver printed for this input (run through test/differential's Java
 * driver, topology `ss-outer`): the unmatched b9, a1 and c7 come out when a0@169000 arrives, before b0+a0.
 */
const INPUT: Array<[topic: 'left' | 'right', key: string, value: string, timestamp: number]> = [
  ['left', 'k1', 'b3', 155000],
  ['left', 'k2', 'b9', 156000],
  ['right', 'k0', 'a1', 157000],
  ['right', 'k0', 'c7', 157000],
  ['right', 'k1', 'b0', 161000],
  ['left', 'k1', 'b0', 164000],
  ['right', 'k1', 'a0', 169000],
  ['right', 'k1', 'a4', 172000],
];

/** Per input record, the records Kafka Streams 4.4.0 emitted: [key, value, timestamp]. */
const KAFKA_STREAMS_OUTPUT: Array<Array<[string, string, number]>> = [
  [],
  [],
  [],
  [],
  [],
  [
    ['k1', 'b3+null', 155000],
    ['k1', 'b0+b0', 164000],
  ],
  [
    ['k2', 'b9+null', 156000],
    ['k0', 'null+a1', 157000],
    ['k0', 'null+c7', 157000],
    ['k1', 'b0+a0', 169000],
  ],
  [],
];

describe('stream-stream outer join: emission of unmatched records (issue 9)', () => {
  it('emits what Kafka Streams 4.4 emits, record by record', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(Serdes.String(), Serdes.String()));
    const right = builder.stream('right', Consumed.with(Serdes.String(), Serdes.String()));
    left
      .outerJoin(right, (l: string | null, r: string | null) => `${l}+${r}`, JoinWindows.ofTimeDifferenceAndGrace(5000, 3000))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'issue-9' }, 0);
    const inputs = {
      left: driver.createInputTopic('left', Serdes.String(), Serdes.String()),
      right: driver.createInputTopic('right', Serdes.String(), Serdes.String()),
    };
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    const got = INPUT.map(([topic, key, value, timestamp]) => {
      inputs[topic].pipeInput(key, value, timestamp);
      return out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
    });
    driver.close();
    expect(got).toEqual(KAFKA_STREAMS_OUTPUT);
  });
});
