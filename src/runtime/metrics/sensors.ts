/**
 * The numbers behind Kafka Streams' metrics, recorded on the hot path as plain counters (no
 * allocation, no map lookups per record): the runtime adds to fields, and rates, averages and
 * ratios are computed when someone reads them (see registry.ts).
 */
import { LatencyHistogram } from './histogram.js';

/** metrics.recording.level: Kafka Streams' INFO / DEBUG / TRACE, plus kstream's OFF (no timing at all). */
export type RecordingLevel = 'INFO' | 'DEBUG' | 'TRACE' | 'OFF';

export const RECORDING_LEVELS: readonly RecordingLevel[] = ['INFO', 'DEBUG', 'TRACE', 'OFF'];

/** A task's life as the console shows it. */
export type TaskPhase = 'RESTORING' | 'RUNNING';

/** A windowed maximum: the largest value recorded in the current and the previous window. */
class WindowedMax {
  private current = 0;
  private previous = 0;
  private windowStart = 0;

  constructor(private readonly windowMs: number) {}

  record(value: number, now: number): void {
    if (now - this.windowStart >= this.windowMs) {
      this.previous = now - this.windowStart >= 2 * this.windowMs ? 0 : this.current;
      this.current = 0;
      this.windowStart = now;
    }
    if (value > this.current) this.current = value;
  }

  get value(): number {
    return Math.max(this.current, this.previous);
  }
}

const SAMPLE_WINDOW_MS = 30_000;

export class PartitionLag {
  lag = 0;
  private readonly max = new WindowedMax(SAMPLE_WINDOW_MS);

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly taskId: string,
  ) {}

  record(lag: number, now: number): void {
    this.lag = lag;
    this.max.record(lag, now);
  }

  get maxLag(): number {
    return this.max.value;
  }
}

export class StoreRestore {
  remaining = 0;
  restored = 0;
  total = 0;
}

/** A store's operations, counted at DEBUG level only (see metered-store.ts). */
export class StoreOps {
  puts = 0;
  gets = 0;
  getMs = 0;
}

export class TaskSensors {
  phase: TaskPhase = 'RESTORING';
  processed = 0;
  processMs = 0;
  punctuations = 0;
  readonly restores = new Map<string, StoreRestore>();
  readonly stores = new Map<string, StoreOps>();

  constructor(
    readonly taskId: string,
    private readonly thread: ThreadSensors,
  ) {}

  /** Whether processing is timed (metrics.recording.level is not OFF). */
  get timed(): boolean {
    return this.thread.enabled;
  }

  /** One call of the task's process(): `records` processed in `ms` (timed only when enabled). */
  processedBatch(records: number, ms: number): void {
    this.processed += records;
    this.processMs += ms;
    this.thread.processedBatch(records, ms);
  }

  store(name: string): StoreOps {
    let ops = this.stores.get(name);
    if (ops === undefined) this.stores.set(name, (ops = new StoreOps()));
    return ops;
  }

  punctuated(): void {
    this.punctuations++;
    this.thread.punctuations++;
  }

  restoring(store: string, total: number): StoreRestore {
    let r = this.restores.get(store);
    if (r === undefined) this.restores.set(store, (r = new StoreRestore()));
    r.total = total;
    r.remaining = total;
    r.restored = 0;
    return r;
  }

  get restoreRemaining(): number {
    let n = 0;
    for (const r of this.restores.values()) n += r.remaining;
    return n;
  }

  get restored(): number {
    let n = 0;
    for (const r of this.restores.values()) n += r.restored;
    return n;
  }
}

/** One worker's sensors: thread-level totals, its tasks' sensors and the lag of its input partitions. */
export class ThreadSensors {
  /** Whether timings are taken (metrics.recording.level is not OFF). */
  enabled = true;
  level: RecordingLevel = 'INFO';
  readonly startedAt = Date.now();
  processMs = 0;
  processLatencyMax = new WindowedMax(SAMPLE_WINDOW_MS);
  polls = 0;
  pollMs = 0;
  punctuations = 0;
  commits = 0;
  commitMs = 0;
  readonly commitLatencyMax = new WindowedMax(SAMPLE_WINDOW_MS);
  /** Prometheus histograms (timed levels only): one commit, and one process() call of a task (a batch). */
  readonly commitLatency = new LatencyHistogram();
  readonly processBatchLatency = new LatencyHistogram();
  /** The longest synchronous stretch of each turn of the worker loop (what a query on this process may wait behind). */
  readonly loopSlice = new LatencyHistogram();
  rebalances = 0;
  tasksCreated = 0;
  tasksClosed = 0;
  readonly tasks = new Map<string, TaskSensors>();
  /** By `topic/partition`. */
  readonly lags = new Map<string, PartitionLag>();

  configure(level: RecordingLevel): void {
    this.level = level;
    this.enabled = level !== 'OFF';
  }

  task(taskId: string): TaskSensors {
    let t = this.tasks.get(taskId);
    if (t === undefined) {
      this.tasks.set(taskId, (t = new TaskSensors(taskId, this)));
      this.tasksCreated++;
    }
    return t;
  }

  taskClosed(taskId: string): void {
    if (!this.tasks.delete(taskId)) return;
    this.tasksClosed++;
    for (const [key, l] of this.lags) if (l.taskId === taskId) this.lags.delete(key);
  }

  processedBatch(records: number, ms: number): void {
    this.processMs += ms;
    if (records > 0 && this.enabled) {
      this.processLatencyMax.record(ms / records, Date.now());
      this.processBatchLatency.record(ms);
    }
  }

  polled(ms: number): void {
    this.polls++;
    this.pollMs += ms;
  }

  committed(ms: number): void {
    this.commits++;
    this.commitMs += ms;
    this.commitLatencyMax.record(ms, Date.now());
    if (this.enabled) this.commitLatency.record(ms);
  }

  loopTurn(longestSliceMs: number): void {
    if (this.enabled) this.loopSlice.record(longestSliceMs);
  }

  lag(topic: string, partition: number, taskId: string, lag: number, now: number): void {
    const key = `${topic}/${partition}`;
    let l = this.lags.get(key);
    if (l === undefined || l.taskId !== taskId) this.lags.set(key, (l = new PartitionLag(topic, partition, taskId)));
    l.record(lag, now);
  }
}
