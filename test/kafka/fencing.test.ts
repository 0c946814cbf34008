/**
 * Zombie fencing: a worker stopped (SIGTSTP) until its tasks have moved to another worker, then
 * resumed, cannot commit output for them, and its tasks close as lost.
 * - exactly_once: the new owner's per-task transactional producers fenced its own and aborted its
 *   open transactions;
 * - exactly_once_v2: its one producer is not fenced, but the group coordinator refuses the offsets
 *   of its transaction (its generation is over), so the transaction aborts; the successor waited
 *   for the zombie's open transaction to end (require_stable offsets, read_committed input).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { WORDCOUNT_APP, checkWordcount, committedSum, killAll, kstream, produceLines, requireBuild, waitUntil } from './processes.js';

const LINES = 30_000;

describe(`zombie fencing on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-fence-'));
    settings = join(dir, 'fast-failover.properties');
    writeFileSync(settings, 'session.timeout.ms=6000\nheartbeat.interval.ms=500\n');
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['exactly_once', 'exactly_once_v2'])('%s: a worker paused until its tasks move cannot commit for them once resumed; results stay exact', async (guarantee) => {
    const app = uniqueId('fence');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const texts = await produceLines(brokers(), input, LINES, 2, 5);
    const env = { KSTREAM_TEST_APP_ID: app, KSTREAM_TEST_INPUT: input, KSTREAM_TEST_OUTPUT: output };
    const run = (name: string) =>
      kstream(['run', WORDCOUNT_APP, '--brokers', brokers(), '--until-idle', '--state-dir', join(dir, `${app}-${name}`), '--config', settings, '--guarantee', guarantee], env);

    const zombie = run('zombie');
    await zombie.waitFor(/generation \d+, member \w+ \(leader\): tasks \[0_0, 0_1, 1_0, 1_1\]/, 60_000);
    await waitUntil('the first worker to commit some input', async () => (await committedSum(brokers(), app, input)) > 0, 60_000, 50);
    // SIGTSTP: `kstream run` supervises the application in a child process and stops it, then
    // itself (SIGSTOP would stop the supervisor only); SIGCONT continues both.
    zombie.kill('SIGTSTP');
    const committedAtStop = await committedSum(brokers(), app, input);
    expect(committedAtStop).toBeLessThan(LINES);

    // A second worker joins; once the stopped one's session expires it gets every task, fencing the first.
    const successor = run('successor');
    await successor.waitFor(/generation \d+, member \w+ \(leader\): tasks \[0_0, 0_1, 1_0, 1_1\]/, 60_000);
    await waitUntil('the successor to commit progress', async () => (await committedSum(brokers(), app, input)) > committedAtStop, 60_000, 50);

    // The zombie wakes up with work in flight: its commits are refused and its tasks close as lost.
    zombie.kill('SIGCONT');
    await zombie.waitFor(/could not commit|count as lost|no longer part of generation|closing as lost/, 60_000);
    const [z, s] = await Promise.all([zombie.exited, successor.exited]);
    expect(s.code, successor.output().slice(-3000)).toBe(0);
    expect(z.code, zombie.output().slice(-3000)).toBe(0);

    const check = await checkWordcount(brokers(), output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
    expect(await committedSum(brokers(), app, input)).toBe(LINES);
  }, 240_000);
});
