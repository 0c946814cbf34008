import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTimedOutRecord, timedOutRecordPath } from '../../src/runtime/timed-out-record.js';
import { tempDir } from '../helpers/embedded.js';

const CHILD = fileURLToPath(new URL('./fixtures/watchdog-child.ts', import.meta.url));
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) f();
});

function run(mode: string, stateDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const ready = new Promise<void>((resolve) => child.stdout!.on('data', () => stdout.includes('ready') && resolve()));
  return { child, exited, ready };
}

const warnings: string[] = [];
const logger = { error: () => {}, warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {} };

describe('the watchdog thread', () => {
  it('ends a process stuck on one record with a line naming it, and remembers the record', async () => {
    const { dir, cleanup } = tempDir('kstream-wd-');
    cleanups.push(cleanup);
    const started = Date.now();
    const r = await run('stuck', dir).exited;
    expect(r.signal, r.stderr).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stderr).toMatch(
      /^kstream: error: task 1_3 is stuck on record orders-3@42 \(1\.\d s, record\.processing\.timeout\.ms=1000\); stopped the application, nothing past the last commit is committed; a rerun sends it to wd-dlq\n$/,
    );
    const remembered = readTimedOutRecord(timedOutRecordPath(dir, 'wd', '1_3'), logger);
    expect(remembered).toMatchObject({ topic: 'orders', partition: 3, offset: 42, timeoutMs: 1000 });
    expect(remembered!.stuckMs).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('does not take a suspended process (SIGSTOP for longer than the timeout) for a stuck one', async () => {
    const { dir, cleanup } = tempDir('kstream-wd-');
    cleanups.push(cleanup);
    const p = run('suspend', dir);
    await p.ready;
    // Past its calibration, in the middle of a record.
    await new Promise((r) => setTimeout(r, 1200));
    p.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 3000));
    p.child.kill('SIGCONT');
    const r = await p.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ready\ndone\n');
    expect(r.stderr).toBe('');
  }, 60_000);

  it('ignores a damaged or foreign timed-out-record file, with a warning', () => {
    const { dir, cleanup } = tempDir('kstream-wd-');
    cleanups.push(cleanup);
    const path = timedOutRecordPath(dir, 'wd', '0_0');
    mkdirSync(dirname(path), { recursive: true });
    expect(readTimedOutRecord(path, logger)).toBeNull();
    for (const text of ['{"topic":"t","partition":0,"off', '{"topic":"t","partition":-1,"offset":1,"timeoutMs":1,"stuckMs":1,"at":"x"}', 'x'.repeat(10_000)]) {
      warnings.length = 0;
      writeFileSync(path, text);
      expect(readTimedOutRecord(path, logger)).toBeNull();
      expect(warnings).toEqual([`${path} is damaged (not a timed-out record); ignoring it`]);
    }
    writeFileSync(join(dirname(path), 'timed-out-record.json'), '{"topic":"t","partition":0,"offset":7,"timeoutMs":1,"stuckMs":2,"at":"x"}');
    expect(readTimedOutRecord(path, logger)).toEqual({ topic: 't', partition: 0, offset: 7, timeoutMs: 1, stuckMs: 2, at: 'x' });
  });
});
