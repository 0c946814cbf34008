// Rows of the peers benchmark (what each run reports) and their Markdown tables.
import type { TopologyName } from './topologies.js';

export const SYSTEMS = ['kstream', 'kafka-streams'] as const;
export type System = (typeof SYSTEMS)[number];
export type Guarantee = 'exactly_once_v2' | 'exactly_once' | 'at_least_once';
/** Kafka Streams 4.x has no per-task exactly_once (removed in 4.0): only kstream runs it. */
export const GUARANTEES: Record<System, readonly Guarantee[]> = {
  kstream: ['exactly_once_v2', 'exactly_once', 'at_least_once'],
  'kafka-streams': ['exactly_once_v2', 'at_least_once'],
};

export interface AppReport {
  runSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  idle: boolean;
}

export interface ThroughputRow extends AppReport {
  kind: 'throughput';
  topology: TopologyName;
  system: System;
  guarantee: Guarantee;
  records: number;
  words: number;
  recordsPerSec: number;
  wordsPerSec: number;
  wordsPerCpuSec: number;
}

export interface LatencyRow extends AppReport {
  kind: 'latency';
  topology: TopologyName;
  system: System;
  guarantee: Guarantee;
  offeredLinesPerSec: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

export function markdownTables(rows: ReadonlyArray<ThroughputRow | LatencyRow>): string {
  const out: string[] = [];
  const t = rows.filter((r): r is ThroughputRow => r.kind === 'throughput');
  if (t.length > 0) {
    out.push('| topology | guarantee | system | input records/s | words/s | words (or records)/CPU-s | run s | CPU s | peak RSS MB |');
    out.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of t) {
      out.push(
        `| ${r.topology} | ${r.guarantee} | ${r.system} | ${fmt(r.recordsPerSec)} | ${r.words > 0 ? fmt(r.wordsPerSec) : '–'} | ${fmt(r.wordsPerCpuSec)} | ${r.runSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMb} |`,
      );
    }
  }
  const l = rows.filter((r): r is LatencyRow => r.kind === 'latency');
  if (l.length > 0) {
    out.push('');
    out.push('| topology | guarantee | system | offered lines/s | samples | p50 ms | p99 ms | max ms | CPU s | peak RSS MB |');
    out.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of l) {
      out.push(`| ${r.topology} | ${r.guarantee} | ${r.system} | ${fmt(r.offeredLinesPerSec)} | ${fmt(r.samples)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMb} |`);
    }
  }
  return out.join('\n');
}

