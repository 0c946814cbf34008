import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;

function kstream(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kstream CLI on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-cli-')));
  afterEach(() => cleanup());

  it('runs the README wordcount: produce, run --until-idle, consume', () => {
    const d = ['--data-dir', dir];
    const produced = kstream(['produce', 'streams-plaintext-input', ...d], 'all streams lead to kafka\nhello kafka streams\njoin kafka summit\n');
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('wrote 3 records to streams-plaintext-input');
    const run = kstream(['run', `${ROOT}examples/wordcount/wordcount.ts`, '--until-idle', ...d]);
    expect(run.code, run.stderr).toBe(0);
    const out = kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '300', ...d]);
    expect(out.code).toBe(0);
    const last = new Map(out.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
    expect(Object.fromEntries(last)).toEqual({ all: '1', streams: '2', lead: '1', to: '1', kafka: '3', hello: '1', join: '1', summit: '1' });
  });

  it('produce with keys and partitions; topics list/describe/delete; consume limits', () => {
    const d = ['--data-dir', dir];
    expect(kstream(['topics', 'create', 'kv', '--partitions', '3', '--config', 'cleanup.policy=compact', ...d]).stdout).toBe('Created topic kv.\n');
    expect(kstream(['topics', 'create', 'kv', ...d]).stderr).toBe("kstream: error: topic 'kv' already exists\n");
    expect(kstream(['produce', 'kv', '--key-separator', ':', ...d], 'a:1\nb:2\na:3\nnokey\n').code).toBe(0);
    expect(kstream(['topics', 'list', ...d]).stdout).toBe('kv\n');
    const described = kstream(['topics', 'describe', 'kv', ...d]).stdout;
    expect(described).toContain('Topic: kv\tPartitionCount: 3\tConfigs: cleanup.policy=compact');
    const consumed = kstream(['consume', 'kv', '--from-beginning', '--print-key', '--timeout-ms', '200', ...d]).stdout.trim().split('\n');
    expect(consumed.sort()).toEqual(['a\t1', 'a\t3', 'b\t2', 'null\tnokey'].sort());
    // Records with the same key stay in order in one partition.
    expect(consumed.filter((l) => l.startsWith('a\t'))).toEqual(['a\t1', 'a\t3']);
    expect(kstream(['consume', 'kv', '--from-beginning', '--max-messages', '2', ...d]).stdout.trim().split('\n')).toHaveLength(2);
    expect(kstream(['topics', 'delete', 'kv', ...d]).code).toBe(0);
    expect(kstream(['topics', 'list', ...d]).stdout).toBe('');
  });

  it('prints one-line errors with a non-zero exit, never a stack trace', () => {
    const d = ['--data-dir', dir];
    const missing = kstream(['run', `${ROOT}examples/wordcount/wordcount.ts`, '--until-idle', ...d]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "kstream: error: source topic 'streams-plaintext-input' does not exist; create it first (kstream topics create <name> --partitions N)\n",
    );
    expect(kstream(['run', 'nope.ts', ...d]).stderr).toBe('kstream: error: no such file: nope.ts\n');
    expect(kstream(['consume', 'nope', ...d]).stderr).toBe("kstream: error: topic 'nope' does not exist\n");
    expect(kstream(['produce', 'x', '--partitions', 'zero', ...d]).stderr).toContain("--partitions must be a positive whole number, got 'zero'");
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, '{ nope');
    expect(kstream(['run', `${ROOT}examples/wordcount/wordcount.ts`, '--config', badConfig, ...d]).stderr).toMatch(/^kstream: error: .*bad\.json: invalid JSON config/);
    const notATopology = join(dir, 'empty.ts');
    writeFileSync(notATopology, 'export default 42;\n');
    expect(kstream(['run', notATopology, ...d]).stderr).toBe(
      `kstream: error: ${notATopology}: the default export must be a Topology or a function returning one (did you call builder.build()?)\n`,
    );
  });

  it('every command has --help', () => {
    for (const cmd of [['run'], ['produce'], ['consume'], ['topics'], ['topics', 'create'], ['local', 'kafka', 'start']]) {
      const r = kstream([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: kstream /);
    }
  });

  it('SIGTERM commits and stops a running application cleanly', async () => {
    const d = ['--data-dir', dir];
    kstream(['produce', 'streams-plaintext-input', ...d], 'a b\nb c\n');
    const child = spawn(process.execPath, [CLI, 'run', `${ROOT}examples/wordcount/wordcount.ts`, ...d], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (x) => (stderr += x));
    // Wait until it has processed the input (its output appears), then stop it.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const out = kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--timeout-ms', '0', ...d]);
      if (out.stdout.split('\n').filter(Boolean).length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(0);
    const groups = kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '0', ...d]);
    expect(Object.fromEntries(groups.stdout.trim().split('\n').map((l) => l.split('\t')))).toEqual({ a: '1', b: '2', c: '1' });
    // Input offsets were committed: a rerun has nothing to do.
    const rerun = kstream(['run', `${ROOT}examples/wordcount/wordcount.ts`, '--until-idle', ...d]);
    expect(rerun.stderr).toContain('processed 0 records');
  });
});
