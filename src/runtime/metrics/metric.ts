/** One metric as `KafkaStreams.metrics()` returns it: Kafka's MetricName (name, group, tags) and its value. */
export interface Metric {
  readonly name: string;
  readonly group: string;
  readonly description: string;
  /** Kafka Streams' tag names: thread-id, task-id, store-name, topic, partition, record-cache-id. */
  readonly tags: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The value of the first metric called `name` whose tags include `tags` (undefined if none). */
export function metricValue(metrics: readonly Metric[], name: string, tags: Readonly<Record<string, string>> = {}): number | undefined {
  for (const m of metrics) {
    if (m.name !== name) continue;
    let match = true;
    for (const k in tags) if (m.tags[k] !== tags[k]) match = false;
    if (match) return m.value;
  }
  return undefined;
}
