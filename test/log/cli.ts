import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WORDCOUNT = `${ROOT}examples/wordcount/wordcount.ts`;
const CLI = `${ROOT}bin/kstream.js`;

export function requireBuild(): void {
  if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the kstream CLI to completion; killed (and failing the caller's checks) after `timeoutMs`.
 * Asynchronous, so that a long run does not block the test worker.
 */
export function kstream(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<CliResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** The CLI stopped with one error line (and nothing like a stack trace) that matches `pattern`. */
export function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('kstream: '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(/^kstream: error: /);
  expect(errors[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

/** Word counts of lines the way the wordcount example splits them. */
export function countWords(lines: readonly string[], into = new Map<string, number>()): Map<string, number> {
  for (const t of lines) for (const w of t.toLowerCase().split(/\W+/)) if (w) into.set(w, (into.get(w) ?? 0) + 1);
  return into;
}

/** The last count per word in `consume --print-key --value-format long` output. */
export function lastCounts(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [word, count] = line.split('\t');
    out.set(word!, Number(count));
  }
  return out;
}
