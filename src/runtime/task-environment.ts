import type { InputRecord } from '../log/types.js';
import type { RecordCache } from '../state/record-cache.js';
import type { StreamsConfig } from './config.js';
import type { Heartbeat } from './heartbeat.js';
import type { Metrics } from './metrics.js';
import type { StreamTask } from './stream-task.js';

/** What a task needs from the process around it: the real runtime and the test driver both provide it. */
export interface TaskEnvironment {
  readonly config: StreamsConfig;
  readonly cache: RecordCache;
  readonly metrics: Metrics;
  /** Wall-clock time (mocked by the test driver). */
  now(): number;
  /** Physical name of a topology topic: internal topics get the application id prefix. */
  physicalTopic(logical: string): string;
  /** Partition count of a topic records are written to (unknown topics are created with the task count of `task`'s sub-topology). */
  partitionsFor(topic: string, task: StreamTask): number;
  /** Directory for a store of a task; null keeps stores in memory. */
  storeDir(taskId: string, storeName: string): string | null;
  /** Decides what happens after a bad record or a failing processor: returns to continue, throws to stop. */
  onRecordError(task: StreamTask, kind: 'deserialization' | 'processing', record: InputRecord | null, error: unknown, nodeName?: string): void;
  requestCommit(): void;
  /** Where tasks announce the record they process, for the watchdog; none in the test driver. */
  readonly heartbeat?: Heartbeat;
}
