/**
 * The chaos test's verdict: a sequential reference computation over the input as the log holds it
 * (so that a record the driver appended twice while the broker restarted counts twice, as it does
 * for the workers), compared with every output record read read_committed.
 *
 * - wordcount: per word the counts 1, 2, …, n.
 * - windowed count: per (user, window) the counts 1, …, n, where a line counts unless its window had
 *   closed (window end + grace ≤ its partition's stream time) when it arrived; lines of one user stay
 *   in one partition, so the partition's offset order decides, whatever the workers did.
 * - join, orders: per product, its orders in log order (each exactly once; at least once).
 * - join, table versions: the same, each order with the price version that a task taking the
 *   lowest timestamp first across the orders and prices partitions sees. Every price update is
 *   appended before any order with a later timestamp, and a task waits for a partition with
 *   unfetched records, so this is exact and still correct under concurrent table updates.
 *
 * exactly_once_v2: the output sequences are exactly these (no duplicate, no gap, last value exact).
 * at_least_once: nothing is missing (every expected value appears; the last count is >= n).
 */
import type { Log } from '../../src/log/types.js';
import type { ChaosTopics } from './input.js';
import { WINDOW_GRACE_MS, WINDOW_SIZE_MS } from './windows.js';

export interface KeyedRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/** Every committed record of a topic, partition by partition, in offset order (long values as decimal text). */
export async function readPartitions(log: Log, topic: string, longValues = false): Promise<KeyedRecord[][]> {
  const d = (await log.admin().describeTopics([topic])).get(topic);
  if (d === undefined) throw new Error(`topic ${topic} does not exist`);
  const ends = await log.admin().endOffsets(topic);
  const reader = log.reader({ readCommitted: true });
  const out: KeyedRecord[][] = [];
  try {
    for (let p = 0; p < d.partitions; p++) {
      const records: KeyedRecord[] = [];
      let offset = 0;
      while (offset < ends[p]!) {
        const batch = await reader.read(topic, p, offset, 20_000);
        if (batch.length === 0) break;
        for (const r of batch) records.push({ key: r.key?.toString('utf8') ?? '', value: r.value === null ? '' : longValues ? String(r.value.readBigInt64BE(0)) : r.value.toString('utf8'), timestamp: r.timestamp });
        offset = batch[batch.length - 1]!.offset + 1;
      }
      out.push(records);
    }
  } finally {
    await reader.close();
  }
  return out;
}

