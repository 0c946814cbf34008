import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Topology } from '../topology/topology.js';
import { UserError } from './errors.js';

export interface LoadedTopology {
  readonly topology: Topology;
  /** The module's named `config` export, if any. */
  readonly config: Record<string, unknown>;
}

async function importModule(path: string, typescript: boolean): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (!typescript) return (await import(url)) as Record<string, unknown>;
  // tsImport loads the file (and what it imports) through tsx whatever the package type is.
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/**
 * A TypeScript file in a CommonJS package (no "type": "module") is compiled to CommonJS: it arrives
 * as { default: module.exports, ...named exports Node detected }, so its own default export is
 * `default.default`. Unwrap it (an ES module's default export is never a non-Topology object
 * with a `default` of its own that we could use).
 */
function unwrapCommonJs(mod: Record<string, unknown>): Record<string, unknown> {
  const d = mod.default;
  if (typeof d === 'object' && d !== null && !isTopology(d) && 'default' in d) return d as Record<string, unknown>;
  return mod;
}

/**
 * Loads a topology module: its default export is a Topology or a function (possibly async)
 * returning one; it is called with the resolved config. TypeScript files run directly.
 */
export async function loadTopology(file: string, config: Record<string, unknown>): Promise<LoadedTopology> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`no such file: ${file}`);
  const ext = extname(path);
  if (!['.ts', '.mts', '.js', '.mjs', '.cjs', '.cts'].includes(ext)) {
    throw new UserError(`${file}: expected a .ts or .js topology module (or a .sql file)`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = unwrapCommonJs(await importModule(path, ext === '.ts' || ext === '.mts' || ext === '.cts'));
  } catch (e) {
    throw new UserError(`${file}: cannot load module: ${(e as Error).message.split('\n')[0]}`);
  }
  const moduleConfig = typeof mod.config === 'object' && mod.config !== null ? (mod.config as Record<string, unknown>) : {};
  let exported = mod.default;
  if (typeof exported === 'function' && !(exported instanceof Topology)) {
    exported = await (exported as (c: Record<string, unknown>) => unknown)({ ...moduleConfig, ...config });
  }
  if (!isTopology(exported)) {
    throw new UserError(`${file}: the default export must be a Topology or a function returning one (did you call builder.build()?)`);
  }
  return { topology: exported, config: moduleConfig };
}

function isTopology(x: unknown): x is Topology {
  // A module may import another copy of kstream: accept anything shaped like a Topology.
  return x instanceof Topology || (typeof x === 'object' && x !== null && typeof (x as Topology).subtopologies === 'function' && (x as Topology).nodes instanceof Map);
}
