/** Counters by name (Kafka Streams' metric names where one exists, e.g. dropped-records-total). */
export class Metrics {
  private readonly counters = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => (a < b ? -1 : 1)));
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
