/**
 * The watchdog on Kafka: a mapper stuck on one record is named and the run stops; the rerun sends
 * the record to the dead-letter topic and the output is exact (test/runtime/watchdog.test.ts does
 * the same and more on the embedded log).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serdes } from '../../src/serde/serdes.js';
import { readThrough, toProduced } from '../scenarios/env.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { ROOT, killAll, kstream, requireBuild, withLog } from './processes.js';

const STUCK_APP = `${ROOT}test/runtime/fixtures/stuck-mapper.ts`;

describe(`the watchdog on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-kafka-watchdog-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the stuck record and stops; the rerun sends it to the DLQ and the output is exact', async () => {
    const app = uniqueId('stuck');
    const env = { STUCK_APP_ID: app, STUCK_INPUT: `${app}-input`, STUCK_OUTPUT: `${app}-output`, KSTREAM_LOG_LEVEL: 'warn' };
    await withLog(brokers(), async (log) => {
      await log.admin().createTopics([{ name: env.STUCK_INPUT, partitions: 1 }]);
      await log.append(toProduced(env.STUCK_INPUT, ['a', 'b', 'poison', 'c', 'd'].map((value) => ({ key: null, value })), 1, Date.now()));
    });
    const config = join(dir, `${app}.properties`);
    // A quick rejoin after the stopped member (its session must expire first).
    writeFileSync(config, 'record.processing.timeout.ms=2000\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\n');
    const args = ['run', STUCK_APP, '--brokers', brokers(), '--until-idle', '--state-dir', join(dir, app), '--config', config];

    const first = kstream(args, env);
    const stopped = await first.exited;
    expect(stopped.code, first.output()).toBe(1);
    expect(first.output()).toMatch(
      new RegExp(`^kstream: error: task 0_0 is stuck on record ${env.STUCK_INPUT}-0@2 \\(\\d+\\.\\d s, record\\.processing\\.timeout\\.ms=2000\\); stopped the application, nothing past the last commit is committed; a rerun sends it to ${app}-dlq$`, 'm'),
    );

    const second = kstream(args, env);
    const done = await second.exited;
    expect(done.code, second.output()).toBe(0);
    expect(second.output()).toContain('kstream: processed 4 records; all input consumed and committed');
    await withLog(brokers(), async (log) => {
      const out = await readThrough(log, env.STUCK_OUTPUT, Serdes.String(), Serdes.String());
      expect(out.map((r) => r.value)).toEqual(['A', 'B', 'C', 'D']);
      const dlq = await readThrough(log, `${app}-dlq`, Serdes.String(), Serdes.String());
      expect(dlq.map((r) => r.value)).toEqual(['poison']);
      expect(dlq[0]!.headers.get('__streams.errors.exception')).toBe('RecordTimeoutError');
      expect(dlq[0]!.headers.get('__streams.errors.offset')).toBe('2');
    });
  }, 240_000);

  it('--workers: a worker its watchdog stopped stops the run (exit 1); the rerun sends the record to the DLQ', async () => {
    const app = uniqueId('stuck-workers');
    const env = { STUCK_APP_ID: app, STUCK_INPUT: `${app}-input`, STUCK_OUTPUT: `${app}-output`, KSTREAM_LOG_LEVEL: 'warn' };
    // Round robin over two partitions: a, b, e on 0; c, poison, d on 1.
    await withLog(brokers(), async (log) => {
      await log.admin().createTopics([{ name: env.STUCK_INPUT, partitions: 2 }]);
      await log.append(toProduced(env.STUCK_INPUT, ['a', 'c', 'b', 'poison', 'e', 'd'].map((value) => ({ key: null, value })), 2, Date.now()));
    });
    const config = join(dir, `${app}.properties`);
    writeFileSync(config, 'record.processing.timeout.ms=2000\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\n');
    const args = ['run', STUCK_APP, '--brokers', brokers(), '--until-idle', '--workers', '2', '--state-dir', join(dir, app), '--config', config];

    const first = kstream(args, env);
    const stopped = await first.exited;
    expect(stopped.code, first.output()).toBe(1);
    expect(first.output()).toMatch(new RegExp(`^\\[worker \\d\\] kstream: error: task 0_1 is stuck on record ${env.STUCK_INPUT}-1@1 \\(`, 'm'));
    expect(first.output()).toMatch(/^\[kstream\] worker \d failed \(exit 1\); stopping the others$/m);

    // Whichever worker gets the task on the rerun knows the record: the supervisor shared it.
    const second = kstream(args, env);
    const done = await second.exited;
    expect(done.code, second.output()).toBe(0);
    await withLog(brokers(), async (log) => {
      const out = await readThrough(log, env.STUCK_OUTPUT, Serdes.String(), Serdes.String());
      expect(out.map((r) => r.value).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
      const dlq = await readThrough(log, `${app}-dlq`, Serdes.String(), Serdes.String());
      expect(dlq.map((r) => r.value)).toEqual(['poison']);
    });
  }, 240_000);
});
