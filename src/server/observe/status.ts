/** The console's view of a running application, read once a second by the page (GET /console/status.json). */
import type { KafkaStreams } from '../../runtime/kafka-streams.js';
import type { Metric } from '../../runtime/metrics/metric.js';
import type { DeadLetter } from './dead-letters.js';

export interface TaskStatus {
  readonly id: string;
  readonly phase: 'RESTORING' | 'RUNNING';
  readonly processRate: number;
  readonly processTotal: number;
  readonly lag: number;
  /** Restore progress 0..1 (1 when nothing is left to restore). */
  readonly restoreProgress: number;
  readonly restoreRemaining: number;
}

export interface ConsoleStatus {
  readonly applicationId: string;
  readonly state: string;
  readonly at: number;
  readonly worker: { readonly threadId: string; readonly processRate: number; readonly processTotal: number; readonly lag: number; readonly commitLatencyAvg: number; readonly deadLetters: number };
  readonly tasks: readonly TaskStatus[];
  readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly lag: number }>;
  readonly deadLetters: readonly DeadLetter[];
  readonly queries: ReadonlyArray<{ readonly id: string; readonly sql: string }>;
}

function byTask(metrics: readonly Metric[], group: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics) if (m.group === group && m.name === name && m.tags['task-id'] !== undefined) out.set(m.tags['task-id'], m.value);
  return out;
}

function threadValue(metrics: readonly Metric[], name: string): number {
  return metrics.find((m) => m.group === 'stream-thread-metrics' && m.name === name)?.value ?? 0;
}

export function consoleStatus(streams: KafkaStreams, deadLetters: readonly DeadLetter[], queries: ConsoleStatus['queries']): ConsoleStatus {
  const metrics = streams.metrics();
  const rate = byTask(metrics, 'stream-task-metrics', 'process-rate');
  const total = byTask(metrics, 'stream-task-metrics', 'process-total');
  const remaining = byTask(metrics, 'stream-task-metrics', 'restore-remaining-records-total');
  const restored = byTask(metrics, 'stream-task-metrics', 'restore-total');
  const partitions: Array<{ topic: string; partition: number; lag: number }> = [];
  const lagByTask = new Map<string, number>();
  for (const m of metrics) {
    const task = m.tags['task-id'];
    if (m.name !== 'records-lag' || m.tags['topic'] === undefined || task === undefined) continue;
    partitions.push({ topic: m.tags['topic'], partition: Number(m.tags['partition']), lag: m.value });
    lagByTask.set(task, (lagByTask.get(task) ?? 0) + m.value);
  }
  const tasks: TaskStatus[] = [...rate.keys()]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((id) => {
      const left = remaining.get(id) ?? 0;
      const done = restored.get(id) ?? 0;
      return {
        id,
        phase: left > 0 ? 'RESTORING' : 'RUNNING',
        processRate: rate.get(id) ?? 0,
        processTotal: total.get(id) ?? 0,
        lag: lagByTask.get(id) ?? 0,
        restoreProgress: left === 0 ? 1 : done / (done + left),
        restoreRemaining: left,
      };
    });
  let lag = 0;
  for (const p of partitions) lag += p.lag;
  return {
    applicationId: streams.config.applicationId,
    state: streams.state(),
    at: Date.now(),
    worker: {
      threadId: metrics.find((m) => m.tags['thread-id'] !== undefined)?.tags['thread-id'] ?? '',
      processRate: threadValue(metrics, 'process-rate'),
      processTotal: threadValue(metrics, 'process-total'),
      lag,
      commitLatencyAvg: threadValue(metrics, 'commit-latency-avg'),
      deadLetters: threadValue(metrics, 'dead-letter-records-total'),
    },
    tasks,
    partitions,
    deadLetters,
    queries,
  };
}
