import type { RawHeaders } from '../processor/headers.js';
import type { StreamRecord } from '../processor/record.js';
import { tpKey, type WireBytes } from '../log/types.js';
import type { SourceRuntime } from './node-runtime.js';
import type { TimedOutRecord } from './timed-out-record.js';

/** The bytes of a queued record as read from the log or handed over in-process (offsets are kept apart). */
export interface QueuedBytes {
  readonly topic: string;
  readonly partition: number;
  readonly key: WireBytes;
  readonly value: WireBytes;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

/** Why a queued record cannot be processed; handled in its turn so offsets stay in order. */
export type QueueFailure =
  | { kind: 'deserialization'; error: unknown }
  | { kind: 'invalid-timestamp'; timestamp: number }
  | { kind: 'timed-out'; record: TimedOutRecord };

/**
 * The buffered records of one input partition of a task, in offset order, decoded at the source.
 * Kept as parallel arrays (no wrapper object per record); poll() leaves the head in `polled*`.
 */
export class RecordQueue {
  private raws: QueuedBytes[] = [];
  private offsets: number[] = [];
  private records: Array<StreamRecord<unknown, unknown> | null> = [];
  private failures: Map<number, QueueFailure> | null = null;
  private head = 0;
  polledRaw: QueuedBytes | null = null;
  polledOffset = -1;
  polledRecord: StreamRecord<unknown, unknown> | null = null;
  polledFailure: QueueFailure | undefined;
  /** Largest timestamp seen on this partition (Kafka Streams' partition time); -1 before any. */
  partitionTime = -1;
  /** Next offset the consumer will fetch. */
  fetchPosition = 0;
  /** End of the partition as the latest fetch response gave it; -1 while unknown (not fetched since the assignment). */
  knownEnd = -1;
  /** Next offset to commit: one past the last record processed (or skipped). */
  consumedOffset = -1;
  /** When this queue was first seen empty while others had records (for max.task.idle.ms); -1 if not. */
  idleSince = -1;
  /** Id of this partition on the watchdog's heartbeat. */
  beatId = -1;
  /** Offset of a record that got stuck in an earlier run (see timed-out-record.ts); -1 if none. */
  timedOutOffset = -1;

  /** tpKey(topic, partition). */
  readonly key: string;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: SourceRuntime,
  ) {
    this.key = tpKey(topic, partition);
  }

  get size(): number {
    return this.records.length - this.head;
  }

  /**
   * True when the log may hold records of this partition that are not fetched yet: its end is past
   * the fetch position, or not known yet (Kafka Streams waits while the fetched lag is unknown).
   */
  get lagging(): boolean {
    return this.knownEnd < 0 || this.knownEnd > this.fetchPosition;
  }

  headTimestamp(): number {
    const r = this.records[this.head];
    return r !== null && r !== undefined ? r.timestamp : this.raws[this.head]!.timestamp;
  }

  add(raw: QueuedBytes, offset: number, record: StreamRecord<unknown, unknown> | null, failure?: QueueFailure): void {
    this.raws.push(raw);
    this.offsets.push(offset);
    this.records.push(record);
    if (failure !== undefined) (this.failures ??= new Map()).set(offset, failure);
  }

  poll(): void {
    const i = this.head++;
    this.polledRaw = this.raws[i]!;
    this.polledOffset = this.offsets[i]!;
    this.polledRecord = this.records[i]!;
    this.polledFailure = undefined;
    if (this.failures !== null) {
      this.polledFailure = this.failures.get(this.polledOffset);
      if (this.polledFailure !== undefined) this.failures.delete(this.polledOffset);
    }
    this.raws[i] = undefined as unknown as QueuedBytes;
    this.records[i] = null;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.raws = this.raws.slice(this.head);
      this.offsets = this.offsets.slice(this.head);
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.raws = [];
    this.offsets = [];
    this.records = [];
    this.failures = null;
    this.head = 0;
  }
}
