/**
 * `kstream run --typecheck`: `run` executes TypeScript without checking its types (tsx strips
 * them); this runs the TypeScript compiler on the topology file first, with the tsconfig.json that
 * applies to it if there is one, and stops with one line per error.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { UserError } from './errors.js';

type TypeScript = typeof TS;

/** The user's own compiler (their project's version) if it has one, else the one next to kstream. */
async function loadTypeScript(file: string): Promise<TypeScript> {
  for (const from of [join(dirname(file), 'noop.js'), import.meta.url]) {
    let path: string;
    try {
      path = createRequire(from).resolve('typescript');
    } catch {
      continue;
    }
    const mod = (await import(pathToFileURL(path).href)) as TypeScript & { default?: TypeScript };
    return mod.default ?? mod;
  }
  throw new UserError('--typecheck needs the TypeScript compiler: npm install --save-dev typescript');
}

/** Without a tsconfig.json: strict, modules resolved as tsx resolves them. */
function defaultOptions(ts: TypeScript): TS.CompilerOptions {
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    esModuleInterop: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
  };
}

function compilerOptions(ts: TypeScript, file: string): TS.CompilerOptions {
  const configPath = ts.findConfigFile(dirname(file), (f) => ts.sys.fileExists(f));
  if (configPath === undefined) return defaultOptions(ts);
  const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (read.error !== undefined) throw new UserError(`${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath);
  const bad = parsed.errors.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (bad !== undefined) throw new UserError(`${configPath}: ${ts.flattenDiagnosticMessageText(bad.messageText, ' ')}`);
  return parsed.options;
}

/** `file:line:col: error TS2322: message` (relative to the working directory), one line. */
function formatDiagnostic(ts: TypeScript, d: TS.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ');
  if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(process.cwd(), d.file.fileName)}:${line + 1}:${character + 1}: error TS${d.code}: ${message}`;
}

/**
 * Type-checks a TypeScript topology (and what it imports). Prints each error on stderr as one
 * line and throws a UserError with their count; returns quietly when there is none.
 */
export async function typecheckTopology(file: string): Promise<void> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`no such file: ${file}`);
  if (!/\.[cm]?ts$/.test(path)) throw new UserError(`--typecheck checks TypeScript topologies; ${file} is not a .ts file`);
  const ts = await loadTypeScript(path);
  const options = { ...compilerOptions(ts, path), noEmit: true };
  const program = ts.createProgram({ rootNames: [path], options });
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return;
  for (const d of errors) process.stderr.write(`${formatDiagnostic(ts, d)}\n`);
  throw new UserError(`${file}: ${errors.length} type error${errors.length === 1 ? '' : 's'}; not running it`);
}
