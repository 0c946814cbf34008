/**
 * `kstream explain <file> --format svg|dot|mermaid [--output <file>]`: the topology `kstream run`
 * executes for a SQL file or a TypeScript/JavaScript topology module, drawn as
 * `topology.describe()` draws it (toSvg, toDot, toMermaid).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Topology } from '../topology/topology.js';
import { UserError } from './errors.js';

export const PICTURE_FORMATS = ['svg', 'dot', 'mermaid'] as const;
export type PictureFormat = (typeof PICTURE_FORMATS)[number];

export function pictureFormat(format: string): PictureFormat | 'text' {
  if (format === 'text' || (PICTURE_FORMATS as readonly string[]).includes(format)) return format as PictureFormat | 'text';
  throw new UserError(`--format: expected text, ${PICTURE_FORMATS.join(', ')}; got '${format}'`);
}

async function topologyOf(file: string): Promise<Topology> {
  if (!file.endsWith('.sql')) {
    const { loadTopology } = await import('./load-topology.js');
    return (await loadTopology(file, {})).topology;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read SQL file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { SqlSession } = await import('../sql/session.js');
  const { planScript } = await import('../sql/planner/script.js');
  const { buildScriptTopology } = await import('../sql/planner/topology.js');
  const script = planScript(new SqlSession().execute(text, file));
  if (script.queries.length === 0) throw new UserError(`${file}: no persistent queries (CREATE ... AS SELECT, INSERT INTO ... SELECT) to draw`);
  return buildScriptTopology(script.queries);
}

export async function writePicture(file: string, format: PictureFormat, output: string | undefined): Promise<void> {
  const description = (await topologyOf(file)).describe();
  const picture = format === 'svg' ? description.toSvg() : format === 'dot' ? description.toDot() : description.toMermaid();
  if (output === undefined) {
    process.stdout.write(picture);
    return;
  }
  try {
    writeFileSync(output, picture);
  } catch (e) {
    throw new UserError(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  process.stderr.write(`kstream: wrote the topology (${format}) to ${output}\n`);
}
