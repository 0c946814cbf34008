import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner } from '../topology/nodes.js';
import type { StreamsBuilder } from './streams-builder.js';
import type { Topology } from '../topology/topology.js';
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
  // Kafka Streams decides at build time whether the filter keeps null keys (a left/outer join
  // downstream relaxes it): the flag can still change until the topology runs.
  const flag = { keepNullKeys: options.keepNullKeys ?? false };
  nullKeyFlagsOf(t).set(filter, flag);
  t.addProcessor(filter, () => new FilterProcessor<unknown, unknown>((k) => flag.keepNullKeys || (k !== null && k !== undefined), false), parent);
  t.addSink(sink, topic, { keySerde, valueSerde, partitioner: options.partitioner }, filter);
  t.addInternalTopic({ name: topic, kind: 'repartition', partitions: options.partitions });
  t.addSource(source, topic, { keySerde, valueSerde });
  return source;
}

const nullKeyFlags = new WeakMap<Topology, Map<string, { keepNullKeys: boolean }>>();

function nullKeyFlagsOf(topology: Topology): Map<string, { keepNullKeys: boolean }> {
  let m = nullKeyFlags.get(topology);
  if (m === undefined) nullKeyFlags.set(topology, (m = new Map()));
  return m;
}

/**
 * Makes every repartition filter upstream of `nodes` keep null keys (Kafka Streams'
 * NodesWithRelaxedNullKeyJoinDownstream: a left/outer join downstream relaxes them). Walks parents,
 * and from a repartition source to the sinks that write its topic.
 */
export function relaxNullKeyFilters(topology: Topology, nodes: readonly string[]): void {
  const flags = nullKeyFlagsOf(topology);
  const seen = new Set<string>();
  const stack = [...nodes];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const flag = flags.get(name);
    if (flag !== undefined) flag.keepNullKeys = true;
    const node = topology.node(name);
    if (node.kind !== 'source') {
      stack.push(...node.parents);
      continue;
    }
    for (const topic of node.topics) {
      if (!topology.internalTopics.has(topic)) continue;
      for (const other of topology.nodes.values()) if (other.kind === 'sink' && other.topic === topic) stack.push(other.name);
    }
  }
}
