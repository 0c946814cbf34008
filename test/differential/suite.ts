/** Runs topologies × seeds through both drivers and collects the failures, shrunk. */
import type { Case, CaseResult } from './cases.js';
import { type Failure, firstDifference, shrink } from './compare.js';
import { generateCase } from './generator.js';
import type { JavaDriver } from './java-driver.js';
import { runKstream } from './kstream-driver.js';
import { TOPOLOGIES, type TopologySpec } from './topologies.js';

export interface SuiteOptions {
  readonly topologies?: readonly TopologySpec[];
  readonly seeds: readonly number[];
  /** Cases sent to the JVM per batch. */
  readonly batchSize?: number;
}

export interface SuiteResult {
  readonly cases: number;
  readonly records: number;
  /** Per topology name, its failing seeds shrunk (at most `maxShrunkPerTopology`, the rest unshrunk). */
  readonly failures: Map<string, Failure[]>;
  readonly failingSeeds: Map<string, number[]>;
}

export async function runSuite(java: JavaDriver, opts: SuiteOptions, maxShrunkPerTopology = 1): Promise<SuiteResult> {
  const specs = opts.topologies ?? TOPOLOGIES;
  const cases: Case[] = [];
  for (const spec of specs) for (const seed of opts.seeds) cases.push(generateCase(spec, seed));
  const batchSize = opts.batchSize ?? 200;
  const failures = new Map<string, Failure[]>();
  const failingSeeds = new Map<string, number[]>();
  let records = 0;
  for (let i = 0; i < cases.length; i += batchSize) {
    const batch = cases.slice(i, i + batchSize);
    // the JVM works on the batch while kstream runs it here
    const pending = java.run(batch);
    const mine = batch.map(runKstream);
    const theirs: CaseResult[] = await pending;
    for (let j = 0; j < batch.length; j++) {
      const c = batch[j]!;
      records += theirs[j]!.records.length;
      if (firstDifference(theirs[j]!, mine[j]!) === null) continue;
      const seeds = failingSeeds.get(c.topology) ?? [];
      seeds.push(Number(c.id.split('#')[1]));
      failingSeeds.set(c.topology, seeds);
      const shrunk = failures.get(c.topology) ?? [];
      if (shrunk.length < maxShrunkPerTopology) shrunk.push(await shrink(java, c));
      failures.set(c.topology, shrunk);
    }
  }
  return { cases: cases.length, records, failures, failingSeeds };
}
