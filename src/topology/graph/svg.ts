/**
 * The topology graph as a standalone SVG, laid out with dagre (layered, top to bottom;
 * sub-topologies as boxes). Each node is a `<g class="node <kind>" data-id="...">` so that a page
 * can find and highlight it.
 */
import { createRequire } from 'node:module';
import type dagreModule from '@dagrejs/dagre';
import type { GraphNode, GraphNodeKind, TopologyGraph } from './topology-graph.js';

const FONT_PX = 12;
const CHAR_PX = 7.2;
const PAD_X = 14;
const NODE_H = 30;
const MAX_LABEL = 48;

const FILL: Readonly<Record<GraphNodeKind, string>> = {
  source: '#dbeafe',
  processor: '#f1f5f9',
  sink: '#dcfce7',
  topic: '#fef3c7',
  'internal-topic': '#fde68a',
  store: '#ede9fe',
};

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const shortLabel = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);
const r1 = (n: number): string => String(Math.round(n * 10) / 10);

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function nodeShape(n: GraphNode, b: Box): string {
  const x = b.x - b.width / 2;
  const y = b.y - b.height / 2;
  const fill = FILL[n.kind];
  switch (n.kind) {
    case 'store': {
      const ry = 5;
      return (
        `<path d="M${r1(x)},${r1(y + ry)} a${r1(b.width / 2)},${ry} 0 0,0 ${r1(b.width)},0 v${r1(b.height - 2 * ry)} a${r1(b.width / 2)},${ry} 0 0,1 ${r1(-b.width)},0 z" fill="${fill}" stroke="#6d28d9"/>` +
        `<ellipse cx="${r1(b.x)}" cy="${r1(y + ry)}" rx="${r1(b.width / 2)}" ry="${ry}" fill="${fill}" stroke="#6d28d9"/>`
      );
    }
    case 'topic':
    case 'internal-topic': {
      const k = 8;
      const dash = n.kind === 'internal-topic' ? ' stroke-dasharray="4 3"' : '';
      return `<path d="M${r1(x)},${r1(y)} h${r1(b.width - k)} l${k},${r1(b.height / 2)} l${-k},${r1(b.height / 2)} h${r1(-(b.width - k))} l${k},${r1(-b.height / 2)} z" fill="${fill}" stroke="#b45309"${dash}/>`;
    }
    default:
      return `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(b.width)}" height="${r1(b.height)}" rx="6" fill="${fill}" stroke="#334155"/>`;
  }
}

/** Loaded on first use: every topology imports this module, few draw themselves. */
let dagre: typeof dagreModule | null = null;

export function toSvg(graph: TopologyGraph): string {
  dagre ??= createRequire(import.meta.url)('@dagrejs/dagre') as typeof dagreModule;
  const g = new dagre.graphlib.Graph({ compound: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const st of graph.subtopologies) g.setNode(`sub:${st}`, { label: `Sub-topology: ${st}`, paddingTop: 24 });
  for (const n of graph.nodes) {
    g.setNode(n.id, { width: shortLabel(n.label).length * CHAR_PX + 2 * PAD_X, height: NODE_H });
    if (n.subtopology !== undefined) g.setParent(n.id, `sub:${n.subtopology}`);
  }
  for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, { kind: e.kind });
  dagre.layout(g);
  const size = g.graph() as { width: number; height: number };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${r1(size.width)}" height="${r1(size.height)}" viewBox="0 0 ${r1(size.width)} ${r1(size.height)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_PX}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>',
  ];
  for (const st of graph.subtopologies) {
    const b = g.node(`sub:${st}`) as Box;
    out.push(
      `<g class="subtopology" data-id="${st}"><rect x="${r1(b.x - b.width / 2)}" y="${r1(b.y - b.height / 2)}" width="${r1(b.width)}" height="${r1(b.height)}" rx="10" fill="#f8fafc" stroke="#94a3b8" stroke-dasharray="6 4"/>` +
        `<text x="${r1(b.x - b.width / 2 + 10)}" y="${r1(b.y - b.height / 2 + 16)}" fill="#475569" font-weight="bold">Sub-topology: ${st}</text></g>`,
    );
  }
  for (const e of g.edges()) {
    const edge = g.edge(e) as { points: Array<{ x: number; y: number }>; kind: string };
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r1(p.x)},${r1(p.y)}`).join(' ');
    const style = edge.kind === 'data' ? ' marker-end="url(#arrow)"' : edge.kind === 'store' ? ' stroke-dasharray="2 3"' : ' stroke-dasharray="6 3" marker-end="url(#arrow)"';
    out.push(`<path class="edge ${edge.kind}" d="${d}" fill="none" stroke="#475569"${style}/>`);
  }
  for (const n of graph.nodes) {
    const b = g.node(n.id) as Box;
    out.push(
      `<g class="node ${n.kind}" data-id="${escape(n.id)}"><title>${escape(n.label)}</title>${nodeShape(n, b)}` +
        `<text x="${r1(b.x)}" y="${r1(b.y + 4)}" text-anchor="middle" fill="#0f172a">${escape(shortLabel(n.label))}</text></g>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
