/**
 * Kafka Streams is the oracle: every named topology of topologies.ts runs on seeded inputs through Kafka
 * Streams 4.4.0's TopologyTestDriver (java/, built with Maven on first use) and through kstream's, and every
 * output record must be the same, in the same order. `KSTREAM_DIFFERENTIAL_SEEDS` sets the seeds per topology
 * (default 8); `npm run test:differential -- --seeds N` runs more outside vitest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFailure } from './compare.js';
import { JavaDriver } from './java-driver.js';
import { type SuiteResult, runSuite } from './suite.js';
import { TOPOLOGIES } from './topologies.js';

const SEEDS = Number(process.env.KSTREAM_DIFFERENTIAL_SEEDS || 8);

describe('differential: kstream against Kafka Streams 4.4.0', () => {
  let java: JavaDriver | null = null;
  let result: SuiteResult;

  beforeAll(async () => {
    java = JavaDriver.start();
    result = await runSuite(java, { seeds: Array.from({ length: SEEDS }, (_, i) => i + 1) });
  }, 20 * 60_000);

  afterAll(() => java?.close());

  it('compared a meaningful amount of output', () => {
    expect(result.cases).toBe(TOPOLOGIES.length * SEEDS);
    // every topology writes something for most inputs: a broken driver that writes nothing must not pass
    expect(result.records).toBeGreaterThan(result.cases * 5);
  });

  for (const spec of TOPOLOGIES) {
    it(`${spec.name}: same output records`, () => {
      const failures = result.failures.get(spec.name) ?? [];
      const report = failures.map(formatFailure).join('\n\n');
      expect(result.failingSeeds.get(spec.name) ?? [], report).toEqual([]);
    });
  }
});
