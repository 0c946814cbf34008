import type { InputRecord } from '../log/types.js';
import type { Headers } from '../processor/headers.js';
import type { SourceRuntime } from './node-runtime.js';

/** A record decoded at the source and stamped with its (extracted) timestamp. */
export interface StampedRecord {
  readonly raw: InputRecord;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** The buffered records of one input partition of a task, in offset order. */
export class RecordQueue {
  private items: StampedRecord[] = [];
  private head = 0;
  /** Largest timestamp seen on this partition (Kafka Streams' partition time); -1 before any. */
  partitionTime = -1;
  /** Next offset the consumer will fetch. */
  fetchPosition = 0;
  /** End of the partition as last reported by a fetch; -1 when unknown. */
  knownEnd = -1;
  /** Next offset to commit: one past the last record processed (or skipped). */
  consumedOffset = -1;
  /** When this queue was first seen empty while others had records (for max.task.idle.ms); -1 if not. */
  idleSince = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: SourceRuntime,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** True when the log holds records of this partition that are not fetched yet. */
  get lagging(): boolean {
    return this.knownEnd > this.fetchPosition;
  }

  headTimestamp(): number {
    return this.items[this.head]!.timestamp;
  }

  add(record: StampedRecord): void {
    this.items.push(record);
  }

  poll(): StampedRecord {
    const r = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as StampedRecord;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return r;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
