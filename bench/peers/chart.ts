// An SVG bar chart of the peers benchmark: input records per second of kstream and Kafka Streams
// for every topology and guarantee (one group of bars each), written by hand (no dependency).
import type { ThroughputRow } from './results.js';

const COLORS: Record<string, string> = { kstream: '#2f6fb0', 'kafka-streams': '#d9822b' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(rows: readonly ThroughputRow[]): string {
  const groups = new Map<string, ThroughputRow[]>();
  for (const r of rows) {
    const key = `${r.topology} · ${r.guarantee}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(r);
  }
  const max = Math.max(1, ...rows.map((r) => r.recordsPerSec));
  const bar = 18;
  const labelW = 230;
  const plotW = 420;
  const width = labelW + plotW + 120;
  let y = 50;
  const parts: string[] = [];
  for (const [label, g] of groups) {
    parts.push(`<text x="${labelW - 8}" y="${y + (g.length * (bar + 4)) / 2 + 4}" text-anchor="end">${esc(label)}</text>`);
    for (const r of g) {
      const w = Math.max(1, Math.round((r.recordsPerSec / max) * plotW));
      parts.push(`<rect x="${labelW}" y="${y}" width="${w}" height="${bar}" fill="${COLORS[r.system] ?? '#888'}"/>`);
      parts.push(`<text x="${labelW + w + 6}" y="${y + bar - 5}">${Math.round(r.recordsPerSec).toLocaleString('en-US')}/s</text>`);
      y += bar + 4;
    }
    y += 14;
  }
  const legend = Object.entries(COLORS)
    .map(([name, color], i) => `<rect x="${labelW + i * 150}" y="18" width="14" height="14" fill="${color}"/><text x="${labelW + i * 150 + 20}" y="30">${name}</text>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="12">`,
    `<text x="8" y="30" font-weight="bold">input records/s (higher is better)</text>`,
    legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
