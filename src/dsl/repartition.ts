import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner } from '../topology/nodes.js';
import type { StreamsBuilder } from './streams-builder.js';
import { FilterProcessor } from './processors/stateless.js';

const GENERATED = /^KSTREAM.*-[0-9]{10}$/;

/**
 * Inserts a repartition topic after `parent` (filter → sink → topic → source), named as Kafka
 * Streams names it, and returns the name of the new source node.
 */
export function repartitionThrough(
  builder: StreamsBuilder,
  parent: string,
  prefix: string,
  keySerde: Serde<any>,
  valueSerde: Serde<any>,
  options: { partitions?: number; partitioner?: StreamPartitioner<any, any>; keepNullKeys?: boolean },
): string {
  const topic = prefix.endsWith('-repartition') ? prefix : `${prefix}-repartition`;
  const genSink = builder.newProcessorName('KSTREAM-SINK-');
  const genFilter = builder.newProcessorName('KSTREAM-FILTER-');
  const genSource = builder.newProcessorName('KSTREAM-SOURCE-');
  const generated = GENERATED.test(prefix);
  const sink = generated ? genSink : `${topic}-sink`;
  const filter = generated ? genFilter : `${topic}-filter`;
  const source = generated ? genSource : `${topic}-source`;
  const t = builder.topology;
  const keepNullKeys = options.keepNullKeys ?? false;
  t.addProcessor(filter, () => new FilterProcessor<unknown, unknown>((k) => keepNullKeys || (k !== null && k !== undefined), false), parent);
  t.addSink(sink, topic, { keySerde, valueSerde, partitioner: options.partitioner }, filter);
  t.addInternalTopic({ name: topic, kind: 'repartition', partitions: options.partitions });
  t.addSource(source, topic, { keySerde, valueSerde });
  return source;
}
