import { describe, expect, it } from 'vitest';
import { Materialized, Serdes, StreamsBuilder } from '../../src/index.js';
import { StreamsMetadataState, defaultPartition } from '../../src/runtime/streams-metadata.js';

function keycount() {
  const builder = new StreamsBuilder();
  builder.stream<string, string>('in').groupByKey().count(Materialized.as<string, number>('key-counts'));
  return builder.build();
}

const source = (active: Record<string, string[]>, standby: Record<string, string[]>) => ({
  tasksByHost: () => new Map(Object.entries(active)),
  standbyTasksByHost: () => new Map(Object.entries(standby)),
  taskCount: () => 2,
  physicalTopic: (t: string) => t,
});

describe('streams metadata with standby replicas', () => {
  it('reports each host\'s standby stores and partitions, and the standby hosts of a key', () => {
    const state = new StreamsMetadataState(keycount(), source({ 'a:1': ['0_0'], 'b:2': ['0_1'] }, { 'a:1': ['0_1'], 'b:2': ['0_0'] }));
    const clients = state.allClients();
    expect(clients.map((c) => [c.hostInfo.toString(), [...c.stateStoreNames], c.topicPartitions, [...c.standbyStateStoreNames], c.standbyTopicPartitions])).toEqual([
      ['a:1', ['key-counts'], [{ topic: 'in', partition: 0 }], ['key-counts'], [{ topic: 'in', partition: 1 }]],
      ['b:2', ['key-counts'], [{ topic: 'in', partition: 1 }], ['key-counts'], [{ topic: 'in', partition: 0 }]],
    ]);
    const key = 'some-key';
    const partition = defaultPartition(Serdes.String().serialize(key)!, 2);
    const meta = state.keyQueryMetadata('key-counts', key, Serdes.String())!;
    expect(meta.partition).toBe(partition);
    expect(meta.activeHost.toString()).toBe(partition === 0 ? 'a:1' : 'b:2');
    expect(meta.standbyHosts.map(String)).toEqual([partition === 0 ? 'b:2' : 'a:1']);
  });

  it('lists a host that holds only standbys; a key whose active host is unknown is not available', () => {
    const state = new StreamsMetadataState(keycount(), source({}, { 'c:3': ['0_0', '0_1'] }));
    const [c] = state.allClients();
    expect(c!.hostInfo.toString()).toBe('c:3');
    expect([...c!.stateStoreNames]).toEqual([]);
    expect(c!.standbyTopicPartitions.length).toBe(2);
    const meta = state.keyQueryMetadata('key-counts', 'x', Serdes.String())!;
    expect(meta.partition).toBe(-1);
    expect(meta.activeHost.toString()).toBe('unavailable:-1');
  });
});
