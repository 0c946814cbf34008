/**
 * Kafka Streams' metrics of one worker, by their names and groups, computed from its sensors
 * when read. Levels follow Kafka Streams: thread- and task-level throughput, lag, restores and
 * drops are INFO (the default); the record cache's hit ratio and per-store operations are DEBUG.
 */
import type { Metric } from './metric.js';
import type { HistogramMetric } from './histogram.js';
import { RateSampler } from './rates.js';
import type { ThreadSensors } from './sensors.js';

export interface MetricsSource {
  readonly applicationId: string;
  /** Kafka Streams' thread-id: `<application.id>-<pid>-StreamThread-<n>`. */
  readonly threadId: string;
  readonly sensors: ThreadSensors;
  /** The worker's named counters (dropped-records-total, dead-letter-records-total, ...). */
  readonly counters: Readonly<Record<string, number>>;
  readonly cache: { readonly hits: number; readonly misses: number };
}

const THREAD = 'stream-thread-metrics';
const TASK = 'stream-task-metrics';
const FETCH = 'consumer-fetch-manager-metrics';
const COORDINATOR = 'consumer-coordinator-metrics';
const CACHE = 'record-cache-metrics';
const STORE = 'stream-state-metrics';

type Tags = Readonly<Record<string, string>>;

/** Gathers one reading: metrics, and the totals that later readings take rates against. */
class Reading {
  readonly metrics: Metric[] = [];
  readonly totals = new Map<string, number>();

  constructor(
    private readonly sampler: RateSampler,
    private readonly at: number,
  ) {}

  gauge(group: string, name: string, tags: Tags, value: number, description: string): void {
    this.metrics.push({ name, group, description, tags, value: Number.isFinite(value) ? value : 0 });
  }

  /** A total remembered for rates (returns its rate per second over the window). */
  private tracked(group: string, name: string, tags: Tags, total: number): number {
    const key = `${group}|${name}|${Object.values(tags).join('|')}`;
    this.totals.set(key, total);
    return this.sampler.rate(key, this.at, total);
  }

  /** `<base>-total` and `<base>-rate`. */
  counter(group: string, base: string, tags: Tags, total: number, description: string): void {
    const rate = this.tracked(group, `${base}-total`, tags, total);
    this.gauge(group, `${base}-total`, tags, total, `The total number of ${description}`);
    this.gauge(group, `${base}-rate`, tags, rate, `The average per-second number of ${description}`);
  }

  /** `<base>-latency-avg` over the window (the overall average when nothing happened in it). */
  latencyAvg(group: string, base: string, tags: Tags, count: number, totalMs: number, description: string): void {
    const countRate = this.tracked(group, `${base}-count`, tags, count);
    const msRate = this.tracked(group, `${base}-ms`, tags, totalMs);
    const avg = countRate > 0 ? msRate / countRate : count > 0 ? totalMs / count : 0;
    this.gauge(group, `${base}-latency-avg`, tags, avg, `The average ${description} latency in ms`);
  }

  /** The fraction of wall time spent in `totalMs` over the window. */
  ratio(group: string, name: string, tags: Tags, totalMs: number, description: string): void {
    this.gauge(group, name, tags, Math.min(1, this.tracked(group, `${name}-ms`, tags, totalMs) / 1000), description);
  }
}

export class MetricsRegistry {
  private sampler: RateSampler;
  private lastSource: MetricsSource | null = null;

  constructor(private readonly source: () => MetricsSource | null) {
    this.sampler = new RateSampler(Date.now());
  }

  /** Called about once a second off the hot path: remembers the totals that rates are taken against. */
  tick(at = Date.now()): void {
    const reading = this.read(at);
    if (reading !== null) this.sampler.sample(at, reading.totals);
  }

  metrics(at = Date.now()): Metric[] {
    return this.read(at)?.metrics ?? [];
  }

  /** The worker's latency histograms (none when metrics.recording.level is OFF); one series per worker. */
  histograms(): HistogramMetric[] {
    const src = this.source();
    if (src === null || !src.sensors.enabled) return [];
    const labels = { application_id: src.applicationId, thread_id: src.threadId };
    return [
      { name: 'kstream_commit_latency_seconds', help: 'Time of one commit of the worker\'s tasks', labels, value: src.sensors.commitLatency.snapshot() },
      { name: 'kstream_process_batch_latency_seconds', help: 'Time of one process() call of a task (a batch of records)', labels, value: src.sensors.processBatchLatency.snapshot() },
      { name: 'kstream_loop_slice_seconds', help: 'Longest synchronous stretch of one turn of the worker loop (the event loop is blocked that long)', labels, value: src.sensors.loopSlice.snapshot() },
    ];
  }

