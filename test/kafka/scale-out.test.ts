/**
 * Scale-out on the real broker: wordcount under exactly_once (per-task and per-worker producers)
 * and at_least_once as several worker processes sharing the application's consumer group.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId, withAdmin } from './helpers.js';
import { WORDCOUNT_APP, checkWordcount, committedSum, killAll, kstream, produceLines, requireBuild, waitUntil, withLog } from './processes.js';

const LINES = Number(process.env.KSTREAM_SCALE_TEST_LINES ?? 20_000);

describe(`scale-out on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-scale-'));
    // Quick failover for the tests: a dead worker's tasks move after 6 s.
    settings = join(dir, 'fast-failover.properties');
    writeFileSync(settings, 'session.timeout.ms=6000\nheartbeat.interval.ms=500\n');
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function names(prefix: string) {
    const app = uniqueId(prefix);
    return { app, input: `${app}-input`, output: `${app}-output` };
  }

  function worker(n: { app: string; input: string; output: string }, stateDir: string, extra: string[] = []) {
    return kstream(['run', WORDCOUNT_APP, '--brokers', brokers(), '--until-idle', '--state-dir', stateDir, '--config', settings, ...extra], {
      KSTREAM_TEST_APP_ID: n.app,
      KSTREAM_TEST_INPUT: n.input,
      KSTREAM_TEST_OUTPUT: n.output,
    });
  }

  it.each(['exactly_once', 'exactly_once_v2'])(`%s: two workers, one killed with SIGKILL mid-stream: the survivor restores its tasks and the counts are exact (${LINES} lines)`, async (guarantee) => {
    const n = names('scale');
    const texts = await produceLines(brokers(), n.input, LINES, 4);
    const a = worker(n, join(dir, `${n.app}-a`), ['--guarantee', guarantee]);
    const b = worker(n, join(dir, `${n.app}-b`), ['--guarantee', guarantee]);
    // Both members hold tasks once the group has two members.
    await Promise.all([a.waitFor(/generation \d+, member \w+.*: tasks \[[^\]]+\]/, 60_000), b.waitFor(/generation \d+, member \w+.*: tasks \[[^\]]+\]/, 60_000)]);
    await waitUntil(
      'both workers to hold tasks',
      () => {
        const last = (p: typeof a) => [...p.output().matchAll(/generation (\d+), member \w+.*: tasks \[([^\]]*)\]/g)].pop();
        const la = last(a);
        const lb = last(b);
        return la !== undefined && lb !== undefined && la[1] === lb[1] && la[2]!.length > 0 && lb[2]!.length > 0;
      },
      60_000,
      50,
    );
    // Kill one mid-stream: some but not all input committed, and state in every changelog partition.
    await waitUntil(
      'input and state to be committed',
      async () =>
        (await committedSum(brokers(), n.app, n.input)) > LINES / 10 &&
        (await withLog(brokers(), (log) => log.admin().endOffsets(`${n.app}-counts-store-changelog`))).every((e) => e > 0),
      60_000,
      100,
    );
    const before = await committedSum(brokers(), n.app, n.input);
    a.kill('SIGKILL');
    expect(before).toBeLessThan(LINES);
    const exitB = await b.exited;
    expect(exitB.code, b.output().slice(-4000)).toBe(0);
    // The survivor took the dead worker's tasks and rebuilt their stores from the changelog.
    expect(b.output(), `worker a:\n${a.output()}\nworker b:\n${b.output()}`).toMatch(/restored \d+ records into store counts-store of task 1_\d/);
    const check = await checkWordcount(brokers(), n.output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
    expect(await committedSum(brokers(), n.app, n.input)).toBe(LINES);
  }, 240_000);

  it('--workers 2: prefixed output, a worker killed with SIGKILL is restarted, exact counts, the group is the application id', async () => {
    const n = names('workers');
    const texts = await produceLines(brokers(), n.input, Math.floor(LINES / 2), 4, 11);
    const sup = worker(n, join(dir, `${n.app}-sup`), ['--workers', '2']);
    const started = await sup.waitFor(/\[kstream\] worker 0 started \(pid (\d+)\)/, 60_000);
    await sup.waitFor(/\[worker 0\] .*generation \d+/, 60_000);
    await waitUntil('some input to be committed', async () => (await committedSum(brokers(), n.app, n.input)) > 0, 60_000, 100);
    process.kill(Number(started[1]), 'SIGKILL');
    await sup.waitFor(/worker 0 \(pid \d+\) was killed by SIGKILL; restarting it/, 10_000);
    await sup.waitFor(/\[kstream\] worker 0 started \(pid \d+\), restart 1/, 10_000);
    const exit = await sup.exited;
    expect(exit.code, sup.output().slice(-4000)).toBe(0);
    expect(sup.output()).toMatch(/^\[worker 1\] /m);
    const check = await checkWordcount(brokers(), n.output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
    // Standard tooling sees the group under the application id, with its committed offsets.
    await withAdmin(async (admin) => {
      const groups = await admin.listGroups();
      expect(groups.groups.find((g) => g.groupId === n.app)?.protocolType).toBe('consumer');
      const offsets = await admin.fetchOffsets({ groupId: n.app, topics: [n.input] });
      expect(offsets[0]!.partitions.reduce((s, p) => s + Number(p.offset), 0)).toBe(texts.length);
    });
  }, 240_000);

  it('at_least_once: a second worker joining mid-stream takes tasks after they were committed; counts exact', async () => {
    const n = names('alos');
    const texts = await produceLines(brokers(), n.input, LINES, 4, 13);
    const a = worker(n, join(dir, `${n.app}-a`), ['--guarantee', 'at_least_once']);
    await waitUntil('some input to be committed', async () => (await committedSum(brokers(), n.app, n.input)) > 0, 60_000, 50);
    const b = worker(n, join(dir, `${n.app}-b`), ['--guarantee', 'at_least_once']);
    await b.waitFor(/generation \d+, member \w+.*: tasks \[[^\]]+\]/, 60_000);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect(ea.code, a.output().slice(-3000)).toBe(0);
    expect(eb.code, b.output().slice(-3000)).toBe(0);
    expect(a.output()).not.toMatch(/lost/);
    const check = await checkWordcount(brokers(), n.output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
  }, 240_000);

  it('SIGTERM to --workers commits, leaves the group and exits 0', async () => {
    const n = names('sigterm');
    await produceLines(brokers(), n.input, 2000, 2, 3);
    const sup = kstream(['run', WORDCOUNT_APP, '--brokers', brokers(), '--state-dir', join(dir, `${n.app}-t`), '--config', settings, '--workers', '2'], {
      KSTREAM_TEST_APP_ID: n.app,
      KSTREAM_TEST_INPUT: n.input,
      KSTREAM_TEST_OUTPUT: n.output,
    });
    await waitUntil('all input to be committed', async () => (await committedSum(brokers(), n.app, n.input)) === 2000, 60_000, 200);
    sup.kill('SIGTERM');
    const exit = await sup.exited;
    expect(exit.code, sup.output().slice(-3000)).toBe(0);
    expect(sup.output().match(/left the group/g)?.length, sup.output().slice(-5000)).toBe(2);
    await withAdmin(async (admin) => {
      const d = await admin.describeGroups([n.app]);
      expect(d.groups[0]!.members).toEqual([]);
    });
  }, 120_000);
});
