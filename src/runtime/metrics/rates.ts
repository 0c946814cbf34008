/**
 * Rates computed on read: cumulative totals are sampled about once a second (by a timer, off the
 * hot path) and a rate is the change of a total since the oldest sample of the window.
 */
const WINDOW_MS = 10_000;
const MIN_SPAN_MS = 200;

interface Sample {
  readonly at: number;
  readonly totals: ReadonlyMap<string, number>;
}

export class RateSampler {
  private samples: Sample[] = [];

  constructor(private readonly startedAt: number) {}

  sample(at: number, totals: ReadonlyMap<string, number>): void {
    this.samples.push({ at, totals });
    while (this.samples.length > 1 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }

  /** Per second, of the total named `key` now at `total`. */
  rate(key: string, at: number, total: number): number {
    const oldest = this.samples.find((s) => at - s.at <= WINDOW_MS + 1_000);
    if (oldest === undefined || at - oldest.at < MIN_SPAN_MS) {
      const span = at - this.startedAt;
      return span < MIN_SPAN_MS ? 0 : (1000 * total) / span;
    }
    const before = oldest.totals.get(key) ?? 0;
    return (1000 * Math.max(0, total - before)) / (at - oldest.at);
  }

  /** How much of the window's wall time `key` (a total of milliseconds) took: 0..1. */
  ratio(key: string, at: number, totalMs: number): number {
    return Math.min(1, this.rate(key, at, totalMs) / 1000);
  }
}
