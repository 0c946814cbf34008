/**
 * A latency histogram with fixed buckets, for Prometheus (`_bucket`, `_sum`, `_count`, in seconds as
 * Prometheus names them). Recording is a short scan over the bucket bounds and two additions: it is
 * called per batch, commit or query, never per record.
 */

/** Upper bounds in seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BOUNDS_MS = LATENCY_BUCKETS_S.map((s) => s * 1000);

export interface HistogramSnapshot {
  /** Cumulative counts for each bound of LATENCY_BUCKETS_S, then +Inf. */
  readonly cumulative: readonly number[];
  readonly sumSeconds: number;
  readonly count: number;
}

export class LatencyHistogram {
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  private readonly counts = new Float64Array(BOUNDS_MS.length + 1);
  private sumMs = 0;
  private n = 0;

  record(ms: number): void {
    let i = 0;
    while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]!) i++;
    this.counts[i]!++;
    this.sumMs += ms;
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let running = 0;
    for (const c of this.counts) cumulative.push((running += c));
    return { cumulative, sumSeconds: this.sumMs / 1000, count: this.n };
  }
}

/** A histogram as `KafkaStreams.histograms()` returns it: Prometheus name (without suffixes), help, labels. */
export interface HistogramMetric {
  readonly name: string;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: HistogramSnapshot;
}
