/**
 * The topology as a picture's graph: Kafka Streams' nodes (sources, processors, sinks) grouped by
 * sub-topology, plus the topics they read and write and the state stores they use (with their
 * changelog topics). Every renderer (dot, mermaid, svg) draws this one graph.
 */
import type { TopologyDescription } from '../describe.js';

export type GraphNodeKind = 'source' | 'processor' | 'sink' | 'topic' | 'internal-topic' | 'store';

export interface GraphNode {
  /** Unique among the graph's nodes: the processor's name, `topic:<name>` or `store:<name>`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
  /** The sub-topology of a processor node or of a store used by one sub-topology. */
  readonly subtopology?: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** `data`: records flow; `store`: a processor uses a store; `changelog`: a store's changelog topic. */
  readonly kind: 'data' | 'store' | 'changelog';
}

export interface TopologyGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly subtopologies: readonly number[];
}

export interface GraphOptions {
  /** Logical names of internal (repartition) topics. */
  readonly internalTopics?: ReadonlySet<string>;
  /** Stores with a changelog, mapped to its topic name. */
  readonly changelogs?: ReadonlyMap<string, string>;
}

export function topologyGraph(description: Pick<TopologyDescription, 'subtopologies'>, options: GraphOptions = {}): TopologyGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (n: GraphNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  };
  const topic = (name: string): string => {
    const id = `topic:${name}`;
    const internal = options.internalTopics?.has(name) === true || name.endsWith('-repartition');
    add({ id, kind: internal ? 'internal-topic' : 'topic', label: name });
    return id;
  };
  const storeUsers = new Map<string, Set<number>>();
  for (const st of description.subtopologies) {
    for (const n of st.nodes) {
      add({ id: n.name, kind: n.type, label: n.name, subtopology: st.id });
      if (n.type === 'source') for (const t of n.topics) edges.push({ from: topic(t), to: n.name, kind: 'data' });
      if (n.type === 'sink' && !n.topics[0]!.startsWith('extractor class: ')) edges.push({ from: n.name, to: topic(n.topics[0]!), kind: 'data' });
      for (const s of n.stores) {
        let users = storeUsers.get(s);
        if (users === undefined) storeUsers.set(s, (users = new Set()));
        users.add(st.id);
        edges.push({ from: n.name, to: `store:${s}`, kind: 'store' });
      }
      for (const succ of n.successors) edges.push({ from: n.name, to: succ, kind: 'data' });
    }
  }
  for (const [s, users] of storeUsers) {
    add({ id: `store:${s}`, kind: 'store', label: s, ...(users.size === 1 ? { subtopology: [...users][0]! } : {}) });
    const changelog = options.changelogs?.get(s);
    if (changelog !== undefined) {
      const id = `topic:${changelog}`;
      add({ id, kind: 'internal-topic', label: changelog });
      edges.push({ from: `store:${s}`, to: id, kind: 'changelog' });
    }
  }
  return { nodes: [...nodes.values()], edges, subtopologies: description.subtopologies.map((s) => s.id) };
}
