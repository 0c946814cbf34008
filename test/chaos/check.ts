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
 * at_least_once: nothing is missing, i.e. every input record was counted at least once:
 * - the last count of every key is >= n (a record never counted leaves it below n, unless a
 *   duplicate makes up for it: counts alone cannot tell those apart);
 * - every count 1..n was made: it appears in the output, or in the store's changelog. A count only
 *   in the changelog is at_least_once's own gap, as in Kafka Streams: the store update and the output
 *   record of one update go out in different produce requests, a crash can lose the output after the
 *   changelog record was acknowledged, and the next owner restores that count and reprocesses the
 *   record from the committed offsets: k+1 follows k−1. A count neither output nor in the changelog
 *   was never made (a loss);
 * - sequences (the join): every expected value appears.
 * Duplicates and counts above n are allowed (records reprocessed after a failover).
 */
import type { Log } from '../../src/log/types.js';
import type { ChaosTopics, chaosChangelogs } from './input.js';
import { WINDOW_GRACE_MS, WINDOW_SIZE_MS } from './windows.js';

/** Per key, the counts a store's changelog holds (window stores: key `user@start`). */
export type ChangelogCounts = ReadonlyMap<string, ReadonlySet<number>>;

export interface KeyedRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/** Every committed record of a topic, partition by partition, in offset order, decoded by `decode`. */
async function readDecoded<T>(log: Log, topic: string, decode: (key: Buffer | null, value: Buffer | null, timestamp: number) => T): Promise<T[][]> {
  const d = (await log.admin().describeTopics([topic])).get(topic);
  if (d === undefined) throw new Error(`topic ${topic} does not exist`);
  const ends = await log.admin().endOffsets(topic);
  const reader = log.reader({ readCommitted: true });
  const out: T[][] = [];
  try {
    for (let p = 0; p < d.partitions; p++) {
      const records: T[] = [];
      let offset = 0;
      while (offset < ends[p]!) {
        const batch = await reader.read(topic, p, offset, 20_000);
        if (batch.length === 0) break;
        for (const r of batch) records.push(decode(r.key, r.value, r.timestamp));
        offset = batch[batch.length - 1]!.offset + 1;
      }
      out.push(records);
    }
  } finally {
    await reader.close();
  }
  return out;
}

/** Every committed record of a topic, partition by partition, in offset order (long values as decimal text). */
export function readPartitions(log: Log, topic: string, longValues = false): Promise<KeyedRecord[][]> {
  return readDecoded(log, topic, (key, value, timestamp) => ({
    key: key?.toString('utf8') ?? '',
    value: value === null ? '' : longValues ? String(value.readBigInt64BE(0)) : value.toString('utf8'),
    timestamp,
  }));
}

/**
 * The counts a count store's changelog holds per key (a missing changelog topic: none). Window
 * stores' changelog keys are `key ‖ start(8) ‖ seq(4)`, reported as `key@start` as the output is.
 */
export async function readChangelogCounts(log: Log, topic: string, windowed: boolean): Promise<ChangelogCounts> {
  const out = new Map<string, Set<number>>();
  if (!(await log.admin().describeTopics([topic])).has(topic)) return out;
  const parts = await readDecoded(log, topic, (key, value) => {
    if (key === null || value === null || value.length !== 8) return null;
    const n = key.length - 12;
    const k = windowed ? (n < 0 ? null : `${key.subarray(0, n).toString('utf8')}@${Number(key.readBigInt64BE(n))}`) : key.toString('utf8');
    return k === null ? null : ([k, Number(value.readBigInt64BE(0))] as const);
  });
  for (const part of parts) {
    for (const e of part) {
      if (e === null) continue;
      let set = out.get(e[0]);
      if (set === undefined) out.set(e[0], (set = new Set()));
      set.add(e[1]);
    }
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
  /** at_least_once counts: values missing from the output that the store's changelog holds (outputs lost in a crash). */
  readonly lostOutputs?: number;
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

/**
 * Counts per key: exact 1..n (exact), or at least once: the last >= n and every one of 1..n in the
 * output or, its output lost in a crash, in the store's changelog (`counted`).
 */
export function checkCounts(name: string, output: readonly KeyedRecord[][], expected: ReadonlyMap<string, number>, exact: boolean, counted: ChangelogCounts = new Map()): OutputCheck {
  const { seen: raw, outputRecords } = valuesByKey(output);
  const seen = new Map([...raw].map(([k, v]) => [k, v.map(Number)]));
  const problems = new Map<string, string[]>();
  let expectedRecords = 0;
  let lostOutputs = 0;
  for (const [key, n] of expected) {
    expectedRecords += n;
    const values = seen.get(key) ?? [];
    const last = values[values.length - 1];
    if (exact) {
      const bad = values.length !== n || values.some((v, i) => v !== i + 1);
      if (bad) collect(problems, 'keys whose sequence is not exactly 1..n', `${key}: n=${n}, got ${describeSequence(values)}`);
    } else {
      const present = new Set(values);
      const inChangelog = counted.get(key);
      let missing = 0;
      for (let v = 1; v <= n; v++) {
        if (present.has(v)) continue;
        if (inChangelog?.has(v)) lostOutputs++;
        else missing++;
      }
      if (missing > 0) collect(problems, 'keys with missing counts (neither output nor in the changelog)', `${key}: ${missing} of 1..${n} missing`);
      if (last === undefined || last < n) collect(problems, 'keys whose last count is below n', `${key}: last ${last ?? 'none'} < ${n}`);
    }
  }
  for (const key of seen.keys()) if (!expected.has(key)) collect(problems, 'unexpected keys', key);
  return { name, keys: expected.size, expectedRecords, outputRecords, problems: summarise(name, problems), lostOutputs };
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

/** ", N counts only in the changelog (…)" when an at_least_once check found outputs lost in a crash. */
export function lostOutputsNote(c: OutputCheck): string {
  return c.lostOutputs ? `, ${c.lostOutputs} counts only in the changelog (their output lost in a crash)` : '';
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

export async function verifyOutputs(log: Log, topics: ChaosTopics, changelogs: ReturnType<typeof chaosChangelogs>, exact: boolean): Promise<ChaosVerdict> {
  const lines = await readPartitions(log, topics.lines);
  const orders = await readPartitions(log, topics.orders);
  const prices = await readPartitions(log, topics.prices);
  const counted = (topic: string, windowed: boolean) => (exact ? Promise.resolve(new Map()) : readChangelogCounts(log, topic, windowed));
  const checks = [
    checkCounts('wordcount', await readPartitions(log, topics.wordcount, true), expectedWordCounts(lines), exact, await counted(changelogs.wordCounts, false)),
    checkCounts('windowed count', await readPartitions(log, topics.windowed, true), expectedWindowCounts(lines), exact, await counted(changelogs.windows, true)),
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
