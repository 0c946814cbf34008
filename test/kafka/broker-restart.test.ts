/**
 * A broker restart in the middle of a run: the worker retries with back-off, resumes once the
 * broker is back, and under exactly_once the results have nothing lost and nothing counted twice.
 * Uses its own broker (the shared one stays up for the other tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka, stopLocalKafka } from '../../src/kafka-local/broker.js';
import { kafkaVersion, uniqueId } from './helpers.js';
import { WORDCOUNT_APP, checkWordcount, committedSum, killAll, kstream, produceLines, requireBuild, waitUntil } from './processes.js';

const PORT = Number(process.env.KSTREAM_TEST_KAFKA_PORT ?? 29092) + 100;
const LINES = 30_000;

describe.skipIf(kafkaVersion() === 'external')(`a broker restart (Kafka ${kafkaVersion()})`, () => {
  let dir: string;
  let brokerDir: string;
  let brokers: string;
  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-restart-'));
    brokerDir = join(dir, 'broker');
    const info = await startLocalKafka({ port: PORT, dataDir: brokerDir, version: kafkaVersion(), log: () => undefined });
    brokers = info.bootstrap;
  }, 180_000);
  afterAll(async () => {
    killAll();
    await stopLocalKafka({ dataDir: brokerDir, timeoutMs: 20_000, log: () => undefined });
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is retried with back-off; the run resumes and the counts are exact', async () => {
    const app = uniqueId('restart');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const texts = await produceLines(brokers, input, LINES, 2, 9);
    const worker = kstream(['run', WORDCOUNT_APP, '--brokers', brokers, '--until-idle', '--state-dir', join(dir, app)], {
      KSTREAM_TEST_APP_ID: app,
      KSTREAM_TEST_INPUT: input,
      KSTREAM_TEST_OUTPUT: output,
    });
    await waitUntil('some input to be committed', async () => (await committedSum(brokers, app, input)) > 0, 60_000, 50);
    const before = await committedSum(brokers, app, input);
    expect(before).toBeLessThan(LINES);
    await stopLocalKafka({ dataDir: brokerDir, timeoutMs: 20_000, log: () => undefined });
    await new Promise((r) => setTimeout(r, 3000));
    await startLocalKafka({ port: PORT, dataDir: brokerDir, version: kafkaVersion(), log: () => undefined });
    const exit = await worker.exited;
    expect(exit.code, worker.output().slice(-4000)).toBe(0);
    // It noticed: some request failed and was retried, or a commit failed and its tasks restarted.
    expect(worker.output()).toMatch(/retrying|could not commit/);
    const check = await checkWordcount(brokers, output, texts);
    expect(check.wrong.slice(0, 5)).toEqual([]);
    expect(check.notIncreasing.slice(0, 5)).toEqual([]);
    expect(await committedSum(brokers, app, input)).toBe(LINES);
  }, 300_000);
});
