import { Level } from 'level';
import { rm, mkdir, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreEngine } from './engine.js';

const DATA = 0x01;
const CHECKPOINT_KEY = Buffer.from([0x00, 0x63]); // 0x00 'c': outside the data key space

function dataKey(key: Buffer): Buffer {
  const k = Buffer.allocUnsafe(key.length + 1);
  k[0] = DATA;
  key.copy(k, 1);
  return k;
}

function bound(key: Buffer | null, ifNull: number): Buffer {
  return key === null ? Buffer.from([ifNull]) : dataKey(key);
}

/** A local store that failed its checks and cannot be rebuilt here: one line naming it and what to do. */
export class StoreDamageError extends Error {
  override readonly name = 'StoreDamageError';
}

export interface LevelDbOpenOptions {
  /** The store has a changelog: damaged local data is dropped and restored from it. */
  readonly rebuildable?: boolean;
  /** Where the engine says that it dropped damaged local data. */
  readonly warn?: (message: string) => void;
  /** Commits write to LevelDB at most this often (see LevelDbEngine.commit); default STORE_WRITE_INTERVAL_MS. */
  readonly writeIntervalMs?: number;
}

/**
 * A commit writes the store's pending data to LevelDB only when the last write is this old (or
 * STORE_WRITE_BYTES wait): a key updated at every commit of 100 ms (exactly_once) is written once
 * per interval instead of at each. What is not written yet is served from memory; on disk the
 * store keeps the data and checkpoint of its last write, which a restore continues from.
 */
export const STORE_WRITE_INTERVAL_MS = 1_000;
export const STORE_WRITE_BYTES = 4 * 1024 * 1024;

/** The changelog offset in a checkpoint value, or undefined when the value is damaged (-1: no changelog). */
function parseCheckpoint(value: Buffer): number | undefined {
  if (value.length !== 8) return undefined;
  const offset = value.readBigInt64BE(0);
  return offset >= -1n && offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : undefined;
}

const INFO_LOG_BYTES = 64 * 1024;

/**
 * What LevelDB's info log (`LOG`, new at each open) says it dropped while recovering its
 * write-ahead log: a damaged record is skipped there, not reported to the caller.
 */
