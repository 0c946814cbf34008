import { readLong, writeLong } from '../serde/long-bytes.js';
import type { ChangelogRecord, ManagedStore, StoreInitContext } from './managed-store.js';
import { StoreBuilderBase } from './store-builder-base.js';
import type { StateStore } from './store.js';

/**
 * The shared store of a left/outer stream-stream join (Kafka Streams' "outer shared" list-value
 * store): records that found no partner yet, keyed `timestamp(8) ‖ side(1: right = 0, left = 1) ‖
 * key`, each key holding the list of values seen with it. The join iterates it in key order
 * (ascending time, right before left) to emit records whose window closed.
 *
 * It lives in memory in sorted order (iteration is synchronous on the hot path) and is made durable
 * through its changelog: each change logs the key's whole list (`count(4) ‖ (len(4) ‖ bytes)*`) or
 * a tombstone; a restore replays it.
 */

export const LEFT_SIDE = 1;
export const RIGHT_SIDE = 0;

export interface OuterEntry {
  readonly id: string;
  /** `timestamp ‖ side ‖ key` */
  readonly storeKey: Buffer;
  readonly timestamp: number;
  readonly side: number;
  readonly keyBytes: Buffer;
  values: Buffer[];
}

export function outerStoreKey(timestamp: number, side: number, keyBytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + keyBytes.length);
  writeLong(out, 0, timestamp);
  out[8] = side;
  keyBytes.copy(out, 9);
  return out;
}

function encodeList(values: readonly Buffer[]): Buffer {
  let n = 4;
  for (const v of values) n += 4 + v.length;
  const out = Buffer.allocUnsafe(n);
  out.writeInt32BE(values.length, 0);
  let o = 4;
  for (const v of values) {
    out.writeInt32BE(v.length, o);
    v.copy(out, o + 4);
    o += 4 + v.length;
  }
  return out;
}

function decodeList(data: Buffer): Buffer[] {
  const count = data.readInt32BE(0);
  const out: Buffer[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    const n = data.readInt32BE(o);
    out.push(Buffer.from(data.subarray(o + 4, o + 4 + n)));
    o += 4 + n;
  }
  return out;
}

export class OuterJoinStore implements ManagedStore, StateStore {
  readonly persistent = false;
  private readonly byId = new Map<string, OuterEntry>();
  /** Ids in byte order (latin1 strings compare like their bytes). */
  private sorted: string[] = [];
  private ctx!: StoreInitContext;
  private lastCheckpoint: number | undefined;

  constructor(readonly name: string) {}

  init(ctx: StoreInitContext): void {
    this.ctx = ctx;
  }

  get size(): number {
    return this.byId.size;
  }

  private locate(id: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private log(storeKey: Buffer, values: readonly Buffer[] | null, timestamp: number): void {
    const topic = this.ctx.changelogTopic;
    if (topic !== null) this.ctx.logChange(topic, this.ctx.changelogPartition, storeKey, values === null ? null : encodeList(values), timestamp);
  }

  private set(storeKey: Buffer, values: Buffer[]): OuterEntry {
    const id = storeKey.toString('latin1');
    let e = this.byId.get(id);
    if (e === undefined) {
      e = { id, storeKey, timestamp: readLong(storeKey, 0), side: storeKey[8]!, keyBytes: storeKey.subarray(9), values };
      this.byId.set(id, e);
      const at = this.locate(id);
      if (at === this.sorted.length) this.sorted.push(id);
      else this.sorted.splice(at, 0, id);
    } else {
      e.values = values;
    }
    return e;
  }

  private remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    const at = this.locate(id);
    if (this.sorted[at] === id) this.sorted.splice(at, 1);
    return true;
  }

  /** Adds a value to the list of (timestamp, side, key). */
  append(timestamp: number, side: number, keyBytes: Buffer, value: Buffer, recordTimestamp: number): void {
    const storeKey = outerStoreKey(timestamp, side, keyBytes);
    const existing = this.byId.get(storeKey.toString('latin1'));
    const values = existing === undefined ? [value] : [...existing.values, value];
    this.set(storeKey, values);
    this.log(storeKey, values, recordTimestamp);
  }

  /** Removes (timestamp, side, key) if present (a partner arrived, or it was emitted). */
  delete(timestamp: number, side: number, keyBytes: Buffer, recordTimestamp: number): void {
    const storeKey = outerStoreKey(timestamp, side, keyBytes);
    if (this.remove(storeKey.toString('latin1'))) this.log(storeKey, null, recordTimestamp);
  }

  deleteEntry(e: OuterEntry, recordTimestamp: number): void {
    if (this.remove(e.id)) this.log(e.storeKey, null, recordTimestamp);
  }

  /** The entries in key order (a snapshot: deleting while iterating is safe). */
  entries(): OuterEntry[] {
    return this.sorted.map((id) => this.byId.get(id)!);
  }

  // ---- managed ------------------------------------------------------------------------------

  restoreFrom(): number {
    return this.lastCheckpoint ?? 0;
  }

  restore(records: readonly ChangelogRecord[]): void {
    for (const r of records) {
      if (r.key === null || r.key.length < 9) continue;
      const storeKey = Buffer.from(r.key);
      if (r.value === null) this.remove(storeKey.toString('latin1'));
      else this.set(storeKey, decodeList(r.value));
    }
  }

  flushCache(): void {}

  pendingBytes(): number {
    return 0;
  }

  async commit(changelogEnd: number | undefined): Promise<void> {
    if (changelogEnd !== undefined) this.lastCheckpoint = changelogEnd;
  }

  async close(): Promise<void> {}

  async wipe(): Promise<void> {
    this.byId.clear();
    this.sorted = [];
    this.lastCheckpoint = undefined;
  }

  facade(): this {
    return this;
  }
}

export class OuterJoinStoreBuilder extends StoreBuilderBase {
  readonly kind = 'keyValue' as const;
  readonly persistent = false;

  constructor(readonly name: string) {
    super();
  }

  build(): OuterJoinStore {
    return new OuterJoinStore(this.name);
  }
}
