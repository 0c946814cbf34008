/**
 * The dependency rule of src/, as a check over its import graph (see src/README.md):
 * - imports go down the layers of LAYERS, never up; files directly in src/ are entry points
 *   (they may import anything, nothing imports them);
 * - no cycles between folders (within a layer, a folder and its own subfolders may use each other);
 * - test-runner code (TEST_SUPPORT) is imported only by entry points, never by the production path;
 * - file and folder names are kebab-case.
 * Imports are read with the TypeScript compiler's own pre-processor: static, type-only, re-exports
 * and dynamic `import()` all count.
 */
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';

/** Top → bottom. A file may import its own layer and the layers below it. */
export const LAYERS = [
  'cli',
  'kafka-local',
  'server',
  'sql',
  'dsl',
  'runtime',
  'topology',
  'state',
  'serde',
  'log',
  'common',
  'processor',
] as const;

/** Folders of test-runner code, and the only places (besides themselves) that may import them. */
export const TEST_SUPPORT: readonly { folder: string; importers: readonly string[] }[] = [
  { folder: 'sql/testrunner', importers: ['cli/', 'sql/api.ts'] },
];

/** One import: both paths relative to the source root, with '/' separators. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

export interface ImportGraph {
  /** Every source file (relative to the root). */
  readonly files: readonly string[];
  readonly imports: readonly ImportEdge[];
}

export interface Rules {
  readonly layers: readonly string[];
  readonly testSupport: readonly { folder: string; importers: readonly string[] }[];
}

export const RULES: Rules = { layers: LAYERS, testSupport: TEST_SUPPORT };

const SOURCE = /\.(ts|mts|tsx)$/;

function listSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listSources(path, out);
    else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is `./x.ts`), or undefined if none exists. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(js|mjs|ts|mts)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

const toPosix = (p: string): string => p.split(sep).join(posix.sep);

/** Every .ts file under `root`, relative to it. */
export function listSourceFiles(root: string): string[] {
  return listSources(root).map((f) => toPosix(relative(root, f)));
}

/**
 * Reads the import graph of every .ts file under `root`. `selfName` is the package name that, where
 * tsconfig maps it, means the root's index.ts.
 */
export function readImportGraph(root: string, selfName = 'kstream'): ImportGraph {
  const files = listSources(root);
  const imports: ImportEdge[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      let target: string | undefined;
      if (specifier === selfName) target = join(root, 'index.ts');
      else if (specifier.startsWith('.')) target = resolveSpecifier(file, specifier);
      if (target !== undefined) imports.push({ from: toPosix(relative(root, file)), to: toPosix(relative(root, target)) });
    }
  }
  return { files: files.map((f) => toPosix(relative(root, f))), imports };
}

const folderOf = (file: string): string => posix.dirname(file);
/** The layer of a file: its top folder, or '' for the entry points directly in the root. */
const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');
const isWithin = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** File and folder names that are not kebab-case (paths relative to a root, '/' separators). */
export function nameViolations(files: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    parts.forEach((part, i) => {
      const isFile = i === parts.length - 1;
      // a file name is kebab-case words with dot suffixes: window-store.test.ts
      const words = isFile ? part.split('.').slice(0, -1) : [part];
      const path = parts.slice(0, i + 1).join('/');
      if (seen.has(path) || words.every((w) => KEBAB.test(w))) return;
      seen.add(path);
      out.push(`${path}: ${isFile ? 'file' : 'folder'} name is not kebab-case`);
    });
  }
  return out;
}

function layerViolations(edges: readonly ImportEdge[], layers: readonly string[]): string[] {
  const out: string[] = [];
  const order = layers.join(' → ');
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === '' || a === b) continue;
    if (b === '') {
      out.push(`${from} imports ${to}: the entry points directly in src/ are imported by nothing inside src/`);
      continue;
    }
    const ia = layers.indexOf(a);
    const ib = layers.indexOf(b);
    if (ia < 0) out.push(`${from}: folder ${a}/ has no place in the layers (${order}); add it to LAYERS`);
    else if (ib < 0) out.push(`${to}: folder ${b}/ has no place in the layers (${order}); add it to LAYERS`);
    else if (ib < ia) out.push(`${from} imports ${to}: ${a} may not import ${b}, which is above it (layers: ${order})`);
  }
  return out;
}

function testSupportViolations(edges: readonly ImportEdge[], testSupport: Rules['testSupport']): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    for (const { folder, importers } of testSupport) {
      if (!isWithin(to, folder) || isWithin(from, folder)) continue;
      if (importers.some((p) => (p.endsWith('/') ? from.startsWith(p) : from === p))) continue;
      out.push(`${from} imports ${to}: test-runner code (${folder}/) is for ${importers.join(', ')} only, not the production path`);
    }
  }
  return out;
}

/**
 * Cycles between folders: strongly connected components of the folder graph, leaving out edges
 * between a folder and its own ancestors (a layer's top folder holds what its subfolders share).
 */
function cycleViolations(edges: readonly ImportEdge[]): string[] {
  const next = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b || isWithin(a, b) || isWithin(b, a) || a === '.' || b === '.') continue;
    if (!next.has(a)) next.set(a, new Map());
    if (!next.get(a)!.has(b)) next.get(a)!.set(b, e);
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((folders) => {
    const inside = new Set(folders);
    const examples: string[] = [];
    for (const a of folders) for (const [b, e] of next.get(a) ?? []) if (inside.has(b)) examples.push(`${e.from} → ${e.to}`);
    return `folders import each other in a cycle: ${folders.join(', ')} (${examples.join('; ')})`;
  });
}

/** Every breach of the rules, one line each naming the file and the import; empty when all hold. */
export function checkImportGraph(graph: ImportGraph, rules: Rules = RULES): string[] {
  return [
    ...layerViolations(graph.imports, rules.layers),
    ...testSupportViolations(graph.imports, rules.testSupport),
    ...cycleViolations(graph.imports),
    ...nameViolations(graph.files),
  ];
}
