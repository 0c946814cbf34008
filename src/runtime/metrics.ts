import { ThreadSensors } from './metrics/sensors.js';

/** Counters by name (Kafka Streams' metric names where one exists, e.g. dropped-records-total). */
export class Metrics {
  private readonly counters = new Map<string, number>();
  /** Records processed: counted on every record, so a plain field rather than a map entry. */
  processed = 0;
  /** Timings and per-task, per-partition numbers behind Kafka Streams' metrics (metrics/registry.ts). */
  readonly sensors = new ThreadSensors();

  increment(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return name === METRIC.processed ? this.processed : (this.counters.get(name) ?? 0);
  }

  snapshot(): Record<string, number> {
    const all = new Map(this.counters);
    if (this.processed > 0) all.set(METRIC.processed, this.processed);
    return Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

export const METRIC = {
  processed: 'process-total',
  dropped: 'dropped-records-total',
  deserializationErrors: 'deserialization-errors-total',
  processingErrors: 'processing-errors-total',
  lateDropped: 'dropped-late-records-total',
  dlq: 'dead-letter-records-total',
  commits: 'commit-total',
} as const;
