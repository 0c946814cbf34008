import { afterEach, describe, expect, it } from 'vitest';
import { KafkaStreams, metricValue, silentLogger } from 'kstream';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import { produce, tempDir } from '../helpers/embedded.js';
import { freePort, poisonedWordcount, sampleValue, scrape, until, type Sample } from './observe-helpers.js';

const LINES = 30_000;
const POISON = 5;
const T = 'kafka_streams_stream_thread_metrics_';

describe('GET /metrics during a wordcount run (embedded log)', () => {
  let cleanup: (() => void) | null = null;
  let streams: KafkaStreams | null = null;
  let listener: QueryListener | null = null;
  let log: EmbeddedLog | null = null;
  afterEach(async () => {
    await listener?.close();
    await streams?.close().catch(() => undefined);
    await log?.close();
    listener = streams = log = null;
    cleanup?.();
  });

  it('moves process-rate, commit-latency-avg, records-lag and the DLQ count as the input says', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const lines = Array.from({ length: LINES }, (_, i) => ({ key: null, value: `word${i % 500} common line ${i}` }));
    for (let i = 0; i < POISON; i++) lines.splice(1000 + i * 997, 0, { key: null, value: `poison ${i}` });
    await produce(t.dir, 'observe-input', lines);
    const url = `http://127.0.0.1:${await freePort()}`;
    log = EmbeddedLog.open(t.dir);
    const serving = prepareServing(url, poisonedWordcount(), undefined);
    streams = new KafkaStreams(serving.topology, { 'application.id': 'observe-metrics', 'data.dir': t.dir, 'commit.interval.ms': 100 }, { log, logger: silentLogger });
    await streams.start();
    listener = await serving.start(streams, log, 'observe-metrics', silentLogger);

    let maxRate = 0;
    let maxLag = 0;
    let last: Sample[] = [];
    await until(async () => {
      last = await scrape(url);
      maxRate = Math.max(maxRate, sampleValue(last, `${T}process_rate`) ?? 0);
      const lag = sampleValue(last, 'kafka_streams_consumer_fetch_manager_metrics_records_lag', { topic: 'observe-input', partition: '0' });
      if (lag !== undefined) maxLag = Math.max(maxLag, lag);
      return lag === 0 && (sampleValue(last, `${T}dead_letter_records_total`) ?? 0) === POISON && (sampleValue(last, `${T}process_total`) ?? 0) >= LINES + POISON;
    }, 'all input processed', 90_000, 50);

    const labels = { application_id: 'observe-metrics' };
    expect(maxRate).toBeGreaterThan(0);
    expect(sampleValue(last, `${T}dead_letter_records_total`, labels)).toBe(POISON);
    expect(sampleValue(last, 'kafka_streams_stream_task_metrics_process_total', { task_id: '0_0' })).toBe(LINES + POISON);
    // Sub-topology 1 counts the words: 4 a line.
    expect(sampleValue(last, 'kafka_streams_stream_task_metrics_process_total', { task_id: '1_0' })).toBe(4 * LINES);
    expect(sampleValue(last, `${T}commit_total`)).toBeGreaterThan(0);
    expect(sampleValue(last, `${T}commit_latency_avg`)).toBeGreaterThan(0);
    expect(sampleValue(last, `${T}commit_latency_max`)).toBeGreaterThanOrEqual(sampleValue(last, `${T}commit_latency_avg`)! * 0.999);
    expect(sampleValue(last, `${T}poll_total`)).toBeGreaterThan(0);
    expect(sampleValue(last, 'kafka_streams_consumer_fetch_manager_metrics_records_lag', { topic: 'observe-input', partition: '0', task_id: '0_0' })).toBe(0);
    expect(sampleValue(last, 'kafka_streams_consumer_fetch_manager_metrics_records_lag_max', { topic: 'observe-input', partition: '0' })).toBeGreaterThanOrEqual(maxLag);
    expect(sampleValue(last, 'kafka_streams_consumer_coordinator_metrics_rebalance_total')).toBe(1);
    expect(sampleValue(last, 'kafka_streams_stream_metrics_state', { state: 'RUNNING' })).toBe(1);
    // Store and cache metrics are DEBUG-level: off by default, as in Kafka Streams.
    expect(last.some((s) => s.name.startsWith('kafka_streams_stream_state_metrics_'))).toBe(false);

    // The same numbers through the API.
    const m = streams.metrics();
    expect(metricValue(m, 'dead-letter-records-total')).toBe(POISON);
    expect(metricValue(m, 'process-total', { 'task-id': '0_0' })).toBe(LINES + POISON);
    expect(m.find((x) => x.name === 'process-rate')?.group).toBe('stream-thread-metrics');

    // And the health endpoints of a running, restored instance.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'UP', state: 'RUNNING' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('records store puts and gets and the cache hit ratio at metrics.recording.level DEBUG', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', Array.from({ length: 200 }, (_, i) => ({ key: null, value: `a b c ${i % 3}` })));
    streams = new KafkaStreams(poisonedWordcount(), { 'application.id': 'observe-debug', 'data.dir': t.dir, 'metrics.recording.level': 'DEBUG' }, { logger: silentLogger });
    await streams.start();
    const s = streams;
    await until(() => metricValue(s.metrics(), 'process-total', { 'task-id': '1_0' }) === 800, 'the words counted');
    const m = streams.metrics();
    // Each of the 800 words is one get and one put of its count.
    expect(metricValue(m, 'put-total', { 'task-id': '1_0', 'store-name': 'counts' })).toBe(800);
    expect(metricValue(m, 'get-total', { 'task-id': '1_0', 'store-name': 'counts' })).toBe(800);
    expect(metricValue(m, 'get-latency-avg', { 'store-name': 'counts' })).toBeGreaterThan(0);
    // 6 distinct words: all but the first read of each hit the cache.
    expect(metricValue(m, 'hit-ratio')).toBeCloseTo(794 / 800, 5);
  });
});
