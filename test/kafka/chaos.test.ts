/**
 * The chaos test in its CI size (test/chaos/driver.ts; `npm run chaos` runs the full one): its own
 * broker, 3 worker processes, 100,000 lines over 8 partitions produced at a steady rate, 5 SIGKILLs
 * of random workers, 1 broker restart, 1 worker SIGSTOPped past its session timeout. Under
 * exactly_once_v2 every read_committed output is exactly the sequential reference, and every order is
 * joined with the price version that timestamp order gives.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/driver.js';
import { recoveryTable } from '../chaos/recovery.js';
import { kafkaVersion } from './helpers.js';
import { requireBuild } from './processes.js';

const PORT = Number(process.env.KSTREAM_TEST_KAFKA_PORT ?? 29092) + 200;

describe.skipIf(kafkaVersion() === 'external')(`chaos (Kafka ${kafkaVersion()})`, () => {
  it('exactly_once_v2: kills, a broker restart and a SIGSTOP leave every output exact', async () => {
    requireBuild();
    const lines: string[] = [];
    const r = await runChaos({
      lines: 100_000,
      partitions: 8,
      workers: 3,
      kills: 5,
      brokerRestarts: 1,
      sigstops: 1,
      guarantee: 'exactly_once_v2',
      standbys: 0,
      seed: 15,
      rate: 2000,
      timeBoundMs: 400_000,
      port: PORT,
      kafkaVersion: kafkaVersion(),
      sessionTimeoutMs: 6000,
      log: (l) => lines.push(l),
    });
    const report = [...lines, ...r.errors, recoveryTable(r.faults), `work dir: ${r.workDir}`].join('\n');
    expect(r.errors, report).toEqual([]);
    expect(r.faults.map((f) => f.kind).sort()).toEqual(['broker restart', 'kill', 'kill', 'kill', 'kill', 'kill', 'sigstop']);
    const checks = r.verdict!.checks;
    expect(checks.map((c) => c.name)).toEqual(['wordcount', 'windowed count', 'stream-table join, orders', 'stream-table join, table versions']);
    // The fourth check: each order joined with the table version that timestamp order gives (a task
    // waits for an empty partition while its fetched end is unknown or ahead; test/kafka/fetched-end.test.ts).
    for (const c of checks) {
      expect(c.problems, report).toEqual([]);
      expect(c.outputRecords).toBe(c.expectedRecords);
      expect(c.keys).toBeGreaterThan(50);
    }
    expect(r.verdict!.inputLines).toBeGreaterThanOrEqual(100_000);
    expect(r.ok, report).toBe(true); // the driver removed its work dir (it keeps it when a check fails)
  }, 420_000);
});
