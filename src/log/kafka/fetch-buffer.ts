/**
 * Fetched data that poll() has not handed over yet, bounded in bytes, kept as the fetched bytes.
 *
 * - The record-set bytes held are bounded by `fetch.max.bytes`: no new fetch is sent while the
 *   buffer is at the bound, and a fetch asks for no more than the room left (the broker still
 *   returns at least one record batch, so a batch larger than the room cannot stall the consumer).
 *   Without a bound, a worker that processes slower than the broker serves would hold one response
 *   per partition (`max.partition.fetch.bytes` each) for every assigned partition.
 * - Records are decoded when poll() hands them over, at most `max.poll.records` per poll() (as
 *   Java's consumer does), and none of a paused partition: records wait here as bytes rather than
 *   as objects in the runtime's queues (which made them survive young-generation GCs: CPU and
 *   peak RSS). A partition's bytes count until all its records are handed over.
 */
import { tpKey, type ConsumedBatch } from '../types.js';
import type { RecordSetCursor } from './fetch.js';

interface Entry {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly cursor: RecordSetCursor;
  readonly endOffset: number;
  readonly bytes: number;
}

export class FetchBuffer {
  private entries: Entry[] = [];
  private readonly partitions = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxPollRecords = Infinity,
  ) {}

  /** Bytes of fetched record sets held. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Whether some partition that is not `paused` (tpKeys) has data to hand over. */
  hasReady(paused: ReadonlySet<string>): boolean {
    if (paused.size === 0) return this.entries.length > 0;
    for (const e of this.entries) if (!paused.has(e.key)) return true;
    return false;
  }

  /** Whether a partition has data here (it is not fetched again until poll() took it all). */
  holds(topic: string, partition: number): boolean {
    return this.partitions.has(tpKey(topic, partition));
  }

  /** How many bytes the next fetch may ask for; 0: none may be sent now. */
  room(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  /** Holds a partition's fetched records; `bytes` is the size of their record set. */
  add(topic: string, partition: number, cursor: RecordSetCursor, endOffset: number, bytes: number): void {
    const key = tpKey(topic, partition);
    this.entries.push({ topic, partition, key, cursor, endOffset, bytes });
    this.partitions.add(key);
    this.bytes += bytes;
  }

  /**
   * Up to `max.poll.records` records of the partitions not `paused`, oldest data first, shared
   * among the partitions that have some. A batch's `nextOffset` is where the partition goes on:
   * after its last record handed over while more of it waits here.
   */
  take(paused: ReadonlySet<string> = EMPTY_SET): ConsumedBatch[] {
    const out: ConsumedBatch[] = [];
    let ready = 0;
    for (const e of this.entries) if (!paused.has(e.key)) ready++;
    if (ready === 0) return out;
    let budget = this.maxPollRecords;
    const share = Math.max(1, Math.ceil(budget / ready));
    const kept: Entry[] = [];
    for (const e of this.entries) {
      if (budget <= 0 || paused.has(e.key)) {
        kept.push(e);
        continue;
      }
      const records = e.cursor.next(Math.min(share, budget));
      budget -= records.length;
      const done = e.cursor.done;
      if (records.length > 0 || done) out.push({ topic: e.topic, partition: e.partition, records, endOffset: e.endOffset, nextOffset: e.cursor.nextOffset });
      if (done) {
        this.partitions.delete(e.key);
        this.bytes -= e.bytes;
      } else {
        kept.push(e);
      }
    }
    this.entries = kept;
    return out;
  }

  /** Drops a partition's data (after a seek or a revocation its buffered records are stale). */
  drop(topic: string, partition: number): void {
    const key = tpKey(topic, partition);
    if (!this.partitions.delete(key)) return;
    this.entries = this.entries.filter((e) => {
      if (e.key !== key) return true;
      this.bytes -= e.bytes;
      return false;
    });
  }

  clear(): void {
    this.entries = [];
    this.partitions.clear();
    this.bytes = 0;
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();