async function droppedOnRecovery(path: string): Promise<string | undefined> {
  let text: string;
  try {
    const file = await openFile(join(path, 'LOG'), 'r');
    try {
      const buf = Buffer.alloc(INFO_LOG_BYTES);
      const { bytesRead } = await file.read(buf, 0, INFO_LOG_BYTES, 0);
      text = buf.toString('utf8', 0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => /dropping \d+ bytes|Corruption/.test(l));
  return line === undefined ? undefined : line.replace(/^\S+ \S+ /, '').trim();
}

interface PendingWrite {
  key: Buffer;
  value: Buffer | null;
  /** The engine's `generation` while this write is in `pending`; -1 once dropped from it. */
  generation: number;
}

/**
 * A LevelDB (`level`) engine. Reads are synchronous (`getSync`) so that processing stays
 * synchronous per batch; writes wait in `pending` and go to disk in one atomic batch with the
 * checkpoint of a commit (not every commit: see STORE_WRITE_INTERVAL_MS).
 */
export class LevelDbEngine implements StoreEngine {
  readonly persistent = true;
  /** Writes not in LevelDB yet: those of commits not written yet, then those since the last commit. */
  private pending = new Map<string, PendingWrite>();
  /** Writes of the previous LevelDB write while LevelDB applies them (still served from memory). */
  private inflight: Map<string, PendingWrite> | null = null;
  private inflightDone: Promise<void> = Promise.resolve();
  private pendingSize = 0;
  /** Counts the `pending` maps (a new one at each LevelDB write): tells a live slot (putAt) from a written one. */
  private generation = 0;
  /** Bytes put since the last commit (what the next commit must cover). */
  private uncommittedBytes = 0;
  /** Something was written since the last commit: `pending` is ahead of every checkpoint. */
  private uncommitted = false;
  private rangeDeletes: Array<[Buffer, Buffer]> = [];
  /** Checkpoint of the last commit (the data in memory reflects it; LevelDB may hold an older one). */
  private lastCheckpoint: number | undefined;
  /** The last commit's checkpoint is not in LevelDB yet. */
  private checkpointUnwritten = false;
  private lastWriteAt = performance.now();
  private approxEntries = 0;
  private hasCheckpointKey = false;

  private constructor(
    private readonly db: Level<Buffer, Buffer>,
    private readonly path: string,
    private readonly writeIntervalMs: number,
  ) {}

  static async open(path: string, options: LevelDbOpenOptions = {}): Promise<LevelDbEngine> {
    await mkdir(path, { recursive: true });
    const db = new Level<Buffer, Buffer>(path, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      createIfMissing: true,
      writeBufferSize: 16 * 1024 * 1024,
    } as any);
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      throw new StoreDamageError(`state store ${path} cannot be opened (${cause.split('\n')[0]}); delete that folder to rebuild the store from its changelog`);
    }
    const engine = new LevelDbEngine(db, path, options.writeIntervalMs ?? STORE_WRITE_INTERVAL_MS);
    const cp = db.getSync(CHECKPOINT_KEY);
    const offset = cp === undefined ? undefined : parseCheckpoint(cp);
    const dropped = await droppedOnRecovery(path);
    const problem =
      cp !== undefined && offset === undefined ? `its checkpoint is damaged (0x${cp.subarray(0, 16).toString('hex')})` : dropped === undefined ? undefined : `LevelDB recovered it with a loss: ${dropped}`;
    if (problem !== undefined) {
      if (offset === -1 || !options.rebuildable) {
        await db.close();
        throw new StoreDamageError(`state store ${path} is damaged: ${problem}; it has no changelog to rebuild it from (delete that folder to start it empty)`);
      }
      options.warn?.(`state store ${path} is damaged: ${problem}; dropping its local data to restore it from its changelog`);
      await db.clear();
    } else if (cp === undefined) {
      // Data without a checkpoint cannot be trusted (nothing says what it reflects): start empty.
      await db.clear();
    } else {
      engine.hasCheckpointKey = true;
      engine.lastCheckpoint = offset! < 0 ? undefined : offset;
    }
    return engine;
  }

  get(key: Buffer, knownId?: string): Buffer | undefined {
    if (this.pending.size > 0 || this.inflight !== null) {
      const id = knownId ?? key.toString('latin1');
      const w = this.pending.get(id) ?? this.inflight?.get(id);
      if (w !== undefined) return w.value === null ? undefined : w.value;
    }
    return this.db.getSync(dataKey(key));
  }

  put(key: Buffer, value: Buffer | null, knownId?: string): void {
    this.putAt(undefined, key, value, knownId ?? key.toString('latin1'));
  }

  putAt(slot: unknown, key: Buffer, value: Buffer | null, id: string): PendingWrite {
    const size = value === null ? 0 : value.length;
    let w = slot as PendingWrite | undefined;
    if (w === undefined || w.generation !== this.generation) w = this.pending.get(id);
    if (w !== undefined) {
      // Updated in place: the entry belongs to this map only (a write takes the whole map).
      this.pendingSize += size - (w.value === null ? 0 : w.value.length);
      w.value = value;
    } else {
      w = { key, value, generation: this.generation };
      this.pending.set(id, w);
      this.pendingSize += key.length + 48 + size;
    }
    this.uncommittedBytes += key.length + size;
    this.uncommitted = true;
    return w;
  }

  deleteRange(from: Buffer, to: Buffer): void {
    this.uncommitted = true;
    this.rangeDeletes.push([from, to]);
    const lo = from.toString('latin1');
    const hi = to.toString('latin1');
    for (const [id, w] of this.pending) {
      if (id >= lo && id < hi) {
        w.generation = -1;
        this.pending.delete(id);
      }
    }
    // Expired data still in flight must not be read either.
    if (this.inflight !== null) for (const id of this.inflight.keys()) if (id >= lo && id < hi) this.inflight.delete(id);
  }

  scan(): Iterable<[Buffer, Buffer]> {
    throw new Error(
      'this store is persistent (LevelDB): ordered scans are asynchronous here; use rangeAsync()/allAsync() ' +
        '(e.g. from an async punctuator) or an in-memory store',
    );
  }

  async *scanAsync(from: Buffer | null, to: Buffer | null, reverse: boolean): AsyncIterable<[Buffer, Buffer]> {
    await this.inflightDone;
    // Merge the committed data with pending writes so that a scan sees this task's own updates.
    // Copies: pending entries are updated in place while the scan awaits.
    const overlay = [...this.pending.values()]
      .map((w) => ({ key: w.key, value: w.value }))
      .filter((w) => (from === null || Buffer.compare(w.key, from) >= 0) && (to === null || Buffer.compare(w.key, to) < 0))
      .sort((a, b) => (reverse ? Buffer.compare(b.key, a.key) : Buffer.compare(a.key, b.key)));
    const it = this.db.iterator({ gte: bound(from, DATA), lt: bound(to, DATA + 1), reverse });
    let o = 0;
    try {
      for (;;) {
        const batch = await it.nextv(1000);
        if (batch.length === 0) break;
        for (const [rawKey, value] of batch) {
          const key = rawKey.subarray(1);
          while (o < overlay.length && (reverse ? Buffer.compare(overlay[o]!.key, key) > 0 : Buffer.compare(overlay[o]!.key, key) < 0)) {
            const w = overlay[o++]!;
            if (w.value !== null) yield [w.key, w.value];
          }
          if (o < overlay.length && Buffer.compare(overlay[o]!.key, key) === 0) {
            const w = overlay[o++]!;
            if (w.value !== null) yield [w.key, w.value];
            continue;
          }
          yield [key, value];
        }
      }
      while (o < overlay.length) {
        const w = overlay[o++]!;
        if (w.value !== null) yield [w.key, w.value];
      }
    } finally {
      await it.close();
    }
  }

  approximateSize(): number {
    return this.approxEntries + this.pending.size;
  }

  /** Bytes written since the last commit (those of commits not written yet are bounded by STORE_WRITE_BYTES). */
  pendingBytes(): number {
    return this.uncommittedBytes;
  }

  /**
   * Commits the writes so far at `checkpoint`. They go to LevelDB with the checkpoint as one atomic
   * batch when the last such write is STORE_WRITE_INTERVAL_MS old, STORE_WRITE_BYTES wait, or a
   * range was deleted; otherwise they stay in memory for a later commit (or close) to write, and
   * LevelDB keeps the data and checkpoint of its last write. A write is started without waiting for
   * it: reads are served from the in-flight copy until LevelDB has it, and the next write (and close)
   * waits for it first, so batches stay ordered.
   */
  async commit(checkpoint: number | undefined): Promise<void> {
    await this.inflightDone;
    this.uncommitted = false;
    this.uncommittedBytes = 0;
    if (checkpoint !== undefined && checkpoint !== this.lastCheckpoint) {
      this.lastCheckpoint = checkpoint;
      this.checkpointUnwritten = true;
    }
    if (this.pending.size === 0 && this.rangeDeletes.length === 0 && !this.checkpointUnwritten && this.hasCheckpointKey) return;
    const due =
      !this.hasCheckpointKey ||
      this.rangeDeletes.length > 0 ||
      this.pendingSize >= STORE_WRITE_BYTES ||
      performance.now() - this.lastWriteAt >= this.writeIntervalMs;
    if (due) this.write();
  }

  /** Starts writing the pending data with the last commit's checkpoint as one LevelDB batch. */
  private write(): void {
    const batch = this.db.batch();
    for (const w of this.pending.values()) {
      if (w.value === null) batch.del(dataKey(w.key));
      else batch.put(dataKey(w.key), w.value);
    }
    // Always written: -1 marks a store without changelog whose data is still its own truth.
    const cp = Buffer.allocUnsafe(8);
    cp.writeBigInt64BE(BigInt(this.lastCheckpoint ?? -1), 0);
    batch.put(CHECKPOINT_KEY, cp);
    const written = this.pending;
    this.approxEntries += written.size;
    this.pending = new Map();
    this.generation++;
    this.pendingSize = 0;
    this.checkpointUnwritten = false;
    this.hasCheckpointKey = true;
    this.lastWriteAt = performance.now();
    const deletes = this.rangeDeletes;
    this.rangeDeletes = [];
    this.inflight = written;
    this.inflightDone = (async () => {
      try {
        await batch.write();
        for (const [from, to] of deletes) await this.db.clear({ gte: dataKey(from), lt: dataKey(to) });
      } finally {
        if (this.inflight === written) this.inflight = null;
      }
    })();
  }

  /** Resolves once every started commit is on disk. */
  async settle(): Promise<void> {
    await this.inflightDone;
  }

  checkpoint(): number | undefined {
    return this.lastCheckpoint;
  }

  /**
   * Writes what was committed but not written yet, unless something was written since the last
   * commit (a task closed without committing, e.g. lost): then nothing is, and LevelDB keeps the
   * last write, from whose checkpoint a restore goes on.
   */
  async close(): Promise<void> {
    await this.inflightDone.catch(() => undefined);
    if (this.db.status === 'open' && !this.uncommitted && (this.pending.size > 0 || this.checkpointUnwritten)) {
      this.write();
      await this.inflightDone.catch(() => undefined);
    }
    if (this.db.status === 'open' || this.db.status === 'opening') await this.db.close();
  }

  async destroy(): Promise<void> {
    this.pending = new Map();
    this.generation++;
    this.checkpointUnwritten = false;
    await this.close();
    await rm(this.path, { recursive: true, force: true });
  }
}
