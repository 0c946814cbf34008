/**
 * `GET /healthcheck` as ksqlDB answers it: `{"isHealthy", "details": {"<check>": {"isHealthy"}}}`,
 * 200 when every check passes and 503 otherwise. Each check is a real probe (a statement run, the
 * log answering for a topic it needs), bounded in time; the answer is kept for a few seconds
 * (ksqlDB's `ksql.healthcheck.interval.ms`, default 5000) so that probes from a load balancer do
 * not turn into a load of their own, and concurrent requests share one round of checks.
 */
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import type { Log } from '../log/types.js';

/** Resolves true when healthy; false or an error (or no answer in time) is unhealthy. */
export type HealthCheck = () => Promise<boolean> | boolean;

export interface HealthReport {
  readonly isHealthy: boolean;
  readonly details: Readonly<Record<string, { readonly isHealthy: boolean }>>;
}

export const HEALTHCHECK_INTERVAL_MS = 5_000;
const CHECK_TIMEOUT_MS = 5_000;

async function passes(check: HealthCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    return (await Promise.race([Promise.resolve().then(check), timeout])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export class HealthCheckAgent {
  private last: { at: number; report: HealthReport } | null = null;
  private running: Promise<HealthReport> | null = null;

  constructor(
    private readonly checks: Readonly<Record<string, HealthCheck>>,
    private readonly intervalMs = HEALTHCHECK_INTERVAL_MS,
    private readonly timeoutMs = CHECK_TIMEOUT_MS,
  ) {}

  /** The last report if younger than the interval, else a new round of checks. */
  report(): Promise<HealthReport> {
    if (this.last !== null && Date.now() - this.last.at < this.intervalMs) return Promise.resolve(this.last.report);
    this.running ??= (async () => {
      const names = Object.keys(this.checks);
      const results = await Promise.all(names.map((n) => passes(this.checks[n]!, this.timeoutMs)));
      const details: Record<string, { isHealthy: boolean }> = {};
      names.forEach((n, i) => (details[n] = { isHealthy: results[i]! }));
      const report = { isHealthy: results.every((r) => r), details };
      this.last = { at: Date.now(), report };
      return report;
    })().finally(() => (this.running = null));
    return this.running;
  }
}

/**
 * The log answers for these topics and they all exist (ksqlDB's kafka check describes its command
 * topic); with none named, the log answers at all.
 */
export function topicsCheck(log: Log, topics: () => readonly string[]): HealthCheck {
  return async () => {
    const names = topics();
    if (names.length === 0) return Array.isArray(await log.admin().listTopics());
    const found = await log.admin().describeTopics(names);
    return names.every((t) => found.has(t));
  };
}

/** The application runs its queries: RUNNING or REBALANCING (not starting, failed or stopped). */
export function applicationCheck(app: () => KafkaStreams): HealthCheck {
  return () => {
    const state = app().state();
    return state === 'RUNNING' || state === 'REBALANCING';
  };
}
