import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImportGraph, type ImportGraph, LAYERS, listSourceFiles, nameViolations, readImportGraph, type Rules } from './import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

describe('src/ import graph (the dependency rule of src/README.md)', () => {
  it('imports only down the layers, has no folder cycles, keeps test runners off the production path, and names files in kebab-case', () => {
    const graph = readImportGraph(SRC);
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.imports.length).toBeGreaterThan(500);
    expect(checkImportGraph(graph)).toEqual([]);
  });

  it('places every top-level folder of src/ in the layers', () => {
    const folders = new Set(readImportGraph(SRC).files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/'))));
    expect([...folders].filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([]);
  });

  it('names the TypeScript files of test/, bench/ and examples/ in kebab-case too', () => {
    for (const dir of ['test', 'bench', 'examples']) {
      const files = listSourceFiles(join(SRC, '..', dir));
      expect(files.length).toBeGreaterThan(0);
      expect(nameViolations(files.map((f) => `${dir}/${f}`))).toEqual([]);
    }
  });
});

describe('the import-graph checker', () => {
  const rules: Rules = { layers: ['app', 'mid', 'base'], testSupport: [{ folder: 'app/testing', importers: ['app/cli/'] }] };
  const graph = (imports: [string, string][], extra: string[] = []): ImportGraph => ({
    files: [...new Set([...imports.flat(), ...extra])],
    imports: imports.map(([from, to]) => ({ from, to })),
  });

  it('accepts imports down the layers, within a layer, and from the entry points', () => {
    const g = graph([
      ['app/a.ts', 'mid/b.ts'],
      ['mid/b.ts', 'base/c.ts'],
      ['app/a.ts', 'base/c.ts'],
      ['mid/b.ts', 'mid/d.ts'],
      ['index.ts', 'app/a.ts'],
      ['index.ts', 'base/c.ts'],
      ['app/cli/run.ts', 'app/testing/runner.ts'],
    ]);
    expect(checkImportGraph(g, rules)).toEqual([]);
  });

  it('names a planted upward import, with the layer order', () => {
    const g = graph([
      ['app/a.ts', 'mid/b.ts'],
      ['base/c.ts', 'mid/b.ts'],
    ]);
    expect(checkImportGraph(g, rules)).toEqual(['base/c.ts imports mid/b.ts: base may not import mid, which is above it (layers: app → mid → base)']);
  });

  it('rejects imports of the entry points and folders that have no layer', () => {
    const g = graph([
      ['mid/b.ts', 'index.ts'],
      ['extra/x.ts', 'base/c.ts'],
    ]);
    expect(checkImportGraph(g, rules)).toEqual([
      'mid/b.ts imports index.ts: the entry points directly in src/ are imported by nothing inside src/',
      'extra/x.ts: folder extra/ has no place in the layers (app → mid → base); add it to LAYERS',
    ]);
  });

  it('finds a cycle between sibling folders of one layer, naming the imports that close it', () => {
    const g = graph([
      ['mid/p/a.ts', 'mid/q/b.ts'],
      ['mid/q/b.ts', 'mid/r/c.ts'],
      ['mid/r/c.ts', 'mid/p/z.ts'],
      // a folder and its own subfolders may use each other
      ['mid/s/x.ts', 'mid/s/t/y.ts'],
      ['mid/s/t/y.ts', 'mid/s/x.ts'],
    ]);
    expect(checkImportGraph(g, rules)).toEqual([
      'folders import each other in a cycle: mid/p, mid/q, mid/r (mid/p/a.ts → mid/q/b.ts; mid/q/b.ts → mid/r/c.ts; mid/r/c.ts → mid/p/z.ts)',
    ]);
  });

  it('keeps test-runner code off the production path', () => {
    const g = graph([
      ['app/planner/script.ts', 'app/testing/runner.ts'],
      ['app/testing/compare.ts', 'app/testing/runner.ts'],
    ]);
    expect(checkImportGraph(g, rules)).toEqual([
      'app/planner/script.ts imports app/testing/runner.ts: test-runner code (app/testing/) is for app/cli/ only, not the production path',
    ]);
  });

  it('asks for kebab-case file and folder names', () => {
    const g = graph([], ['mid/okName/file.ts', 'mid/ok-name/statementAnalyzer.ts', 'mid/ok-name/window-store.test.ts', 'mid/ok-name/v2-codec.ts']);
    expect(checkImportGraph(g, rules)).toEqual([
      'mid/okName: folder name is not kebab-case',
      'mid/ok-name/statementAnalyzer.ts: file name is not kebab-case',
    ]);
  });

  describe('reading a source tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'kstream-import-graph-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };

    it('counts static, type-only, re-export and dynamic imports, resolves .js to .ts, and ignores packages', () => {
      write('index.ts', "export { a } from './app/a.js';\nexport type { Api } from 'kstream';\n");
      write('app/a.ts', "import { b } from '../mid/b.js';\nimport 'node:fs';\nexport const a = b;\n");
      write('mid/b.ts', "import type { C } from '../base/c.js';\nexport const b: C = 1;\nexport const later = () => import('../app/a.js');\n");
      write('base/c.ts', "export * from './d/index.js';\nexport type C = number;\n");
      write('base/d/index.ts', 'export const d = 1;\n');
      const g = readImportGraph(root);
      expect([...g.files].sort()).toEqual(['app/a.ts', 'base/c.ts', 'base/d/index.ts', 'index.ts', 'mid/b.ts']);
      expect(g.imports.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual([
        'app/a.ts -> mid/b.ts',
        'base/c.ts -> base/d/index.ts',
        'index.ts -> app/a.ts',
        'index.ts -> index.ts',
        'mid/b.ts -> app/a.ts',
        'mid/b.ts -> base/c.ts',
      ]);
      expect(checkImportGraph(g, rules)).toEqual([
        'mid/b.ts imports app/a.ts: mid may not import app, which is above it (layers: app → mid → base)',
        'folders import each other in a cycle: app, mid (app/a.ts → mid/b.ts; mid/b.ts → app/a.ts)',
      ]);
    });
  });
});
