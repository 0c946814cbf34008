import { describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver } from 'kstream';
import wordcount from '../../examples/wordcount/wordcount.js';

const KS_WORDCOUNT_DESCRIBE = `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
      --> KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> counts-store-repartition-filter
      <-- KSTREAM-FLATMAPVALUES-0000000001
    Processor: counts-store-repartition-filter (stores: [])
      --> counts-store-repartition-sink
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: counts-store-repartition-sink (topic: counts-store-repartition)
      <-- counts-store-repartition-filter

  Sub-topology: 1
    Source: counts-store-repartition-source (topics: [counts-store-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])
      --> KTABLE-TOSTREAM-0000000007
      <-- counts-store-repartition-source
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)
      <-- KTABLE-TOSTREAM-0000000007

`;

describe('wordcount example', () => {
  it('describes itself exactly as Kafka Streams describes WordCountDemo', () => {
    expect(wordcount().describe().toString()).toBe(KS_WORDCOUNT_DESCRIBE);
  });

  it('counts the words of the seed demo', () => {
    const driver = new TopologyTestDriver(wordcount(), { 'application.id': 'wc' });
    const input = driver.createInputTopic('streams-plaintext-input', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('streams-wordcount-output', Serdes.String(), Serdes.Long());
    input.pipeValue('all streams lead to kafka', 1);
    input.pipeValue('hello kafka streams', 2);
    input.pipeValue('join kafka summit', 3);
    expect(output.readKeyValuesToList()).toEqual([
      ['all', 1],
      ['streams', 1],
      ['lead', 1],
      ['to', 1],
      ['kafka', 1],
      ['hello', 1],
      ['kafka', 2],
      ['streams', 2],
      ['join', 1],
      ['kafka', 3],
      ['summit', 1],
    ]);
    expect(driver.getKeyValueStore<string, number>('counts-store')!.get('kafka')).toBe(3);
    expect([...driver.producedTopicNames()].sort()).toEqual(['streams-wordcount-output', 'wc-counts-store-changelog', 'wc-counts-store-repartition']);
    driver.close();
  });
});
