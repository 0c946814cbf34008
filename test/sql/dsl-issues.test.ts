/**
 * DSL behaviour the SQL planner depends on, found while making the SQL corpus pass. Each test is
 * the minimal reproduction reported to the DSL's owners.
 */
import { describe, expect, it } from 'vitest';
import { Grouped, Materialized } from '../../src/dsl/options.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/runtime/test-driver.js';

describe('KTable.groupBy with keys holding bigints', () => {
  it('re-aggregates an update that keeps its group (keysEqual used JSON.stringify, which throws on bigint)', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', undefined, Materialized.as<string, string>('t-store'))
      .groupBy((k, v) => [[BigInt(v.length)], k], Grouped.with(Serdes.Msgpack<bigint[]>(), Serdes.String()))
      .count()
      .toStream()
      .to('out', { keySerde: Serdes.Msgpack(), valueSerde: Serdes.Long() } as never);
    const driver = new TopologyTestDriver(builder.build(), { 'statestore.cache.max.bytes': 0 });
    const input = driver.createInputTopic('t', Serdes.String(), Serdes.String());
    input.pipeInput('a', 'xx', 1);
    input.pipeInput('a', 'yy', 2);
    const out = driver.createOutputTopic('out', Serdes.Msgpack<bigint[]>(), Serdes.Long());
    expect(out.readValuesToList()).toEqual([1, 1]);
  });
});
