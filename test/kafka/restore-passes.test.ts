/**
 * Issue 15 on the real broker, through `kstream run` (exactly_once_v2): while one task restores a
 * big changelog, the worker's other task keeps processing and committing; one SIGTERM stops the
 * worker (exit 0) with the store checkpointed where the restore got to.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serdes } from '../../src/serde/serdes.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { committedSum, killAll, requireBuild, waitUntil, withLog } from './processes.js';
import { keycountWorker } from './keycount.js';

/** A key as the keycount app's default serde writes it (msgpack: a short string is one byte 0xa0 | length, then UTF-8). */
const keyBytes = (key: string) => Buffer.concat([Buffer.from([0xa0 | key.length]), Buffer.from(key)]);
/** Enough for a restore of several seconds (~285k records/s on a quiet machine). */
const BIG = Number(process.env.KSTREAM_RESTORE_TEST_RECORDS ?? 2_000_000);

describe(`restoring in passes on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-restore-passes-'));
    settings = join(dir, 'restore.properties');
    writeFileSync(settings, 'commit.interval.ms=100\n');
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`task 0_1 processes and commits while task 0_0 restores ${BIG} records; SIGTERM checkpoints the restore and exits 0`, async () => {
    const app = uniqueId('restore-passes');
    const input = `${app}-input`;
    const changelog = `${app}-key-counts-changelog`;
    await withLog(brokers(), async (log) => {
      await log.admin().createTopics([{ name: input, partitions: 2 }, { name: changelog, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
      const one = Serdes.Long().serialize(1);
      for (let b = 0; b < BIG; b += 20_000) {
        const batch = [];
        for (let i = b; i < Math.min(BIG, b + 20_000); i++) batch.push({ topic: changelog, partition: 0, key: keyBytes(`r${i}`), value: one, timestamp: Date.now() });
        await log.append(batch);
      }
      // Input for task 0_1, waiting when the worker starts: it must be processed while 0_0 restores.
      await log.append([{ topic: input, partition: 1, key: keyBytes('during'), value: keyBytes('x'), timestamp: Date.now() }]);
    });
    const worker = keycountWorker({ brokers: brokers(), dir, app, name: 'a', settings, guarantee: 'exactly_once_v2' });
    // Task 0_1 committed its input offset (its count and output in the same transaction).
    await waitUntil('task 0_1 to commit during the restore', async () => (await committedSum(brokers(), app, input)) >= 1, 120_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}; worker output:\n${worker.output().slice(-4000)}`);
    });
    expect(worker.output()).not.toMatch(/restored \d+ records into store key-counts of task 0_0/);
    const signalled = Date.now();
    worker.kill('SIGTERM');
    const exited = await worker.exited;
    const ms = Date.now() - signalled;
    const stopped = /stopped restoring store key-counts of task 0_0 at changelog offset (\d+) of (\d+)/.exec(worker.output());
    console.log(`Kafka: task 0_1 committed during the restore; SIGTERM: exit ${exited.code} after ${ms} ms; ${stopped?.[0]}`);
    expect(exited.code, worker.output().slice(-3000)).toBe(0);
    expect(ms).toBeLessThan(20_000);
    expect(stopped, worker.output().slice(-3000)).not.toBeNull();
    expect(Number(stopped![1])).toBeGreaterThan(0);
    expect(Number(stopped![1])).toBeLessThan(BIG);
  }, 420_000);
});
