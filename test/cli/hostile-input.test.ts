/**
 * Input the CLI must not take silently: text that is not UTF-8, setting names nobody knows,
 * topologies with type errors (with --typecheck), test records for topics no statement declares.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;
const WORDCOUNT = `${ROOT}examples/wordcount/wordcount.ts`;

/** Children still running when a test ends (it failed or timed out) are killed before its temp dir goes. */
const running = new Set<ChildProcess>();

/** Runs the CLI (asynchronously: the type checker takes a while on a loaded machine). */
function kstream(args: string[], input?: string | Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('the CLI refuses what it would otherwise take silently', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-hostile-')));
  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    while (running.size > 0) await new Promise((r) => setTimeout(r, 20));
    cleanup();
  });

  it('produce rejects a line that is not UTF-8, naming it, and keeps the bytes of valid lines as they are', async () => {
    const d = ['--data-dir', dir];
    const bad = Buffer.concat([Buffer.from('a:first\r\nb:caf'), Buffer.from([0xe9]), Buffer.from('\nc:never\n')]);
    const r = await kstream(['produce', 'words', '--key-separator', ':', ...d], bad);
    expect(r.stderr).toBe('kstream: error: standard input line 2 is not valid UTF-8; wrote the 1 record before it to words, nothing from that line on\n');
    expect(r.code).toBe(1);
    const consumed = await kstream(['consume', 'words', '--from-beginning', '--print-key', '--timeout-ms', '200', ...d]);
    expect(consumed.stdout).toBe('a\tfirst\n');

    // Multi-byte UTF-8, CRLF line ends and a last line without a newline arrive unchanged.
    const good = await kstream(['produce', 'words', '--key-separator', ':', ...d], 'k:h\u00e9llo \u{1F600}\r\nno separator');
    expect(good.stderr).toBe('kstream: wrote 2 records to words\n');
    const hex = await kstream(['consume', 'words', '--from-beginning', '--print-key', '--value-format', 'hex', '--timeout-ms', '200', ...d]);
    expect(hex.stdout.trim().split('\n').slice(1)).toEqual([`k\t${Buffer.from('h\u00e9llo \u{1F600}').toString('hex')}`, `null\t${Buffer.from('no separator').toString('hex')}`]);
  });

  it('run warns once about each setting it does not know, not about Kafka client settings or prefixes', async () => {
    const d = ['--data-dir', dir];
    await kstream(['produce', 'streams-plaintext-input', ...d], 'a b a\n');
    const props = join(dir, 'app.properties');
    writeFileSync(
      props,
      ['comit.interval.ms=50', 'max.poll.records=10', 'consumer.fetch.min.bytes=1', 'ksql.streams.x=1', 'ssl.truststore.location=/nowhere', 'num.stream.threads=1', 'totally.made.up=x'].join('\n'),
    );
    const r = await kstream(['run', WORDCOUNT, '--until-idle', '--config', props, ...d]);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('WARN'));
    expect(warnings).toEqual([
      "[kstream] WARN The configuration 'comit.interval.ms' was supplied but isn't a known config.",
      "[kstream] WARN The configuration 'totally.made.up' was supplied but isn't a known config.",
    ]);
  });

  it('run --typecheck reports type errors as file:line:col lines and does not run the topology', async () => {
    const file = join(dir, 'broken.ts');
    writeFileSync(file, "// a topology with a type error\nconst count: number = 'many';\nexport default count;\n");
    // Without --typecheck the types are not checked: the module loads (and is then no Topology).
    const unchecked = await kstream(['run', file, '--data-dir', dir]);
    expect(unchecked.stderr).toBe(`kstream: error: ${file}: the default export must be a Topology or a function returning one (did you call builder.build()?)\n`);
    const checked = await kstream(['run', file, '--typecheck', '--data-dir', dir]);
    const lines = checked.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/broken\.ts:2:7: error TS2322: Type 'string' is not assignable to type 'number'\.$/);
    expect(lines[1]).toBe(`kstream: error: ${file}: 1 type error; not running it`);
    expect(checked.code).toBe(1);
  }, 120_000);

  it("run --typecheck uses the topology's tsconfig.json, and runs a topology that type-checks", async () => {
    const project = join(dir, 'loose');
    mkdirSync(project);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false, noImplicitAny: false } }));
    const file = join(project, 'implicit.ts');
    writeFileSync(file, 'export default function build(settings) {\n  return settings;\n}\n');
    const loose = await kstream(['run', file, '--typecheck', '--data-dir', dir]);
    // No TS7006 (implicit any) under this tsconfig: it loads, and fails only for not being a Topology.
    expect(loose.stderr).toBe(`kstream: error: ${file}: the default export must be a Topology or a function returning one (did you call builder.build()?)\n`);
    writeFileSync(join(dir, 'strict.ts'), 'export default function build(settings) {\n  return settings;\n}\n');
    const strict = await kstream(['run', join(dir, 'strict.ts'), '--typecheck', '--data-dir', dir]);
    expect(strict.stderr).toContain("strict.ts:1:31: error TS7006: Parameter 'settings' implicitly has an 'any' type.");

    await kstream(['produce', 'streams-plaintext-input', '--data-dir', dir], 'x y x\n');
    const ok = await kstream(['run', WORDCOUNT, '--typecheck', '--until-idle', '--data-dir', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/kstream: processed \d+ records; all input consumed and committed/);
    const counts = await kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '200', '--data-dir', dir]);
    expect(Object.fromEntries(counts.stdout.trim().split('\n').map((l) => l.split('\t')))).toEqual({ x: '2', y: '1' });
  }, 240_000); // type-checks the repository's sources too (tsconfig paths), on a loaded machine

  it('test fails on input records for a topic that no statement declares, as ksql-test-runner does', async () => {
    const sql = join(dir, 's.sql');
    writeFileSync(sql, "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\nCREATE STREAM T AS SELECT ID, V FROM S;\n");
    const input = join(dir, 'in.json');
    writeFileSync(input, JSON.stringify({ inputs: [{ topic: 's', key: 1, value: { V: 'a' } }, { topic: 'typo', key: 2, value: { V: 'b' } }] }));
    const printed = await kstream(['test', '-s', sql, '-i', input]);
    expect(printed.stderr).toBe(`kstream: error: ${input}: No information found for topic: typo (no statement declares it)\n`);
    expect(printed.stdout).toBe('');
    expect(printed.code).toBe(1);

    const expected = join(dir, 'out.json');
    writeFileSync(expected, JSON.stringify({ outputs: [{ topic: 'T', key: 1, value: { V: 'a' } }] }));
    const compared = await kstream(['test', '-s', sql, '-i', input, '-o', expected]);
    expect(compared.stdout).toBe('\t>>>>> Test failed: No information found for topic: typo\n');
    expect(compared.code).toBe(1);
  });
});
