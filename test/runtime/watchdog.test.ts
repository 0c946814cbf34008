import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Serdes } from 'kstream';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

// `kstream run` of a topology whose mapper never returns on the value 'poison' (fixtures/stuck-mapper.ts).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;
const TOPOLOGY = `${ROOT}test/runtime/fixtures/stuck-mapper.ts`;
const MARKER = 'state/stuck-app/0_0/timed-out-record.json';
// Generous bounds: the machine running the tests may be loaded (startup alone can take seconds).
const RUN_BOUND_MS = 90_000;

interface Run {
  readonly child: ChildProcess;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) f();
});

function start(dataDir: string, extra: string[] = [], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, 'run', TOPOLOGY, '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KSTREAM_LOG_LEVEL: 'warn', ...env },
  });
  children.push(child);
  const run: Run = {
    child,
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr!.on('data', (d) => (run.stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_BOUND_MS);
  void run.exited.then(() => clearTimeout(timer));
  return run;
}

async function finish(run: Run): Promise<{ code: number | null; stderr: string }> {
  const { code } = await run.exited;
  return { code, stderr: run.stderr };
}

function fresh(): string {
  const { dir, cleanup } = tempDir('kstream-watchdog-');
  cleanups.push(cleanup);
  return dir;
}

function configFile(dir: string, settings: Record<string, unknown>): string {
  const path = join(dir, `config-${Object.keys(settings).join('-')}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

const lines = (values: string[]) => values.map((value, i) => ({ key: null, value, timestamp: i }));
const output = async (dir: string) => (await readAll(dir, 'stuck-output', Serdes.String(), Serdes.String())).map((r) => r.value);

async function waitFor(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the watchdog of TypeScript user code', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });

  it('names a record stuck past record.processing.timeout.ms and stops; reruns stop before it (fail) or send it to the DLQ (log-and-continue)', async () => {
    const dir = fresh();
    await produce(dir, 'stuck-input', lines(['a', 'b', 'poison', 'c', 'd']));
    const timeout = configFile(dir, { 'record.processing.timeout.ms': 1500 });

    const first = await finish(start(dir, ['--until-idle', '--config', timeout]));
    expect(first.code, first.stderr).toBe(1);
    const errors = first.stderr.split('\n').filter(Boolean);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^kstream: error: task 0_0 is stuck on record stuck-input-0@2 \(\d+\.\d s, record\.processing\.timeout\.ms=1500\); stopped the application, nothing past the last commit is committed; a rerun sends it to stuck-app-dlq$/,
    );
    // a and b were processed in the batch that got stuck: nothing of it was committed.
    expect(await output(dir)).toEqual([]);
    expect(existsSync(join(dir, MARKER))).toBe(true);

    // Under fail, the rerun stops before the record instead of hanging on it again.
    const failing = configFile(dir, { 'record.processing.timeout.ms': 1500, 'processing.exception.handler': 'fail' });
    const second = await finish(start(dir, ['--until-idle', '--config', failing]));
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/^kstream: error: processor '.*' failed on record stuck-input-0@2: processing took longer than record\.processing\.timeout\.ms=1500 .*\(processing\.exception\.handler=fail\)\n$/);

    // Under log-and-continue (the default), the rerun sends it to the dead-letter topic and goes on.
    const third = await finish(start(dir, ['--until-idle', '--config', timeout]));
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toContain('kstream: processed 4 records; all input consumed and committed');
    expect(await output(dir)).toEqual(['A', 'B', 'C', 'D']);
    const dlq = await readAll(dir, 'stuck-app-dlq', Serdes.String(), Serdes.String());
    expect(dlq.map((r) => r.value)).toEqual(['poison']);
    expect(dlq[0]!.headers.get('__streams.errors.exception')).toBe('RecordTimeoutError');
    expect(dlq[0]!.headers.get('__streams.errors.topic')).toBe('stuck-input');
    expect(dlq[0]!.headers.get('__streams.errors.offset')).toBe('2');
    // Committed past it: the record is forgotten, and a new run has nothing to do.
    expect(existsSync(join(dir, MARKER))).toBe(false);
    const fourth = await finish(start(dir, ['--until-idle', '--config', timeout]));
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(fourth.stderr).toContain('processed 0 records');
  }, 300_000);

  it('SIGTERM ends a run stuck in user code within seconds, naming the record; nothing past the last commit is committed', async () => {
    const dir = fresh();
    await produce(dir, 'stuck-input', lines(['a', 'b']));
    const run = start(dir); // the default timeout (5 min) is far away
    await waitFor(async () => (await output(dir)).length === 2, 'the first records to be committed');
    await produce(dir, 'stuck-input', lines(['poison', 'c']));
    // Give it time to fetch the poison record and get stuck on it.
    await new Promise((r) => setTimeout(r, 3000));
    expect(run.child.exitCode).toBe(null);
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const { code, stderr } = await finish(run);
    const tookMs = Date.now() - signalled;
    expect(code, stderr).toBe(143);
    expect(tookMs).toBeLessThan(15_000); // 5 s of grace for the application to stop by itself, then it is ended
    expect(stderr).toMatch(/^kstream: error: task 0_0 is stuck on record stuck-input-0@2 \(\d+\.\d s\) and cannot stop; ended it, nothing past the last commit is committed\n$/);
    expect(await output(dir)).toEqual(['A', 'B']);
    // No process is left behind: the application's lock is free, so a rerun starts (and, with a
    // timeout, the watchdog stops it on the record, after which the DLQ rerun is exact).
    const timeout = configFile(dir, { 'record.processing.timeout.ms': 1000 });
    const rerun = await finish(start(dir, ['--until-idle', '--config', timeout]));
    expect(rerun.code, rerun.stderr).toBe(1);
    expect(rerun.stderr).toContain('is stuck on record stuck-input-0@2');
    const last = await finish(start(dir, ['--until-idle', '--config', timeout]));
    expect(last.code, last.stderr).toBe(0);
    expect(await output(dir)).toEqual(['A', 'B', 'C']);
  }, 300_000);

  it('Ctrl-C during --until-idle: the run says it stopped early, exits non-zero, and the rerun finishes exactly', async () => {
    const dir = fresh();
    const values = Array.from({ length: 3000 }, (_, i) => `r${i}`);
    await produce(dir, 'stuck-input', lines(values));
    // 3 ms per record: 9 s of work, in batches that block the main thread for seconds.
    const run = start(dir, ['--until-idle'], { STUCK_SLOW_MS: '3' });
    await waitFor(async () => (await output(dir)).length > 0, 'some output to be committed');
    run.child.kill('SIGINT');
    const { code, stderr } = await finish(run);
    expect(code, stderr).toBe(130);
    const m = /^kstream: stopped by SIGINT before all input was consumed; processed (\d+) records, all committed; run again to go on\n$/.exec(stderr);
    expect(m, stderr).not.toBeNull();
    const processed = Number(m![1]);
    expect(processed).toBeGreaterThan(0);
    expect(processed).toBeLessThan(values.length);
    // Stopped cleanly after its current record: what it reports processed is exactly what was committed.
    expect(await output(dir)).toEqual(values.slice(0, processed).map((v) => v.toUpperCase()));

    const rerun = await finish(start(dir, ['--until-idle']));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`processed ${values.length - processed} records; all input consumed and committed`);
    expect(await output(dir)).toEqual(values.map((v) => v.toUpperCase()));
  }, 300_000);
});
