/**
 * Operating kstream on the real broker: /metrics during a wordcount (process-rate, commit latency,
 * records-lag falling to 0, 5 poison lines in the DLQ count) and the state listener seeing
 * REBALANCING -> RUNNING when a second worker joins the group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, silentLogger, type StreamsState } from 'kstream';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import { freePort, poisonedWordcount, sampleValue, scrape, until, type Sample } from '../observe/observe-helpers.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { produceLines, withLog } from './processes.js';

const T = 'kafka_streams_stream_thread_metrics_';
const LAG = 'kafka_streams_consumer_fetch_manager_metrics_records_lag';

describe(`operating kstream on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-observe-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  function config(app: string, worker: string): Record<string, unknown> {
    return {
      'application.id': app,
      'bootstrap.servers': kafkaBrokers().join(','),
      'state.dir': join(dir, worker),
      'commit.interval.ms': 100,
      'session.timeout.ms': 6000,
      'heartbeat.interval.ms': 500,
    };
  }

  it('GET /metrics during a wordcount: process-rate, commit-latency-avg, records-lag to 0, DLQ count 5', async () => {
    const app = uniqueId('observe');
    const input = `${app}-input`;
    const brokers = kafkaBrokers().join(',');
    const LINES = 3000;
    await produceLines(brokers, input, LINES, 2);
    await withLog(brokers, (log) => log.append(Array.from({ length: 5 }, (_, i) => ({ topic: input, partition: i % 2, key: null, value: `poison ${i}`, timestamp: Date.now() }))));
    const url = `http://127.0.0.1:${await freePort()}`;
    const log = await KafkaLog.open(brokers, { logger: silentLogger });
    stops.push(() => log.close());
    const serving = prepareServing(url, poisonedWordcount(input, `${app}-output`), undefined);
    const streams = new KafkaStreams(serving.topology, config(app, 'a'), { log, logger: silentLogger });
    await streams.start();
    stops.push(() => streams.close());
    const listener: QueryListener = await serving.start(streams, log, app, silentLogger);
    stops.push(() => listener.close());

    let maxRate = 0;
    let last: Sample[] = [];
    await until(async () => {
      last = await scrape(url);
      maxRate = Math.max(maxRate, sampleValue(last, `${T}process_rate`) ?? 0);
      const lags = last.filter((s) => s.name === LAG && s.labels['topic'] === input);
      return lags.length === 2 && lags.every((s) => s.value === 0) && sampleValue(last, `${T}dead_letter_records_total`) === 5 && (sampleValue(last, `${T}process_total`) ?? 0) >= LINES + 5;
    }, 'all input processed', 120_000, 200);
    expect(maxRate).toBeGreaterThan(0);
    expect(sampleValue(last, `${T}dead_letter_records_total`, { application_id: app })).toBe(5);
    expect((sampleValue(last, 'kafka_streams_stream_task_metrics_process_total', { task_id: '0_0' }) ?? 0) + (sampleValue(last, 'kafka_streams_stream_task_metrics_process_total', { task_id: '0_1' }) ?? 0)).toBe(LINES + 5);
    expect(sampleValue(last, `${T}commit_latency_avg`)).toBeGreaterThan(0);
    expect(sampleValue(last, 'kafka_streams_stream_metrics_state', { state: 'RUNNING' })).toBe(1);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('the state listener sees REBALANCING -> RUNNING when a second worker joins', async () => {
    const app = uniqueId('observe-join');
    const input = `${app}-input`;
    await produceLines(kafkaBrokers().join(','), input, 200, 4);
    const start = async (worker: string, seen: string[]) => {
      const s = new KafkaStreams(poisonedWordcount(input, `${app}-output`), config(app, worker), { logger: silentLogger });
      s.setStateListener((next: StreamsState, old: StreamsState) => seen.push(`${old}->${next}`));
      await s.start();
      stops.push(() => s.close());
      return s;
    };
    const seenA: string[] = [];
    const a = await start('a', seenA);
    await until(() => a.state() === 'RUNNING', 'worker a RUNNING', 120_000);
    expect(seenA).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING']);
    const seenB: string[] = [];
    const b = await start('b', seenB);
    // The group rebalances: a gives up some tasks and goes back to RUNNING; b gets them (cooperative:
    // in the follow-up rebalance after a revoked them).
    await until(
      () => seenA.length >= 4 && a.state() === 'RUNNING' && b.state() === 'RUNNING' && a.status()!.tasks + b.status()!.tasks >= 8 && b.status()!.tasks > 0,
      'both RUNNING with all tasks after the join',
      120_000,
    );
    expect(seenA.slice(2, 4)).toEqual(['RUNNING->REBALANCING', 'REBALANCING->RUNNING']);
    expect(seenB.slice(0, 2)).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING']);
    expect(a.status()!.tasks + b.status()!.tasks).toBeGreaterThanOrEqual(8);
    expect(b.status()!.tasks).toBeGreaterThan(0);
  });
});
