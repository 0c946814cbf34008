import type { Headers } from '../processor/headers.js';
import { readLong, writeLong } from '../serde/long-bytes.js';
import type { StoreEngine } from './engine.js';
import type { StoreInitContext } from './managed-store.js';

/**
 * Shared pieces of the time-segmented stores (window, session): how Kafka Streams decides that a
 * write is expired, when data stops being visible, and how whole time segments leave the engine.
 *
 * Every engine key of a segmented store starts with the 8-byte big-endian id of its physical
 * segment, so dropping old data is one `deleteRange` per segment roll (a LevelDB range delete at
 * the next commit; reads never look at entries older than the visibility bound meanwhile).
 */

/** Kafka Streams' segment interval of persistent window/session stores. */
export function ksSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

/** Java's `long / long` (truncates toward zero), used for Kafka Streams' segment ids. */
function javaDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

export function segmentPrefix(segment: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeLong(b, 0, segment);
  return b;
}

/**
 * Expiry bookkeeping of one segmented store: the store's observed stream time (largest segment
 * timestamp put: window start or session end), Kafka Streams' rule for dropping an expired put,
 * the visibility bound, and physical segment deletion.
 */
export class SegmentClock {
  /** Largest segment timestamp written (-1 before the first write). */
  observedStreamTime = -1;
  private droppedBelow = 0;
  private readonly ksSegmentMs: number;

  constructor(
    readonly retentionMs: number,
    /** Physical segment length in the engine. */
    readonly segmentMs: number,
    /** Persistent stores follow RocksDB's segment rule, in-memory ones InMemoryWindowStore's. */
    private readonly persistentSemantics: boolean,
  ) {
    this.ksSegmentMs = ksSegmentInterval(retentionMs);
  }

  observe(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
  }

  /** A put at `time` (after observe) is dropped as Kafka Streams drops puts into expired segments. */
  isExpiredPut(time: number): boolean {
    if (this.persistentSemantics) {
      const minLiveSegment = javaDiv(this.observedStreamTime - this.retentionMs, this.ksSegmentMs);
      return javaDiv(time, this.ksSegmentMs) < minLiveSegment;
    }
    return time <= this.observedStreamTime - this.retentionMs;
  }

  /** Smallest segment timestamp still visible to reads. */
  visibleFrom(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }

  /** Deletes the engine's physical segments that hold only invisible data. */
  dropExpiredSegments(engine: StoreEngine): void {
    const below = Math.floor(this.visibleFrom() / this.segmentMs);
    if (below > this.droppedBelow) {
      engine.deleteRange(segmentPrefix(this.droppedBelow), segmentPrefix(below));
      this.droppedBelow = below;
    }
  }

  reset(): void {
    this.observedStreamTime = -1;
    this.droppedBelow = 0;
  }

  /**
   * Stream time survives a reopen of a persistent store (kept under a key above every segment),
   * so reads stay bounded to the live segments right away.
   */
  load(engine: StoreEngine): void {
    const raw = engine.get(META_KEY);
    if (raw !== undefined && raw.length === 8) this.observedStreamTime = readLong(raw, 0);
  }

  save(engine: StoreEngine): void {
    if (this.observedStreamTime < 0) return;
    const prev = engine.get(META_KEY);
    if (prev !== undefined && prev.length === 8 && readLong(prev, 0) === this.observedStreamTime) return;
    engine.put(META_KEY, segmentPrefix(this.observedStreamTime));
  }
}

/** Above every segment prefix (segment ids stay below 2^53), so segment range deletes never touch it. */
const META_KEY = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x6d]);

/** Reports a put into an expired segment (dropped-records metric + WARN), when the runtime listens. */
export function reportExpiredPut(ctx: StoreInitContext, storeName: string): void {
  ctx.onDroppedRecord?.(`Skipping record for expired segment. store=[${storeName}]`);
}

/** Sorted lists of fixed-size binary entries stored as one engine value (the per-key time indexes). */
export const SortedEntries = {
  /** Position of `probe` in `list` (entries of `width` bytes compared bytewise): [index, found]. */
  search(list: Buffer | undefined, probe: Buffer, width: number): [number, boolean] {
    if (list === undefined) return [0, false];
    let lo = 0;
    let hi = list.length / width;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = list.compare(probe, 0, width, mid * width, mid * width + width);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return [mid, true];
    }
    return [lo, false];
  },

  insert(list: Buffer | undefined, at: number, entry: Buffer, width: number): Buffer {
    if (list === undefined || list.length === 0) return Buffer.from(entry);
    const out = Buffer.allocUnsafe(list.length + width);
    list.copy(out, 0, 0, at * width);
    entry.copy(out, at * width);
    list.copy(out, at * width + width, at * width);
    return out;
  },

  remove(list: Buffer, at: number, width: number): Buffer | null {
    if (list.length <= width) return null;
    const out = Buffer.allocUnsafe(list.length - width);
    list.copy(out, 0, 0, at * width);
    list.copy(out, at * width, at * width + width);
    return out;
  },
};

/** Entries cached by a windowed/session caching layer, with the context of their last write. */
export interface CachedWrite<V> {
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers | undefined;
}
