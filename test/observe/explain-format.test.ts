import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wordcount from '../../examples/wordcount/wordcount.js';
import { kstream } from '../sql/cli-helpers.js';
import { tempDir } from '../helpers/embedded.js';

const WORDCOUNT_TS = 'examples/wordcount/wordcount.ts';

describe('kstream explain --format and topology.describe() pictures', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => cleanup?.());

  it('writes the same SVG as topology.describe().toSvg(), with every node, topic and store', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const out = join(t.dir, 'wordcount.svg');
    const r = await kstream(['explain', WORDCOUNT_TS, '--format', 'svg', '--output', out]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain(`wrote the topology (svg) to ${out}`);
    const svg = readFileSync(out, 'utf8');
    const description = wordcount().describe();
    expect(svg).toBe(description.toSvg());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const ids = [...svg.matchAll(/<g class="node (\S+)" data-id="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(ids.sort()).toEqual(
      [
        ...description.subtopologies.flatMap((st) => st.nodes.map((n) => `${n.type} ${n.name}`)),
        'store store:counts-store',
        'topic topic:streams-plaintext-input',
        'topic topic:streams-wordcount-output',
        'internal-topic topic:counts-store-repartition',
        'internal-topic topic:counts-store-changelog',
      ].sort(),
    );
    expect(svg.match(/<g class="subtopology"/g)).toHaveLength(2);
  });

  it('prints DOT and Mermaid of a SQL file\'s combined topology', async () => {
    const dot = await kstream(['explain', 'examples/wordcount/wordcount.sql', '--format', 'dot']);
    expect(dot.code).toBe(0);
    expect(dot.stdout.startsWith('digraph topology {\n')).toBe(true);
    expect(dot.stdout).toContain('subgraph cluster_0 {');
    expect(dot.stdout).toContain('"topic:streams-plaintext-input" -> "KSTREAM-SOURCE-0000000000";');
    const mermaid = await kstream(['explain', 'examples/wordcount/wordcount.sql', '--format', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart TB\n  subgraph sub0["Sub-topology: 0"]\n')).toBe(true);
    expect(mermaid.stdout).toMatch(/n\d+\[\/"streams-plaintext-input"\/\]/);
  });

  it('draws a TypeScript topology as DOT exactly as describe().toDot()', async () => {
    const r = await kstream(['explain', WORDCOUNT_TS, '--format', 'dot']);
    expect(r.stdout).toBe(wordcount().describe().toDot());
    expect(r.stdout).toContain('"KSTREAM-AGGREGATE-0000000003" -> "store:counts-store" [style=dotted, arrowhead=none];');
  });

  it('refuses an unknown format and --output without a picture format in one line', async () => {
    const bad = await kstream(['explain', WORDCOUNT_TS, '--format', 'png']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("kstream: error: --format: expected text, svg, dot, mermaid; got 'png'\n");
    const noFormat = await kstream(['explain', 'examples/wordcount/wordcount.sql', '--output', '/tmp/x.svg']);
    expect(noFormat.code).toBe(1);
    expect(noFormat.stderr).toBe('kstream: error: --output needs --format svg, dot or mermaid\n');
  });
});