  private read(at: number): Reading | null {
    const src = this.source();
    if (src === null) return null;
    if (src !== this.lastSource) {
      // A replaced worker starts its totals from zero: rates against the old one's would be wrong.
      this.lastSource = src;
      this.sampler = new RateSampler(src.sensors.startedAt);
    }
    const r = new Reading(this.sampler, at);
    const s = src.sensors;
    const app = src.applicationId;
    const thread = { 'application-id': app, 'thread-id': src.threadId };
    let processed = 0;
    for (const t of s.tasks.values()) processed += t.processed;
    const processedTotal = Math.max(processed, src.counters['process-total'] ?? 0);
    r.counter(THREAD, 'process', thread, processedTotal, 'records processed');
    r.latencyAvg(THREAD, 'process', thread, processedTotal, s.processMs, 'per-record processing');
    r.gauge(THREAD, 'process-latency-max', thread, s.processLatencyMax.value, 'The maximum per-record processing latency in ms (of one processing call)');
    r.ratio(THREAD, 'process-ratio', thread, s.processMs, 'The fraction of time the thread spent processing records');
    r.counter(THREAD, 'commit', thread, s.commits, 'commits');
    r.latencyAvg(THREAD, 'commit', thread, s.commits, s.commitMs, 'commit');
    r.gauge(THREAD, 'commit-latency-max', thread, s.commitLatencyMax.value, 'The maximum commit latency in ms');
    r.counter(THREAD, 'poll', thread, s.polls, 'calls to poll');
    r.latencyAvg(THREAD, 'poll', thread, s.polls, s.pollMs, 'poll');
    r.counter(THREAD, 'punctuate', thread, s.punctuations, 'punctuate calls');
    r.counter(THREAD, 'task-created', thread, s.tasksCreated, 'tasks created');
    r.counter(THREAD, 'task-closed', thread, s.tasksClosed, 'tasks closed');
    for (const [name, value] of Object.entries(src.counters)) {
      if (name === 'process-total' || name === 'commit-total' || !name.endsWith('-total')) continue;
      r.counter(THREAD, name.slice(0, -'-total'.length), thread, value, `${name.slice(0, -'-total'.length).replace(/-/g, ' ')}`);
    }
    r.counter(COORDINATOR, 'rebalance', thread, s.rebalances, 'rebalances (assignments received)');
    let maxLag = 0;
    for (const l of s.lags.values()) {
      const tags = { ...thread, 'task-id': l.taskId, topic: l.topic, partition: String(l.partition) };
      r.gauge(FETCH, 'records-lag', tags, l.lag, 'The latest lag of the partition (records on the log not yet processed)');
      r.gauge(FETCH, 'records-lag-max', tags, l.maxLag, 'The maximum lag of the partition in the sample window');
      maxLag = Math.max(maxLag, l.maxLag);
    }
    r.gauge(FETCH, 'records-lag-max', thread, maxLag, 'The maximum lag of any partition of this worker in the sample window');
    for (const t of s.tasks.values()) {
      const task = { ...thread, 'task-id': t.taskId };
      r.counter(TASK, 'process', task, t.processed, 'records processed by the task');
      r.latencyAvg(TASK, 'process', task, t.processed, t.processMs, 'per-record processing');
      r.ratio(TASK, 'active-process-ratio', task, t.processMs, 'The fraction of time the thread spent processing this active task');
      r.counter(TASK, 'punctuate', task, t.punctuations, 'punctuate calls of the task');
      r.gauge(TASK, 'restore-remaining-records-total', task, t.restoreRemaining, 'The records still to restore into the task\'s stores');
      r.counter(TASK, 'restore', task, t.restored, 'records restored into the task\'s stores');
      if (s.level === 'DEBUG' || s.level === 'TRACE') {
        for (const [store, ops] of t.stores) {
          const tags = { ...task, 'store-name': store };
          r.counter(STORE, 'put', tags, ops.puts, 'puts to the store');
          r.counter(STORE, 'get', tags, ops.gets, 'gets from the store');
          r.latencyAvg(STORE, 'get', tags, ops.gets, ops.getMs, 'get');
        }
      }
    }
    if (s.level === 'DEBUG' || s.level === 'TRACE') {
      const { hits, misses } = src.cache;
      r.gauge(CACHE, 'hit-ratio', { ...thread, 'record-cache-id': src.threadId }, hits + misses === 0 ? 0 : hits / (hits + misses), 'The ratio of cache hits to cache reads');
    }
    return r;
  }
}
