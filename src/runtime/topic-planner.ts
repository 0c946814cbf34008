import type { LogAdmin, TopicSpec } from '../log/types.js';
import type { Topology } from '../topology/topology.js';
import { TopologyError } from '../topology/topology.js';
import { changelogTopicName } from './stream-task.js';

export class MissingTopicError extends Error {
  override readonly name = 'MissingTopicError';
}

/** Physical topic names and partition counts of a topology on one log. */
export interface TopicPlan {
  /** Tasks (= partitions) per sub-topology id. */
  readonly taskCounts: ReadonlyMap<number, number>;
  /** Physical source topic → sub-topology id. */
  readonly sourceTopics: ReadonlyMap<string, number>;
  /** Every topic with a known partition count (sources, sinks, internal topics). */
  readonly partitions: Map<string, number>;
  /** Internal topics to create (repartition and changelog). */
  readonly internalTopics: readonly TopicSpec[];
  /** Sub-topology id → the changelog topics of its logged stores. */
  readonly changelogTopics: ReadonlyMap<number, readonly string[]>;
  /** Sink topics that do not exist yet and will be created. */
  readonly missingSinkTopics: readonly TopicSpec[];
}

export function physicalTopicName(topology: Topology, applicationId: string, logical: string): string {
  return topology.internalTopics.has(logical) ? `${applicationId}-${logical}` : logical;
}

/**
 * Works out partition counts as Kafka Streams does: a sub-topology has as many tasks as its
 * largest source topic; a repartition topic gets the task count of the sub-topology that writes
 * it (unless fixed); co-partitioned topics must agree; changelogs follow their store's tasks.
 */
export async function planTopics(topology: Topology, admin: LogAdmin, applicationId: string): Promise<TopicPlan> {
  const phys = (t: string) => physicalTopicName(topology, applicationId, t);
  const subtopologies = topology.subtopologies();
  const external = new Set<string>();
  for (const st of subtopologies) for (const t of st.sourceTopics) if (!topology.internalTopics.has(t)) external.add(t);
  const sinkTopics = new Set<string>();
  for (const node of topology.nodes.values()) {
    if (node.kind === 'sink' && typeof node.topic === 'string' && !topology.internalTopics.has(node.topic)) sinkTopics.add(node.topic);
  }
  const described = await admin.describeTopics([...new Set([...external, ...sinkTopics])]);
  const missing = [...external].filter((t) => !described.has(t));
  if (missing.length > 0) {
    throw new MissingTopicError(
      `source topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} ` +
        `do${missing.length > 1 ? '' : 'es'} not exist; create ${missing.length > 1 ? 'them' : 'it'} first (kstream topics create <name> --partitions N)`,
    );
  }
  const partitions = new Map<string, number>();
  for (const [name, d] of described) partitions.set(name, d.partitions);

  // Which sub-topology writes each internal topic.
  const writerOf = new Map<string, number>();
  const subtopologyOf = new Map<string, number>();
  for (const st of subtopologies) {
    for (const n of st.nodes) {
      subtopologyOf.set(n, st.id);
      const node = topology.node(n);
      if (node.kind === 'sink' && typeof node.topic === 'string' && topology.internalTopics.has(node.topic)) writerOf.set(node.topic, st.id);
    }
  }
  const logicalCount = new Map<string, number>();
  for (const t of external) logicalCount.set(t, partitions.get(t)!);
  const resolving = new Set<number>();
  const taskCount = (id: number): number => {
    if (resolving.has(id)) throw new TopologyError(`sub-topology ${id} reads its own output through a repartition topic`);
    resolving.add(id);
    let max = 0;
    for (const t of subtopologies[id]!.sourceTopics) max = Math.max(max, topicCount(t));
    resolving.delete(id);
    return max;
  };
  const topicCount = (t: string): number => {
    const known = logicalCount.get(t);
    if (known !== undefined) return known;
    const def = topology.internalTopics.get(t);
    let n = def?.partitions;
    if (n === undefined) {
      const writer = writerOf.get(t);
      if (writer === undefined) throw new TopologyError(`no processor writes internal topic '${t}'`);
      n = taskCount(writer);
    }
    logicalCount.set(t, n);
    return n;
  };

  // Co-partitioned groups (join inputs) must agree; repartition topics in a group follow the others.
  for (const group of topology.copartitionGroups) {
    const externalCounts = group.filter((t) => external.has(t)).map((t) => [t, logicalCount.get(t)!] as const);
    const counts = new Set(externalCounts.map(([, n]) => n));
    if (counts.size > 1) {
      const list = [...externalCounts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, n]) => `${t}=${n}`);
      throw new TopologyError(`Invalid topology: Topics not co-partitioned: [{${list.join(', ')}}]`);
    }
    const target = externalCounts.length > 0 ? externalCounts[0]![1] : Math.max(...group.map((t) => topicCount(t)));
    for (const t of group) {
      if (external.has(t)) continue;
      const fixed = topology.internalTopics.get(t)?.partitions;
      if (fixed !== undefined && fixed !== target) {
        throw new TopologyError(`Invalid topology: repartition topic '${t}' has ${fixed} partitions but must be co-partitioned with ${target}`);
      }
      logicalCount.set(t, target);
    }
  }

  const taskCounts = new Map<number, number>();
  const sourceTopics = new Map<string, number>();
  for (const st of subtopologies) {
    taskCounts.set(st.id, taskCount(st.id));
    for (const t of st.sourceTopics) sourceTopics.set(phys(t), st.id);
  }
  const internalTopics: TopicSpec[] = [];
  for (const [t] of topology.internalTopics) {
    const n = topicCount(t);
    partitions.set(phys(t), n);
    internalTopics.push({ name: phys(t), partitions: n, config: { 'cleanup.policy': 'delete' } });
  }
  const changelogTopics = new Map<number, string[]>();
  for (const st of subtopologies) {
    for (const storeName of st.stores) {
      const b = topology.storeBuilders.get(storeName)!;
      if (!b.loggingEnabled) continue;
      const name = changelogTopicName(applicationId, storeName);
      (changelogTopics.get(st.id) ?? changelogTopics.set(st.id, []).get(st.id)!).push(name);
      partitions.set(name, taskCounts.get(st.id)!);
      internalTopics.push({ name, partitions: taskCounts.get(st.id)!, config: { ...b.changelogConfig } });
    }
  }
  const missingSinkTopics: TopicSpec[] = [];
  for (const t of sinkTopics) {
    if (described.has(t)) continue;
    const writers = new Set<number>();
    for (const node of topology.nodes.values()) if (node.kind === 'sink' && node.topic === t) writers.add(subtopologyOf.get(node.name)!);
    const n = Math.max(...[...writers].map((id) => taskCounts.get(id)!));
    partitions.set(t, n);
    missingSinkTopics.push({ name: t, partitions: n });
  }
  return { taskCounts, sourceTopics, partitions, internalTopics, changelogTopics, missingSinkTopics };
}
