import type { Headers } from '../processor/headers.js';
import { longBytes, readLong, writeLong } from '../serde/long-bytes.js';
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
 * How far behind its changelog's stream time a store keeps data while it restores or is a standby
 * (beyond its retention). Under at_least_once the changelog can be ahead of the committed input
 * offsets; the next owner resumes from those, and the windows its reprocessed records fall into must
 * still be there (a smaller aggregate from scratch would be wrong, dropping the record loses its
 * update when that output was lost). Kafka Streams expires by the restored stream time alone.
 */
export const RESTORE_HOLD_BACK_MS = 5 * 60_000;

/** No time is below this. */
const NONE = Number.MIN_SAFE_INTEGER;

/**
 * Expiry bookkeeping of one segmented store: the store's observed stream time (largest segment
 * timestamp put or restored: window start or session end), Kafka Streams' rule for dropping an
 * expired put, the visibility bound, and physical segment deletion.
 *
 * A store restored (or kept as a standby) ahead of the stream time its task resumes at follows the
 * task's stream time instead (the "effective" time) until processing catches up, and keeps
 * `RESTORE_HOLD_BACK_MS` more while restoring: windows that are open again for the reprocessed
 * records stay readable. `heldFrom` is the smallest segment time whose data is still complete; reads
 * never go below it. In normal processing (nothing restored ahead) every bound is Kafka Streams'.
 */
export class SegmentClock {
  /** Largest segment timestamp written or restored (-1 before the first). */
  observedStreamTime = -1;
  /** Largest segment timestamp restored (or loaded with the local data). */
  private restoredTime = -1;
  /** Largest segment timestamp put by processing since the store opened. */
  private liveTime = -1;
  /** Restored data may be ahead of the task's stream time (until a put or the task catches up). */
  private ahead = false;
  /** Data below this segment time is gone or incomplete. */
  private heldFrom = NONE;
  private droppedBelow = 0;
  private readonly ksSegmentMs: number;

  constructor(
    readonly retentionMs: number,
    /** Physical segment length in the engine. */
    readonly segmentMs: number,
    /** Persistent stores follow RocksDB's segment rule, in-memory ones InMemoryWindowStore's. */
    private readonly persistentSemantics: boolean,
    /** The owning task's stream time (-1: unknown, e.g. a standby or a task still restoring). */
    private readonly taskStreamTime: () => number = () => -1,
  ) {
    this.ksSegmentMs = ksSegmentInterval(retentionMs);
  }

  /** A put by processing at `time`. */
  observe(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    if (time > this.liveTime) {
      this.liveTime = time;
      if (time >= this.restoredTime) this.ahead = false;
    }
  }

  /** A changelog record at `time` applied by a restore (or a standby). */
  observeRestored(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    if (time > this.restoredTime) {
      this.restoredTime = time;
      if (time > this.liveTime) this.ahead = true;
    }
  }

  /**
   * The stream time expiry and visibility follow: the observed one, or, while restored data is
   * ahead of the task's stream time, the task's (or the latest put, when later).
   */
  effectiveTime(): number {
    if (!this.ahead) return this.observedStreamTime;
    const task = this.taskStreamTime();
    if (task < 0) return this.observedStreamTime;
    // (+1: a sliding window's right window starts one past its record.)
    if (this.restoredTime <= task + 1) {
      this.ahead = false;
      return this.observedStreamTime;
    }
    return task > this.liveTime ? task : this.liveTime;
  }

  /** A put at `time` (after observe) is dropped as Kafka Streams drops puts into expired segments. */
  isExpiredPut(time: number): boolean {
    const now = this.effectiveTime();
    if (this.persistentSemantics) {
      const minLiveSegment = javaDiv(now - this.retentionMs, this.ksSegmentMs);
      return javaDiv(time, this.ksSegmentMs) < minLiveSegment;
    }
    return time <= now - this.retentionMs;
  }

  /** Smallest segment timestamp still visible to reads. */
  visibleFrom(): number {
    const v = this.effectiveTime() - this.retentionMs + 1;
    return v > this.heldFrom ? v : this.heldFrom;
  }

  /**
   * Segment times below this were dropped although the store, in step with its task's stream time,
   * would still hold them (restored too far ahead of where the task resumed): a record that needs
   * them must be dropped rather than aggregated from less. NONE when there are none.
   */
  lostBefore(): number {
    return this.heldFrom > this.effectiveTime() - this.retentionMs + 1 ? this.heldFrom : NONE;
  }

  /** A restored record at `time` (after observeRestored) is older than what a restore keeps. */
  isExpiredRestore(time: number): boolean {
    return time < this.restoreHorizon() || time < this.heldFrom;
  }

  private restoreHorizon(): number {
    return this.observedStreamTime - this.retentionMs - RESTORE_HOLD_BACK_MS + 1;
  }

  /** Deletes the engine's physical segments that hold only invisible data (after puts). */
  dropExpiredSegments(engine: StoreEngine): void {
    this.hold(this.effectiveTime() - this.retentionMs + 1, engine);
  }

  /** Deletes the physical segments older than what a restore keeps (after a restored batch). */
  dropRestoredSegments(engine: StoreEngine): void {
    this.hold(this.restoreHorizon(), engine);
  }

  private hold(from: number, engine: StoreEngine): void {
    if (from > this.heldFrom) this.heldFrom = from;
    const below = Math.floor(this.heldFrom / this.segmentMs);
    if (below > this.droppedBelow) {
      engine.deleteRange(segmentPrefix(this.droppedBelow), segmentPrefix(below));
      this.droppedBelow = below;
    }
  }

  reset(): void {
    this.observedStreamTime = -1;
    this.restoredTime = -1;
    this.liveTime = -1;
    this.ahead = false;
    this.heldFrom = NONE;
    this.droppedBelow = 0;
  }

  /**
   * Stream time and the held bound survive a reopen of a persistent store (kept under keys above
   * every segment), so reads stay bounded to the live segments right away. Local data counts as
   * restored: it may be ahead of the committed offsets the task resumes from.
   */
  load(engine: StoreEngine): void {
    const raw = engine.get(META_KEY);
    if (raw === undefined || raw.length !== 8) return;
    this.observeRestored(readLong(raw, 0));
    const held = engine.get(META_HELD_KEY);
    this.heldFrom = held !== undefined && held.length === 8 ? readLong(held, 0) : this.observedStreamTime - this.retentionMs + 1;
  }

  save(engine: StoreEngine): void {
    if (this.observedStreamTime < 0) return;
    saveLong(engine, META_KEY, this.observedStreamTime);
    if (this.heldFrom !== NONE) saveLong(engine, META_HELD_KEY, this.heldFrom);
  }
}

function saveLong(engine: StoreEngine, key: Buffer, value: number): void {
  const prev = engine.get(key);
  if (prev !== undefined && prev.length === 8 && readLong(prev, 0) === value) return;
  engine.put(key, longBytes(value));
}

/** Above every segment prefix (segment ids stay below 2^53), so segment range deletes never touch it. */
const META_KEY = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x6d]);
const META_HELD_KEY = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x68]);

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
