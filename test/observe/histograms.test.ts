/**
 * Prometheus histograms beside Kafka Streams' avg/max gauges: commit latency and process latency
 * per batch of each worker, and pull/push query latency of the listener's process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaStreams, silentLogger } from 'kstream';
import { LATENCY_BUCKETS_S, LatencyHistogram } from '../../src/runtime/metrics/histogram.js';
import { prometheusText } from '../../src/server/observe/prometheus.js';
import { produce, tempDir } from '../helpers/embedded.js';
import { serveSqlFile, type ServedSqlApp } from '../helpers/serving.js';
import { poisonedWordcount, sampleValue, scrape, until, type Sample } from './observe-helpers.js';

const T = 'kafka_streams_stream_thread_metrics_';

/** The `_bucket` samples of one series, by `le`, checked to be cumulative and to end in `_count`. */
function buckets(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    out.set(s.labels['le']!, s.value);
  }
  const values = [...out.values()];
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
  expect(out.get('+Inf')).toBe(sampleValue(samples, `${name}_count`, labels));
  return out;
}

describe('latency histograms', () => {
  it('counts each latency into the first bucket whose bound it does not exceed', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.2, 0.5, 3, 30, 20_000]) h.record(ms);
    const { cumulative, count, sumSeconds } = h.snapshot();
    const at = (s: number) => cumulative[LATENCY_BUCKETS_S.indexOf(s)];
    expect(count).toBe(5);
    expect(sumSeconds).toBeCloseTo(20.0337, 6);
    expect(at(0.0005)).toBe(2); // 0.2 ms and 0.5 ms (a bound is inclusive)
    expect(at(0.0025)).toBe(2);
    expect(at(0.005)).toBe(3);
    expect(at(0.05)).toBe(4);
    expect(at(10)).toBe(4);
    expect(cumulative.at(-1)).toBe(5); // +Inf
    expect(cumulative).toHaveLength(LATENCY_BUCKETS_S.length + 1);
  });

  it('renders as Prometheus histograms (TYPE, _bucket with le, _sum, _count) beside the gauges', async () => {
    const h = new LatencyHistogram();
    h.record(4);
    h.record(40);
    const text = await prometheusText([], 'app', 'RUNNING', [{ name: 'kstream_commit_latency_seconds', help: 'commits', labels: { application_id: 'app', thread_id: 't-1' }, value: h.snapshot() }]);
    expect(text).toContain('# TYPE kstream_commit_latency_seconds histogram');
    expect(text).toContain('kstream_commit_latency_seconds_bucket{application_id="app",thread_id="t-1",le="0.005"} 1');
    expect(text).toContain('kstream_commit_latency_seconds_bucket{application_id="app",thread_id="t-1",le="0.05"} 2');
    expect(text).toContain('kstream_commit_latency_seconds_bucket{application_id="app",thread_id="t-1",le="+Inf"} 2');
    expect(text).toContain('kstream_commit_latency_seconds_sum{application_id="app",thread_id="t-1"} 0.044');
    expect(text).toContain('kstream_commit_latency_seconds_count{application_id="app",thread_id="t-1"} 2');
  });
});

describe('GET /metrics histograms during a run (embedded log)', () => {
  let cleanup: (() => void) | null = null;
  let app: ServedSqlApp | null = null;
  let streams: KafkaStreams | null = null;
  afterEach(async () => {
    await app?.close();
    await streams?.close().catch(() => undefined);
    app = streams = null;
    cleanup?.();
  });

  it('commit and process-batch latency of the worker, pull and push query latency of the listener', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'wordcount.sql');
    writeFileSync(
      file,
      `CREATE STREAM LINES (LINE STRING) WITH (KAFKA_TOPIC='lines', VALUE_FORMAT='JSON', PARTITIONS=1);
       CREATE TABLE COUNTS AS SELECT LINE, COUNT(*) AS N FROM LINES GROUP BY LINE;`,
    );
    await produce(t.dir, 'lines', Array.from({ length: 3000 }, (_, i) => ({ key: null, value: JSON.stringify({ LINE: `w${i % 7}` }) })));
    app = await serveSqlFile(t.dir, file, 'histo-app');
    const url = app.url;
    const post = async (sql: string) => {
      const res = await fetch(`${url}/query-stream`, { method: 'POST', body: JSON.stringify({ sql, properties: { 'auto.offset.reset': 'earliest' } }), signal: AbortSignal.timeout(15_000) });
      return { status: res.status, text: await res.text() };
    };
    await until(async () => (await post("SELECT N FROM COUNTS WHERE LINE = 'w0';")).text.includes('[429]'), 'w0 counted 429 times', 60_000, 100);
    const before = await scrape(url);
    const pullsBefore = sampleValue(before, 'kstream_query_latency_seconds_count', { kind: 'pull' }) ?? 0;
    const pushesBefore = sampleValue(before, 'kstream_query_latency_seconds_count', { kind: 'push' }) ?? 0;
    for (let i = 0; i < 5; i++) expect((await post("SELECT N FROM COUNTS WHERE LINE = 'w1';")).status).toBe(200);
    const push = await post('SELECT * FROM LINES EMIT CHANGES LIMIT 2;');
    expect(push.status).toBe(200);

    const samples = await scrape(url);
    const worker = { application_id: app.streams.config.applicationId };
    const commits = buckets(samples, 'kstream_commit_latency_seconds', worker);
    expect(commits.size).toBe(LATENCY_BUCKETS_S.length + 1);
    // One observation per commit: the histogram's count is Kafka Streams' commit-total of the same moment or a little less.
    const commitCount = sampleValue(samples, 'kstream_commit_latency_seconds_count', worker)!;
    expect(commitCount).toBeGreaterThan(0);
    expect(commitCount).toBeLessThanOrEqual(sampleValue(samples, `${T}commit_total`, worker)!);
    expect(sampleValue(samples, 'kstream_commit_latency_seconds_sum', worker)).toBeGreaterThan(0);
    buckets(samples, 'kstream_process_batch_latency_seconds', worker);
    expect(sampleValue(samples, 'kstream_process_batch_latency_seconds_count', worker)).toBeGreaterThan(0);
    // One observation per loop turn: the longest synchronous stretch, bounded by the loop's slices.
    const slices = buckets(samples, 'kstream_loop_slice_seconds', worker);
    expect(slices.size).toBe(LATENCY_BUCKETS_S.length + 1);
    expect(sampleValue(samples, 'kstream_loop_slice_seconds_count', worker)).toBeGreaterThan(0);
    buckets(samples, 'kstream_query_latency_seconds', { kind: 'pull' });
    expect(sampleValue(samples, 'kstream_query_latency_seconds_count', { kind: 'pull' })).toBe(pullsBefore + 5);
    expect(sampleValue(samples, 'kstream_query_latency_seconds_count', { kind: 'push' })).toBe(pushesBefore + 1);
    // Bounded label sets: one series per worker and one per query kind, whatever the queries were.
    const series = new Set(samples.filter((s) => s.name.startsWith('kstream_') && s.name.endsWith('_count')).map((s) => `${s.name}${JSON.stringify(s.labels)}`));
    expect(series.size).toBe(5);
  });

  it('has no histograms at metrics.recording.level OFF', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', [{ key: null, value: 'a b' }]);
    const s = (streams = new KafkaStreams(poisonedWordcount(), { 'application.id': 'histo-off', 'data.dir': t.dir, 'metrics.recording.level': 'OFF' }, { logger: silentLogger }));
    await s.start();
    await until(() => s.state() === 'RUNNING', 'running');
    expect(s.histograms()).toEqual([]);
  });
});
