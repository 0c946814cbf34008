import type { Topology } from './topology.js';
import type { NodeDef } from './nodes.js';
import { JavaTreeSet, javaCompareStrings, javaHashOrder } from './java-order.js';
import { type TopologyGraph, topologyGraph } from './graph/topology-graph.js';
import { toDot } from './graph/dot.js';
import { toMermaid } from './graph/mermaid.js';
import { toSvg } from './graph/svg.js';

export interface NodeDescription {
  readonly type: 'source' | 'processor' | 'sink';
  readonly name: string;
  /** Source: topics read; sink: topic written (or "<dynamic>"). */
  readonly topics: readonly string[];
  readonly stores: readonly string[];
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  toString(): string;
  /** The same topology as a graph of nodes, topics and stores (what the pictures below draw). */
  graph(): TopologyGraph;
  /** Graphviz DOT. */
  toDot(): string;
  /** A Mermaid flowchart. */
  toMermaid(): string;
  /** A standalone SVG picture (laid out with dagre). */
  toSvg(): string;
}

function nodeDescription(node: NodeDef): NodeDescription {
  switch (node.kind) {
    case 'source':
      return { type: 'source', name: node.name, topics: node.topics, stores: [], predecessors: [], successors: node.children };
    case 'processor':
      return { type: 'processor', name: node.name, topics: [], stores: node.stores, predecessors: node.parents, successors: node.children };
    case 'sink':
      return {
        type: 'sink',
        name: node.name,
        topics: [typeof node.topic === 'string' ? node.topic : `extractor class: ${node.topic.name || 'anonymous'}`],
        stores: [],
        predecessors: node.parents,
        successors: [],
      };
  }
}

interface DescribedNode {
  readonly def: NodeDef;
  size: number;
  readonly predecessors: JavaTreeSet<DescribedNode>;
  readonly successors: JavaTreeSet<DescribedNode>;
}

function compareNodes(a: DescribedNode, b: DescribedNode): number {
  if (a === b) return 0;
  if (a.size !== b.size) return b.size - a.size;
  return javaCompareStrings(a.def.name, b.def.name);
}

/** Orders one sub-topology's nodes and their arrow lists exactly as Kafka Streams prints them. */
function describeNodes(topology: Topology, nodeNames: readonly string[]): NodeDescription[] {
  const byName = new Map<string, DescribedNode>();
  const order = javaHashOrder(nodeNames);
  for (const name of order) {
    byName.set(name, {
      def: topology.node(name),
      size: 1,
      predecessors: new JavaTreeSet(compareNodes),
      successors: new JavaTreeSet(compareNodes),
    });
  }
  const addSize = (n: DescribedNode, delta: number): void => {
    n.size += delta;
    for (const p of n.predecessors.toArray()) addSize(p, delta);
  };
  for (const name of order) {
    const node = byName.get(name)!;
    const parents = node.def.kind === 'source' ? [] : node.def.parents;
    for (const parentName of parents) {
      const parent = byName.get(parentName)!;
      node.predecessors.add(parent);
      parent.successors.add(node);
      addSize(parent, node.size);
    }
  }
  const all = new JavaTreeSet(compareNodes);
  for (const name of order) all.add(byName.get(name)!);
  return all.toArray().map((n) => {
    const d = nodeDescription(n.def);
    return {
      ...d,
      topics: d.type === 'source' ? javaHashOrder(d.topics) : d.topics,
      stores: javaHashOrder(d.stores),
      predecessors: n.predecessors.toArray().map((p) => p.def.name),
      successors: n.successors.toArray().map((c) => c.def.name),
    };
  });
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

function nodeText(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name} (topics: [${n.topics.join(', ')}])\n      --> ${list(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${n.stores.join(', ')}])\n      --> ${list(n.successors)}\n      <-- ${list(n.predecessors)}`;
    case 'sink': {
      const target = n.topics[0]!.startsWith('extractor class: ') ? n.topics[0] : `topic: ${n.topics[0]}`;
      return `Sink: ${n.name} (${target})\n      <-- ${list(n.predecessors)}`;
    }
  }
}

export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies = topology.subtopologies().map((st) => ({ id: st.id, nodes: describeNodes(topology, st.nodes) }));
  const changelogs = new Map<string, string>();
  for (const [name, b] of topology.storeBuilders) if (b.loggingEnabled) changelogs.set(name, `${name}-changelog`);
  const graph = (): TopologyGraph => topologyGraph({ subtopologies }, { internalTopics: new Set(topology.internalTopics.keys()), changelogs });
  return {
    subtopologies,
    graph,
    toDot: () => toDot(graph()),
    toMermaid: () => toMermaid(graph()),
    toSvg: () => toSvg(graph()),
    toString(): string {
      // Kafka Streams' exact layout: a space after the first newline, two before each header.
      let out = 'Topologies:\n ';
      for (const st of subtopologies) {
        out += `  Sub-topology: ${st.id}\n`;
        for (const n of st.nodes) out += `    ${nodeText(n)}\n`;
        out += '\n';
      }
      return out;
    },
  };
}
