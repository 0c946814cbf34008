// Issue 15 on the embedded log, through `kstream run`: a restore never holds the worker hostage.
// One task of the keycount app restores a big changelog (its state dir wiped); the other task's
// output keeps arriving meanwhile; one SIGTERM stops the worker within seconds (exit 0) with the
// store checkpointed where the restore got to, and the next run restores only the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { openLog } from '../../src/log/open-log.js';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;
const APP_FILE = `${ROOT}test/kafka/fixtures/keycount-app.ts`;
const APP = 'restore-signal';
const INPUT = `${APP}-input`;
const OUTPUT = `${APP}-output`;
const CHANGELOG = `${APP}-key-counts-changelog`;
const ENV = { KSTREAM_TEST_APP_ID: APP, KSTREAM_TEST_INPUT: INPUT, KSTREAM_TEST_OUTPUT: OUTPUT, KSTREAM_LOG_LEVEL: 'info' };
/** Changelog records of task 0_0 to restore: enough for a restore of several seconds (~160k records/s on a quiet machine). */
const BIG = Number(process.env.KSTREAM_RESTORE_TEST_RECORDS ?? 2_000_000);

/** A key as the app's default serde writes it (msgpack: a short string is one byte 0xa0 | length, then UTF-8). */
function keyBytes(key: string): Buffer {
  return Buffer.concat([Buffer.from([0xa0 | key.length]), Buffer.from(key)]);
}

function kstream(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, ...ENV }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A running `kstream run` with its output (stderr) collected. */
function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...ENV } });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('a restore on the embedded log, through kstream run', () => {
  let dir: string;
  let cleanup: () => void;
  const running: ChildProcess[] = [];
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
    ({ dir, cleanup } = tempDir('kstream-restore-signal-'));
  });
  afterAll(() => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    cleanup();
  });

  it('lets the other task run during a long restore, stops on one SIGTERM within seconds, and the next run restores only the rest', async () => {
    const d = ['--data-dir', dir];
    // Both tasks count a little, so the changelog topic exists; then task 0_0's changelog grows big.
    let log = await openLog({ dataDir: dir });
    await log.admin().createTopics([{ name: INPUT, partitions: 2 }]);
    await log.append([0, 1].map((p) => ({ topic: INPUT, partition: p, key: `seed${p}`, value: 'x', timestamp: 1 })));
    await log.close();
    const first = kstream(['run', APP_FILE, '--until-idle', ...d]);
    expect(first.code, first.stderr).toBe(0);
    log = await openLog({ dataDir: dir });
    const [seed] = await log.reader().read(CHANGELOG, 0, 0, 1);
    expect(seed?.key).toEqual(keyBytes('seed0'));
    for (let b = 0; b < BIG; b += 10_000) {
      const batch = [];
      for (let i = b; i < Math.min(BIG, b + 10_000); i++) batch.push({ topic: CHANGELOG, partition: 0, key: keyBytes(`r${i}`), value: seed!.value, timestamp: 1 });
      await log.append(batch);
    }
    const end = (await log.admin().endOffsets(CHANGELOG))[0]!;
    expect(end).toBeGreaterThan(BIG);
    // Input for task 0_1, waiting when the worker starts: its output must come while 0_0 restores.
    await log.append(['during1', 'during2'].map((key) => ({ topic: INPUT, partition: 1, key, value: 'x', timestamp: 2 })));
    await log.close();
    // The worker's stores are gone (a new machine): task 0_0 restores from offset 0.
    rmSync(join(dir, 'state'), { recursive: true, force: true });

    const worker = start(['run', APP_FILE, ...d]);
    running.push(worker.child);
    // Task 0_1 processes and commits while 0_0 restores.
    const seen = () => kstream(['consume', OUTPUT, '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '0', ...d]).stdout;
    const outputHas = async (key: Buffer) => {
      const reading = await openLog({ dataDir: dir });
      try {
        const reader = reading.reader();
        for (let p = 0; p < 2; p++) if ((await reader.read(OUTPUT, p, 0, 100_000)).some((r) => r.key?.equals(key))) return true;
        return false;
      } finally {
        await reading.close();
      }
    };
    const deadline = Date.now() + 60_000;
    // The output's keys are plain strings (Produced.with(Serdes.String(), ...)).
    while (!(await outputHas(Buffer.from('during2')))) {
      if (Date.now() > deadline) throw new Error(`no output of task 0_1 during the restore; worker output:\n${worker.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(worker.output()).not.toMatch(/restored \d+ records into store key-counts of task 0_0/);

    const seenAt = /offset (\d+) of \d+ \(\d+%\)\n(?![\s\S]*offset \d+ of)/.exec(worker.output())?.[1];
    console.log(`task 0_1's output arrived while task 0_0 had restored up to offset ${seenAt}`);
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const stopMs = Date.now() - signalled;
    const stopped = /stopped restoring store key-counts of task 0_0 at changelog offset (\d+) of (\d+)/.exec(worker.output());
    console.log(`SIGTERM during the restore: exit ${code} after ${stopMs} ms; ${stopped?.[0]}`);
    expect(code, worker.output().slice(-3000)).toBe(0);
    // About 1 s on a quiet machine; generous for a loaded one (without the change the worker restores to the end first).
    expect(stopMs).toBeLessThan(20_000);
    expect(stopped, worker.output().slice(-3000)).not.toBeNull();
    const reached = Number(stopped![1]);
    expect(Number(stopped![2])).toBe(end);
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(end);

    // The next run goes on from the checkpoint: only the rest is read.
    const again = kstream(['run', APP_FILE, '--until-idle', ...d]);
    expect(again.code, again.stderr).toBe(0);
    const restored = /restored (\d+) records into store key-counts of task 0_0 in \d+ ms \(changelog offsets (\d+) to (\d+)\)/.exec(again.stderr);
    expect(restored, again.stderr.slice(-3000)).not.toBeNull();
    expect([Number(restored![1]), Number(restored![2]), Number(restored![3])]).toEqual([end - reached, reached, end]);
    // And the counts went on from the restored state.
    const more = kstream(['produce', INPUT, '--partition', '0', '--key-separator', ':', ...d], 'r7:x\nseed0:x\n');
    expect(more.code, more.stderr).toBe(0);
    const last = kstream(['run', APP_FILE, '--until-idle', ...d]);
    expect(last.code, last.stderr).toBe(0);
    const counts = new Map(seen().trim().split('\n').map((l) => l.split('\t') as [string, string]));
    expect([counts.get('seed0'), counts.get('r7'), counts.get('during1')]).toEqual(['2', '2', '1']);
  }, 600_000);
});
