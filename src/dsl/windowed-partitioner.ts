import type { Windowed } from '../common/windowed.js';
import { partitionForKey } from '../log/murmur2.js';
import type { Serde } from '../serde/serde.js';
import { isWindowedSerde } from '../serde/windowed-serdes.js';
import type { StreamPartitioner } from '../topology/nodes.js';

/**
 * The partitioner of sinks writing windowed keys (Kafka Streams' WindowedStreamPartitioner): murmur2
 * of the inner key bytes, so every window of a key lands in the key's partition. Undefined for other serdes.
 */
export function windowedPartitioner(keySerde: Serde<any> | undefined): StreamPartitioner<any, any> | undefined {
  if (!isWindowedSerde(keySerde)) return undefined;
  const serde = keySerde;
  return (topic, key, _value, numPartitions) => {
    if (key === null || key === undefined) return undefined;
    const inner = serde.innerKeyBytes(key as Windowed<unknown>, topic);
    return inner === null ? undefined : partitionForKey(inner, numPartitions);
  };
}
