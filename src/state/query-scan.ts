import type { StoreEngine } from './engine.js';

/**
 * The rows of a full engine scan with a store's unflushed cache entries laid over them, for
 * interactive queries (which must see what the cache holds without flushing it). The overlay is
 * read before and after the scan: an entry flushed while the scan runs is seen through the first,
 * an update made meanwhile through the second. Rows are keyed by `rowOf`'s id; a null overlay
 * value deletes.
 */
export async function collectWithOverlay<R>(
  engine: StoreEngine,
  rowOf: (key: Buffer, raw: Buffer) => readonly [string, R] | null,
  overlay: () => ReadonlyMap<string, R | null>,
): Promise<R[]> {
  const before = overlay();
  const rows = new Map<string, R>();
  for await (const [k, raw] of engine.scanAsync(null, null, false)) {
    const r = rowOf(k, raw);
    if (r !== null) rows.set(r[0], r[1]);
  }
  for (const o of [before, overlay()]) {
    for (const [id, r] of o) {
      if (r === null) rows.delete(id);
      else rows.set(id, r);
    }
  }
  return [...rows.values()];
}
