/**
 * Comparing the two drivers' outputs, and shrinking a failing input to a minimal one (delta debugging over
 * its steps; every round's candidates go to the JVM in one batch).
 */
import { type Case, type CaseResult, type OutRecord, formatRecord, formatStep } from './cases.js';
import type { JavaDriver } from './java-driver.js';
import { runKstream } from './kstream-driver.js';

export interface Difference {
  /** Index of the first record that differs (or the length of the shorter output). */
  readonly at: number;
  readonly reason: string;
}

function sameRecord(a: OutRecord, b: OutRecord): boolean {
  return a.step === b.step && a.topic === b.topic && a.key === b.key && a.value === b.value && a.timestamp === b.timestamp;
}

/** The first difference between Kafka Streams' result and kstream's, or null when they agree record for record. */
export function firstDifference(kafkaStreams: CaseResult, kstream: CaseResult): Difference | null {
  const a = kafkaStreams.records;
  const b = kstream.records;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (!sameRecord(a[i]!, b[i]!)) return { at: i, reason: `record ${i} differs` };
  }
  if (a.length !== b.length) return { at: n, reason: `Kafka Streams wrote ${a.length} records, kstream ${b.length}` };
  if ((kafkaStreams.error === undefined) !== (kstream.error === undefined)) {
    return { at: n, reason: `Kafka Streams ${kafkaStreams.error ? `failed: ${kafkaStreams.error}` : 'did not fail'}; kstream ${kstream.error ? `failed: ${kstream.error}` : 'did not fail'}` };
  }
  return null;
}

export interface Failure {
  readonly original: Case;
  readonly minimal: Case;
  readonly kafkaStreams: CaseResult;
  readonly kstream: CaseResult;
  readonly difference: Difference;
}

const MAX_SHRINK_ROUNDS = 80;

/** Shrinks a case whose outputs differ to a smaller one whose outputs still differ. */
export async function shrink(java: JavaDriver, failing: Case): Promise<Failure> {
  let current = failing;
  let [ks] = await java.run([current]);
  let kst = runKstream(current);
  let granularity = 2;
  for (let round = 0; round < MAX_SHRINK_ROUNDS && current.steps.length > 1; round++) {
    const chunk = Math.ceil(current.steps.length / granularity);
    const candidates: Case[] = [];
    for (let from = 0; from < current.steps.length; from += chunk) {
      const steps = [...current.steps.slice(0, from), ...current.steps.slice(from + chunk)];
      if (steps.length > 0) candidates.push({ ...current, id: `${failing.id}~${round}.${from}`, steps });
    }
    const results = await java.run(candidates);
    let found = -1;
    let foundKstream: CaseResult | null = null;
    for (let i = 0; i < candidates.length; i++) {
      const mine = runKstream(candidates[i]!);
      if (firstDifference(results[i]!, mine) !== null) {
        found = i;
        foundKstream = mine;
        break;
      }
    }
    if (found >= 0) {
      current = candidates[found]!;
      ks = results[found]!;
      kst = foundKstream!;
      granularity = Math.max(granularity - 1, 2);
    } else if (granularity >= current.steps.length) {
      break;
    } else {
      granularity = Math.min(current.steps.length, granularity * 2);
    }
  }
  return { original: failing, minimal: current, kafkaStreams: ks!, kstream: kst, difference: firstDifference(ks!, kst)! };
}

/** A failure as a report: the minimal input, both outputs side by side, and how to rerun it. */
export function formatFailure(f: Failure): string {
  const lines = [
    `${f.original.id}: outputs differ (${f.difference.reason}); minimal input (${f.minimal.steps.length} of ${f.original.steps.length} steps)` +
      `${f.original.config ? ` with ${JSON.stringify(f.original.config)}` : ''}:`,
    ...f.minimal.steps.map((s, i) => `  [${i}] ${formatStep(s)}`),
    'Kafka Streams 4.4.0:',
    ...f.kafkaStreams.records.map((r, i) => `  ${i === f.difference.at ? '>' : ' '} ${formatRecord(r)}`),
    ...(f.kafkaStreams.error ? [`  error: ${f.kafkaStreams.error}`] : []),
    'kstream:',
    ...f.kstream.records.map((r, i) => `  ${i === f.difference.at ? '>' : ' '} ${formatRecord(r)}`),
    ...(f.kstream.error ? [`  error: ${f.kstream.error}`] : []),
    `rerun: npm run test:differential -- --topology ${f.original.topology} --seed ${f.original.id.split('#')[1]}`,
  ];
  return lines.join('\n');
}
