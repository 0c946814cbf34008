/**
 * Latency of the queries this process's listeners answer, as Prometheus histograms: a pull query
 * from request to its last row sent, a push query from request to its header (the query is then
 * running). Two series per process (label `kind`), whatever the queries say: bounded cardinality.
 */
import { LatencyHistogram, type HistogramMetric } from '../../runtime/metrics/histogram.js';

const pull = new LatencyHistogram();
const push = new LatencyHistogram();

export function recordQueryLatency(kind: 'pull' | 'push', ms: number): void {
  (kind === 'pull' ? pull : push).record(ms);
}

export function queryLatencyHistograms(): HistogramMetric[] {
  const help = 'Time to answer a pull query (to its last row) or to start a push query (to its header) on this process';
  return [
    { name: 'kstream_query_latency_seconds', help, labels: { kind: 'pull' }, value: pull.snapshot() },
    { name: 'kstream_query_latency_seconds', help, labels: { kind: 'push' }, value: push.snapshot() },
  ];
}
