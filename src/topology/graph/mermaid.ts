/** The topology graph as a Mermaid flowchart (renders in GitHub and GitLab markdown). */
import type { GraphNode, TopologyGraph } from './topology-graph.js';

const label = (s: string): string => `"${s.replace(/"/g, '#quot;')}"`;

function shape(id: string, n: GraphNode): string {
  switch (n.kind) {
    case 'topic':
    case 'internal-topic':
      return `${id}[/${label(n.label)}/]`;
    case 'store':
      return `${id}[(${label(n.label)})]`;
    default:
      return `${id}(${label(n.label)})`;
  }
}

export function toMermaid(graph: TopologyGraph): string {
  const ids = new Map<string, string>();
  graph.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));
  const lines = ['flowchart TB'];
  for (const st of graph.subtopologies) {
    lines.push(`  subgraph sub${st}[${label(`Sub-topology: ${st}`)}]`);
    for (const n of graph.nodes) if (n.subtopology === st) lines.push(`    ${shape(ids.get(n.id)!, n)}`);
    lines.push('  end');
  }
  for (const n of graph.nodes) if (n.subtopology === undefined) lines.push(`  ${shape(ids.get(n.id)!, n)}`);
  for (const e of graph.edges) {
    const arrow = e.kind === 'data' ? '-->' : e.kind === 'store' ? '-.-' : '-.->';
    lines.push(`  ${ids.get(e.from)} ${arrow} ${ids.get(e.to)}`);
  }
  return `${lines.join('\n')}\n`;
}