export function expectedWordCounts(lines: readonly KeyedRecord[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const part of lines) {
    for (const r of part) for (const w of r.value.toLowerCase().split(/\W+/)) if (w.length > 0) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

export function expectedWindowCounts(lines: readonly KeyedRecord[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const part of lines) {
    let streamTime = -1;
    for (const r of part) {
      if (r.timestamp > streamTime) streamTime = r.timestamp;
      const start = r.timestamp - (r.timestamp % WINDOW_SIZE_MS);
      if (start + WINDOW_SIZE_MS <= streamTime - WINDOW_GRACE_MS) continue; // late: its window has closed
      const k = `${r.key}@${start}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return counts;
}

/** Per product, `order|version` in the order the join task emits them. */
export function expectedJoins(orders: readonly KeyedRecord[][], prices: readonly KeyedRecord[][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let p = 0; p < orders.length; p++) {
    const o = orders[p]!;
    const t = prices[p] ?? [];
    const table = new Map<string, string>();
    let i = 0;
    let j = 0;
    while (i < o.length) {
      if (j < t.length && t[j]!.timestamp < o[i]!.timestamp) {
        table.set(t[j]!.key, t[j]!.value);
        j++;
        continue;
      }
      const r = o[i++]!;
      const version = table.get(r.key);
      if (version === undefined) continue; // inner join: no price yet
      let list = out.get(r.key);
      if (list === undefined) out.set(r.key, (list = []));
      list.push(`${r.value}|${version}`);
    }
  }
  return out;
}

export interface OutputCheck {
  readonly name: string;
  readonly keys: number;
  readonly expectedRecords: number;
  readonly outputRecords: number;
  /** At most a few examples per kind of problem; empty when the output is right. */
  readonly problems: string[];
}

const EXAMPLES = 5;

function collect(problems: Map<string, string[]>, kind: string, example: string): void {
  let list = problems.get(kind);
  if (list === undefined) problems.set(kind, (list = []));
  list.push(example);
}

function summarise(name: string, problems: Map<string, string[]>): string[] {
  return [...problems].map(([kind, ex]) => `${name}: ${ex.length} ${kind}, e.g. ${ex.slice(0, EXAMPLES).join('; ')}`);
}

/** Every key's values in output order (partition by partition; a key lives in one partition). */
function valuesByKey(output: readonly KeyedRecord[][]): { seen: Map<string, string[]>; outputRecords: number } {
  const seen = new Map<string, string[]>();
  let outputRecords = 0;
  for (const part of output) {
    for (const r of part) {
      outputRecords++;
      let list = seen.get(r.key);
      if (list === undefined) seen.set(r.key, (list = []));
      list.push(r.value);
    }
  }
  return { seen, outputRecords };
}

/** Counts per key: exact 1..n (exact) or every one of 1..n present and the last >= n (at least once). */
export function checkCounts(name: string, output: readonly KeyedRecord[][], expected: ReadonlyMap<string, number>, exact: boolean): OutputCheck {
  const { seen: raw, outputRecords } = valuesByKey(output);
  const seen = new Map([...raw].map(([k, v]) => [k, v.map(Number)]));
  const problems = new Map<string, string[]>();
  let expectedRecords = 0;
  for (const [key, n] of expected) {
    expectedRecords += n;
    const values = seen.get(key) ?? [];
    const last = values[values.length - 1];
    if (exact) {
      const bad = values.length !== n || values.some((v, i) => v !== i + 1);
      if (bad) collect(problems, 'keys whose sequence is not exactly 1..n', `${key}: n=${n}, got ${describeSequence(values)}`);
    } else {
      const present = new Set(values);
      let missing = 0;
      for (let v = 1; v <= n; v++) if (!present.has(v)) missing++;
      if (missing > 0) collect(problems, 'keys with missing counts', `${key}: ${missing} of 1..${n} missing`);
      if (last === undefined || last < n) collect(problems, 'keys whose last count is below n', `${key}: last ${last ?? 'none'} < ${n}`);
    }
  }
  for (const key of seen.keys()) if (!expected.has(key)) collect(problems, 'unexpected keys', key);
  return { name, keys: expected.size, expectedRecords, outputRecords, problems: summarise(name, problems) };
}

/** Per key the list of values: equal (exact) or containing every expected one (at least once). */
export function checkSequences(name: string, output: readonly KeyedRecord[][], expected: ReadonlyMap<string, readonly string[]>, exact: boolean): OutputCheck {
  const { seen, outputRecords } = valuesByKey(output);
  const problems = new Map<string, string[]>();
  let expectedRecords = 0;
  for (const [key, want] of expected) {
    expectedRecords += want.length;
    const got = seen.get(key) ?? [];
    if (exact) {
      const i = firstDifference(want, got);
      if (i >= 0) collect(problems, 'keys whose sequence differs', `${key} at #${i}: expected ${want[i] ?? '(end)'}, got ${got[i] ?? '(end)'} (${got.length} of ${want.length})`);
    } else {
      const present = new Set(got);
      const missing = want.filter((v) => !present.has(v));
      if (missing.length > 0) collect(problems, 'keys with missing records', `${key}: ${missing.length} missing, e.g. ${missing[0]}`);
    }
  }
  for (const key of seen.keys()) if (!expected.has(key)) collect(problems, 'unexpected keys', key);
  return { name, keys: expected.size, expectedRecords, outputRecords, problems: summarise(name, problems) };
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** `1..7, 5..9` style: runs of consecutive values. */
export function describeSequence(values: readonly number[]): string {
  if (values.length === 0) return '(nothing)';
  const runs: string[] = [];
  let start = values[0]!;
  let prev = start;
  for (let i = 1; i <= values.length; i++) {
    const v = values[i];
    if (v === prev + 1) {
      prev = v;
      continue;
    }
    runs.push(start === prev ? String(start) : `${start}..${prev}`);
    if (v !== undefined) start = prev = v;
  }
  return runs.length > 6 ? `${runs.slice(0, 6).join(', ')}, … (${runs.length} runs)` : runs.join(', ');
}

export interface ChaosVerdict {
  readonly checks: OutputCheck[];
  readonly inputLines: number;
  readonly inputOrders: number;
  readonly priceUpdates: number;
}

export async function verifyOutputs(log: Log, topics: ChaosTopics, exact: boolean): Promise<ChaosVerdict> {
  const lines = await readPartitions(log, topics.lines);
  const orders = await readPartitions(log, topics.orders);
  const prices = await readPartitions(log, topics.prices);
  const checks = [
    checkCounts('wordcount', await readPartitions(log, topics.wordcount, true), expectedWordCounts(lines), exact),
    checkCounts('windowed count', await readPartitions(log, topics.windowed, true), expectedWindowCounts(lines), exact),
  ];
  const joined = await readPartitions(log, topics.joined);
  const joins = expectedJoins(orders, prices);
  const orderOf = (v: string) => v.slice(0, v.indexOf('|'));
  checks.push(
    checkSequences('stream-table join, orders', joined.map((part) => part.map((r) => ({ ...r, value: orderOf(r.value) }))), new Map([...joins].map(([k, v]) => [k, v.map(orderOf)])), exact),
    checkSequences('stream-table join, table versions', joined, joins, exact),
  );
  const total = (parts: KeyedRecord[][]) => parts.reduce((n, p) => n + p.length, 0);
  return { checks, inputLines: total(lines), inputOrders: total(orders), priceUpdates: total(prices) };
}
