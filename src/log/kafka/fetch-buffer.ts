/**
 * Fetched data that poll() has not taken yet, bounded in bytes. The consumer fetches in the
 * background; without a bound, a worker that processes slower than the broker serves would hold
 * one response per partition (`max.partition.fetch.bytes` each) for every assigned partition.
 * Here the record-set bytes held are bounded by `fetch.max.bytes`: no new fetch is sent while the
 * buffer is at the bound, and a fetch asks for no more than the room left (the broker still
 * returns at least one record batch, so a batch larger than the room cannot stall the consumer).
 * poll() empties the buffer, which makes room again.
 */
import { tpKey, type ConsumedBatch } from '../types.js';

export class FetchBuffer {
  private batches: ConsumedBatch[] = [];
  /** Record-set bytes of each batch, in the same order. */
  private sizes: number[] = [];
  private readonly partitions = new Set<string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes of fetched record sets held. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  /** Whether a partition has data here (it is not fetched again until poll() took it). */
  holds(topic: string, partition: number): boolean {
    return this.partitions.has(tpKey(topic, partition));
  }

  /** How many bytes the next fetch may ask for; 0: none may be sent now. */
  room(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  /** Holds a partition's decoded batch; `bytes` is the size of the record set it came from. */
  add(batch: ConsumedBatch, bytes: number): void {
    this.batches.push(batch);
    this.sizes.push(bytes);
    this.partitions.add(tpKey(batch.topic, batch.partition));
    this.bytes += bytes;
  }

  /** Everything held, oldest first; the buffer is empty afterwards. */
  take(): ConsumedBatch[] {
    const out = this.batches;
    this.clear();
    return out;
  }

  /** Drops a partition's data (after a seek its buffered records are stale). */
  drop(topic: string, partition: number): void {
    if (!this.partitions.delete(tpKey(topic, partition))) return;
    const batches: ConsumedBatch[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (b.topic === topic && b.partition === partition) this.bytes -= this.sizes[i]!;
      else {
        batches.push(b);
        sizes.push(this.sizes[i]!);
      }
    }
    this.batches = batches;
    this.sizes = sizes;
  }

  clear(): void {
    this.batches = [];
    this.sizes = [];
    this.partitions.clear();
    this.bytes = 0;
  }
}
