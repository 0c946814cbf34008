/**
 * SHUTDOWN_APPLICATION on the real broker: a processor throws under the `fail` policy on one of two
 * workers of the group; its handler answers SHUTDOWN_APPLICATION, the group passes the request to
 * the other worker, and both go PENDING_ERROR -> ERROR (the other without asking its handler).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, StreamThreadExceptionResponse, silentLogger, type StreamsState } from 'kstream';
import { poisonedWordcount, until } from '../observe/observe-helpers.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { produceLines, withLog } from './processes.js';

describe(`SHUTDOWN_APPLICATION on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-shutdown-app-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker whose processor throws stops both workers of the group: PENDING_ERROR -> ERROR on each', async () => {
    const app = uniqueId('shutdown-app');
    const input = `${app}-input`;
    const brokers = kafkaBrokers().join(',');
    await produceLines(brokers, input, 200, 4);
    const handled: string[] = [];
    const start = async (worker: string, seen: string[]) => {
      const s = new KafkaStreams(
        poisonedWordcount(input, `${app}-output`),
        {
          'application.id': app,
          'bootstrap.servers': brokers,
          'state.dir': join(dir, worker),
          'commit.interval.ms': 100,
          'session.timeout.ms': 6000,
          'heartbeat.interval.ms': 500,
          'processing.exception.handler': 'fail',
        },
        { logger: silentLogger },
      );
      s.setStateListener((next: StreamsState, old: StreamsState) => seen.push(`${old}->${next}`));
      s.setUncaughtExceptionHandler((e) => {
        handled.push(`${worker}: ${e.message}`);
        return StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
      });
      await s.start();
      const outcome = s.closed().then(
        () => 'stopped',
        (e: Error) => e.message,
      );
      stops.push(() => s.close());
      return { s, outcome };
    };
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = await start('a', seenA);
    await until(() => a.s.state() === 'RUNNING', 'worker a RUNNING', 120_000);
    const b = await start('b', seenB);
    await until(() => a.s.state() === 'RUNNING' && b.s.state() === 'RUNNING' && b.s.status()!.tasks > 0, 'both RUNNING with tasks', 120_000);

    await withLog(brokers, (log) => log.append([{ topic: input, partition: 0, key: null, value: 'poison pill', timestamp: Date.now() }]));
    await until(() => a.s.state() === 'ERROR' && b.s.state() === 'ERROR', 'both workers in ERROR', 120_000, 200);

    // Exactly one worker met the poison line and asked; the other was told by the group.
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatch(/poison line: poison pill/);
    const asker = handled[0]!.startsWith('a:') ? a : b;
    const told = asker === a ? b : a;
    expect(await asker.outcome).toMatch(/poison line: poison pill/);
    expect(await told.outcome).toMatch(/requested SHUTDOWN_APPLICATION/);
    // The one that was told may be mid-rebalance (the asking member's join started one) when it hears.
    for (const seen of [seenA, seenB]) {
      expect(seen.at(-1)).toBe('PENDING_ERROR->ERROR');
      expect(seen.at(-2)).toMatch(/^(RUNNING|REBALANCING)->PENDING_ERROR$/);
    }
  });
});
