/**
 * Kafka Streams' metrics in Prometheus' text exposition format (prom-client), named as the JMX
 * exporter names them: `kafka_streams_<group>_<name>`, e.g.
 * `kafka_streams_stream_thread_metrics_process_rate{application_id, thread_id}`; and kstream's
 * latency histograms (`kstream_commit_latency_seconds`, ...) beside them.
 */
import type { Registry as PromRegistry } from 'prom-client';
import type { Metric } from '../../runtime/metrics/metric.js';
import { LATENCY_BUCKETS_S, type HistogramMetric } from '../../runtime/metrics/histogram.js';
import type { StreamsState } from '../../runtime/streams-state.js';

const STATES: readonly StreamsState[] = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'];

function promName(metric: Metric): string {
  return `kafka_streams_${metric.group}_${metric.name}`.replace(/[^a-zA-Z0-9_]/g, '_');
}

const promLabel = (tag: string): string => tag.replace(/[^a-zA-Z0-9_]/g, '_');

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const BUCKET_LABELS = [...LATENCY_BUCKETS_S.map(String), '+Inf'];

/** Histograms recorded elsewhere (runtime sensors), handed to prom-client as one metric family each. */
function registerHistograms(registry: PromRegistry, histograms: readonly HistogramMetric[]): void {
  const families = new Map<string, HistogramMetric[]>();
  for (const h of histograms) {
    let list = families.get(h.name);
    if (list === undefined) families.set(h.name, (list = []));
    list.push(h);
  }
  for (const [name, list] of families) {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const h of list) {
      h.value.cumulative.forEach((n, i) => values.push({ metricName: `${name}_bucket`, labels: { ...h.labels, le: BUCKET_LABELS[i]! }, value: n }));
      values.push({ metricName: `${name}_sum`, labels: { ...h.labels }, value: h.value.sumSeconds });
      values.push({ metricName: `${name}_count`, labels: { ...h.labels }, value: h.value.count });
    }
    const help = list[0]!.help;
    registry.registerMetric({ name, help, get: () => ({ name, help, type: 'histogram', values, aggregator: 'sum' }) } as never);
  }
}

/** One scrape: every metric as a gauge, the histograms, and the instance's state (1 for the current one). */
export async function prometheusText(metrics: readonly Metric[], applicationId: string, state: StreamsState, histograms: readonly HistogramMetric[] = []): Promise<string> {
  // Loaded on the first scrape: every `kstream run` imports this module, few scrape it.
  const { Gauge, Registry } = await import('prom-client');
  const registry: PromRegistry = new Registry();
  const families = new Map<string, { help: string; labels: Set<string>; metrics: Metric[] }>();
  for (const m of metrics) {
    const name = promName(m);
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { help: m.description, labels: new Set(), metrics: [] }));
    for (const tag of Object.keys(m.tags)) f.labels.add(promLabel(tag));
    f.metrics.push(m);
  }
  for (const [name, f] of families) {
    const gauge = new Gauge({ name, help: f.help, labelNames: [...f.labels], registers: [registry] });
    for (const m of f.metrics) {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.tags)) labels[promLabel(k)] = v;
      gauge.set(labels, m.value);
    }
  }
  registerHistograms(registry, histograms);
  const stateGauge = new Gauge({ name: 'kafka_streams_stream_metrics_state', help: 'The instance\'s KafkaStreams.State (1 for the current state)', labelNames: ['application_id', 'state'], registers: [registry] });
  for (const s of STATES) stateGauge.set({ application_id: applicationId, state: s }, s === state ? 1 : 0);
  return registry.metrics();
}
