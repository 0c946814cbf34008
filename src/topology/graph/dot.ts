/** The topology graph in Graphviz' DOT language. */
import type { GraphNodeKind, TopologyGraph } from './topology-graph.js';

const SHAPES: Readonly<Record<GraphNodeKind, string>> = {
  source: 'shape=box, style="rounded,filled", fillcolor="#dbeafe"',
  processor: 'shape=box, style="rounded,filled", fillcolor="#f1f5f9"',
  sink: 'shape=box, style="rounded,filled", fillcolor="#dcfce7"',
  topic: 'shape=cds, style=filled, fillcolor="#fef3c7"',
  'internal-topic': 'shape=cds, style="filled,dashed", fillcolor="#fde68a"',
  store: 'shape=cylinder, style=filled, fillcolor="#ede9fe"',
};

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function toDot(graph: TopologyGraph): string {
  const lines = ['digraph topology {', '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=11];'];
  const nodeLine = (id: string, label: string, kind: GraphNodeKind) => `${quote(id)} [label=${quote(label)}, ${SHAPES[kind]}];`;
  for (const st of graph.subtopologies) {
    lines.push(`  subgraph cluster_${st} {`, `    label=${quote(`Sub-topology: ${st}`)};`, '    style="rounded,dashed";');
    for (const n of graph.nodes) if (n.subtopology === st) lines.push(`    ${nodeLine(n.id, n.label, n.kind)}`);
    lines.push('  }');
  }
  for (const n of graph.nodes) if (n.subtopology === undefined) lines.push(`  ${nodeLine(n.id, n.label, n.kind)}`);
  for (const e of graph.edges) {
    const style = e.kind === 'data' ? '' : e.kind === 'store' ? ' [style=dotted, arrowhead=none]' : ' [style=dashed]';
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${style};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
