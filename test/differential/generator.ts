/**
 * Seeded inputs for the differential suite: a few keys; mostly increasing timestamps on whole seconds (so
 * window boundaries are hit exactly) with repeats, out-of-order records, records later than any grace,
 * odd milliseconds, null keys, null values (often on table topics: tombstones) and, for topologies with
 * wall-clock punctuation, wall-clock advances.
 */
import type { Case, RecordStep, Step } from './cases.js';
import type { TopologySpec } from './topologies.js';
import { mulberry32 } from '../helpers/prng.js';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
const LETTERS = ['a', 'b', 'c'];
const WALL_CLOCK_STEPS = [10_000, 30_000, 59_999, 60_000, 61_000];

export function generateCase(spec: TopologySpec, seed: number): Case {
  const rnd = mulberry32(seed * 7919 + spec.name.length);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const topics = [...spec.streams, ...spec.tables];
  const tables = new Set(spec.tables);
  const count = 12 + Math.floor(rnd() * 45);
  // per seed: how many keys (2..5) and how often records come out of order
  const keys = KEYS.slice(0, 2 + Math.floor(rnd() * 4));
  const disorder = 0.1 + rnd() * 0.3;
  const steps: Step[] = [];
  let maxTs = 100_000 + Math.floor(rnd() * 5) * 1000;
  let previous: RecordStep | null = null;
  for (let i = 0; i < count; i++) {
    if (spec.wallClock && rnd() < 0.15) steps.push({ wallClockMs: pick(WALL_CLOCK_STEPS) });
    const topic = pick(topics);
    if (previous !== null && rnd() < 0.15) {
      // the same key at the same time again (often on the same topic): lists of values in stores
      const again: RecordStep = { topic: rnd() < 0.6 ? previous.topic : topic, key: previous.key, value: `${pick(LETTERS)}${Math.floor(rnd() * 10)}`, timestamp: previous.timestamp };
      steps.push(again);
      previous = again;
      continue;
    }
    const r = rnd();
    let ts: number;
    if (r < disorder * 0.7) ts = maxTs - (1 + Math.floor(rnd() * 6)) * 1000;
    else if (r < disorder) ts = maxTs - (10 + Math.floor(rnd() * 15)) * 1000;
    else if (r < 0.85) ts = maxTs + pick([0, 1000, 1000, 2000, 3000, 4000, 5000]);
    else if (r < 0.93) ts = maxTs + 1 + Math.floor(rnd() * 2500);
    else ts = maxTs + pick([6000, 8000, 10_000, 12_000]);
    ts = Math.max(0, ts);
    if (ts > maxTs) maxTs = ts;
    const key = rnd() < 0.06 ? null : pick(keys);
    const nullValue = rnd() < (tables.has(topic) ? 0.2 : 0.04);
    const value = nullValue ? null : `${pick(LETTERS)}${Math.floor(rnd() * 10)}`;
    previous = { topic, key, value, timestamp: ts };
    steps.push(previous);
  }
  // every third seed runs with the record cache off (every update emitted, as ksqlDB's test runner does)
  const config = seed % 3 === 0 ? { 'statestore.cache.max.bytes': '0' } : undefined;
  return { id: `${spec.name}#${seed}`, topology: spec.name, inputs: topics, outputs: spec.outputs, steps, ...(config ? { config } : {}) };
}
