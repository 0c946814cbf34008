// Benchmark: the wordcount example on the embedded log under exactly_once.
// Usage: npx tsx bench/wordcount.ts [lines=200000] [guarantee=exactly_once] [metrics.recording.level=INFO]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../src/log/embedded/embedded-log.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { silentLogger } from '../src/common/logger.js';
import { metricValue } from '../src/runtime/metrics/metric.js';
import wordcount from '../examples/wordcount/wordcount.js';
import { randomLines } from './data.js';

const lines = Number(process.argv[2] ?? 200_000);
const guarantee = (process.argv[3] ?? 'exactly_once') as 'exactly_once' | 'at_least_once';
const metricsLevel = (process.argv[4] ?? 'INFO') as 'INFO' | 'DEBUG' | 'OFF';
const dir = mkdtempSync(join(tmpdir(), 'kstream-bench-'));
try {
  const { records, words } = randomLines(lines, 42);
  const log = EmbeddedLog.open(dir);
  await log.admin().createTopics([{ name: 'streams-plaintext-input', partitions: 1 }]);
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 10_000) {
    await log.append(records.slice(i, i + 10_000).map((value, j) => ({ topic: 'streams-plaintext-input', partition: 0, key: null, value, timestamp: i + j })));
  }
  const produceMs = performance.now() - t0;
  await log.close();
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const streams = new KafkaStreams(wordcount(), { 'application.id': 'bench', 'data.dir': dir, 'processing.guarantee': guarantee, 'metrics.recording.level': metricsLevel }, { logger: silentLogger });
  await streams.run({ untilIdle: true });
  const runMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const m = streams.metrics();
  console.log(
    JSON.stringify({
      bench: 'wordcount',
      guarantee,
      metricsLevel,
      lines,
      words,
      produceRecordsPerSec: Math.round(lines / (produceMs / 1000)),
      runSeconds: +(runMs / 1000).toFixed(2),
      wordsPerSec: Math.round(words / (runMs / 1000)),
      cpuSeconds: +cpuSeconds.toFixed(2),
      wordsPerCpuSec: Math.round(words / cpuSeconds),
      commits: metricValue(m, 'commit-total'),
      cpu: cpus()[0]?.model,
      node: process.version,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
