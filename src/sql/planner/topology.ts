/**
 * Topologies of persistent queries:
 * - one query alone (`buildQueryTopology`): what ksqlDB runs as one Kafka Streams application and
 *   shows in EXPLAIN; operator names are ksqlDB's (`Project`, `Aggregate-GroupBy`, ...);
 * - all queries of a script together (`buildScriptTopology`): one application whose
 *   sub-topologies are the queries; operator, store and internal topic names are prefixed with the
 *   query id (`CTAS_COUNTS_0-Aggregate-Aggregate-Materialize`), and queries reading one topic
 *   share its source node.
 */
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { Topology } from '../../topology/topology.js';
import type { OffsetReset } from '../../topology/nodes.js';
import type { PersistentQueryPlan } from '../analyzer/logical-plan.js';
import { queryLogger } from './context.js';
import { buildQuery } from './query-builder.js';
import { SourceRegistry } from './sources.js';

export interface PlannerOptions {
  /** auto.offset.reset of stream sources (tables always read from the earliest offset). */
  readonly offsetReset?: OffsetReset;
  /** Adds more to the script's builder after its queries (the HTTP listener's pull-query tables), reading topics through the queries' shared source nodes. */
  readonly extend?: (builder: StreamsBuilder, sources: SourceRegistry) => void;
}

function build(builder: StreamsBuilder, sources: SourceRegistry, plan: PersistentQueryPlan, prefix: string, options: PlannerOptions): void {
  buildQuery({
    builder,
    sources,
    plan,
    name: (op) => prefix + op,
    ...(options.offsetReset ? { offsetReset: options.offsetReset } : {}),
    log: queryLogger(plan),
  });
}

export function buildQueryTopology(plan: PersistentQueryPlan, options: PlannerOptions = {}): Topology {
  const builder = new StreamsBuilder();
  const sources = new SourceRegistry(builder);
  sources.declare(plan.sources);
  build(builder, sources, plan, '', options);
  return builder.build();
}

export function buildScriptTopology(plans: readonly PersistentQueryPlan[], options: PlannerOptions = {}): Topology {
  const builder = new StreamsBuilder();
  const sources = new SourceRegistry(builder);
  for (const p of plans) sources.declare(p.sources);
  for (const p of plans) build(builder, sources, p, `${p.queryId}-`, options);
  options.extend?.(builder, sources);
  return builder.build();
}
