import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;

/**
 * Runs `kstream <args> | <reader>` in bash; returns the reader's stdout, kstream's stderr and exit
 * code. `sleep 1` before reading makes the pipe fill up while kstream still has output to write.
 */
function piped(args: string, reader: string) {
  const errFile = join(dir, 'stderr.txt');
  const exitFile = join(dir, 'exit.txt');
  const script = `"${process.execPath}" "${CLI}" ${args} 2>"${errFile}" | ${reader}; echo "\${PIPESTATUS[0]}" >"${exitFile}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { out: r.stdout.trimEnd(), exit: Number(readFileSync(exitFile, 'utf8')), stderr: readFileSync(errFile, 'utf8') };
}

let dir: string;
let cleanup: () => void;

describe('output through a pipe', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-pipe-')));
  afterEach(() => cleanup());

  it('consume prints every record to a slow reader, and stops quietly when the reader goes away', () => {
    const d = `--data-dir "${dir}"`;
    const produced = spawnSync('bash', ['-c', `seq 1 25000 | "${process.execPath}" "${CLI}" produce lines ${d}`], { encoding: 'utf8', timeout: 60_000 });
    expect(produced.stderr).toContain('wrote 25000 records');

    const slow = piped(`consume lines --from-beginning --timeout-ms 300 ${d}`, '(sleep 1; wc -l)');
    expect(slow.stderr).toBe('kstream: processed a total of 25000 messages\n');
    expect(Number(slow.out.trim())).toBe(25000);
    expect(slow.exit).toBe(0);

    const all = piped(`consume lines --from-beginning --timeout-ms 300 ${d}`, '(sleep 1; cat)');
    expect(all.out.split('\n')).toEqual(Array.from({ length: 25000 }, (_, i) => String(i + 1)));

    const head = piped(`consume lines --from-beginning --timeout-ms 300 ${d}`, 'head -1');
    expect(head.out).toBe('1');
    // No stack trace, no EPIPE message; the exit code says the output was cut (as for SIGPIPE).
    expect(head.stderr).toMatch(/^kstream: processed a total of \d+ messages\n$/);
    expect(head.exit).toBe(141);
  });

  it.runIf(existsSync('/dev/full'))('a failing stdout (a full disk) is one error line and exit 1, not exit 0', () => {
    const d = `--data-dir "${dir}"`;
    spawnSync('bash', ['-c', `echo x | "${process.execPath}" "${CLI}" produce t ${d}`], { timeout: 60_000 });
    for (const args of ['topics list', 'consume t --from-beginning --timeout-ms 100']) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${args} ${d} >/dev/full`], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr.split('\n').filter((l) => l.startsWith('kstream: error'))).toEqual(['kstream: error: cannot write the output: ENOSPC: no space left on device, write']);
      expect(r.status, args).toBe(1);
    }
  });

  it('test prints all of a large output to a slow reader, and stops quietly when the reader goes away', () => {
    const sql = join(dir, 'big.sql');
    writeFileSync(
      sql,
      "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\n" +
        'CREATE STREAM T AS SELECT ID, UCASE(V) AS U FROM S;\n',
    );
    const input = join(dir, 'in.json');
    const n = 20_000;
    writeFileSync(input, JSON.stringify({ inputs: Array.from({ length: n }, (_, i) => ({ topic: 's', key: i, value: { V: `v${i}` }, timestamp: i })) }));

    const slow = piped(`test -s "${sql}" -i "${input}"`, '(sleep 1; cat)');
    expect(slow.stderr).toBe('');
    expect(slow.exit).toBe(0);
    const printed = JSON.parse(slow.out) as { outputs: Array<{ topic: string; key: number; value: { U: string } }> };
    expect(printed.outputs).toHaveLength(n);
    expect(printed.outputs[n - 1]).toEqual({ topic: 'T', key: n - 1, value: { U: `V${n - 1}` }, timestamp: n - 1 });

    const head = piped(`test -s "${sql}" -i "${input}"`, 'head -1');
    expect(head.out).toBe('{');
    expect(head.stderr).toBe('');
    expect(head.exit).toBe(141);
  });
});
