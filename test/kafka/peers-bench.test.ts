/**
 * `npm run bench -- peers --quick` on the test broker: the benchmark against Kafka Streams builds
 * its Java program, runs every topology under every guarantee in both systems and prints a row for
 * each, with plausible measurements.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARANTEES, SYSTEMS, type LatencyRow, type ThroughputRow } from '../../bench/peers/results.js';
import { TOPOLOGIES } from '../../bench/peers/topologies.js';
import { kafkaBrokers, kafkaVersion } from './helpers.js';
import { ROOT } from './processes.js';

describe(`peers benchmark on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-peers-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--quick prints a row for every topology, guarantee and system, and a latency row for each guarantee and system', async () => {
    const json = join(dir, 'rows.json');
    const svg = join(dir, 'chart.svg');
    const args = ['bench/run.js', 'peers', '--quick', '--lines', '3000', '--latency-seconds', '2', '--brokers', kafkaBrokers().join(','), '--json', json, '--svg', svg];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => proc.kill('SIGTERM'), 1_100_000);
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    clearTimeout(timer);
    expect(code, out.slice(-4000)).toBe(0);

    const rows = JSON.parse(readFileSync(json, 'utf8')) as Array<ThroughputRow | LatencyRow>;
    const expected: string[] = [];
    for (const topology of TOPOLOGIES) for (const system of SYSTEMS) for (const g of GUARANTEES[system]) expected.push(`throughput ${topology} ${system} ${g}`);
    for (const system of SYSTEMS) for (const g of GUARANTEES[system]) expected.push(`latency wordcount ${system} ${g}`);
    expect(rows.map((r) => `${r.kind} ${r.topology} ${r.system} ${r.guarantee}`).sort()).toEqual(expected.sort());
    for (const r of rows) {
      expect(r.idle).toBe(true);
      expect(r.cpuSeconds).toBeGreaterThan(0);
      expect(r.peakRssMb).toBeGreaterThan(20);
      if (r.kind === 'throughput') {
        expect(r.records).toBe(3000);
        expect(r.recordsPerSec).toBeGreaterThan(0);
        if (r.topology !== 'join') expect(r.words).toBeGreaterThan(3000);
      } else {
        expect(r.samples).toBeGreaterThan(0);
        expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
      }
    }
    // The Markdown tables and the chart.
    expect(out).toMatch(/\| wordcount \| exactly_once_v2 \| kafka-streams \|/);
    expect(out).toMatch(/\| wordcount \| exactly_once_v2 \| kstream \| [\d,]+ \|/);
    const chart = readFileSync(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart.match(/<rect /g)!.length).toBe(2 + rows.filter((r) => r.kind === 'throughput').length);
  }, 1_200_000);
});
