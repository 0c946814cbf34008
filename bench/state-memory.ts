// Benchmark: a count over N distinct keys (default 5,000,000) on LevelDB state. Reports peak heap and
// RSS: state must live on disk, not in the JS heap.
// Usage: npx tsx bench/state-memory.ts [keys=5000000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../src/log/embedded/embedded-log.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { silentLogger } from '../src/common/logger.js';
import { StreamsBuilder } from '../src/dsl/streams-builder.js';
import { Materialized, Produced } from '../src/dsl/options.js';
import { Serdes } from '../src/serde/serdes.js';

const keys = Number(process.argv[2] ?? 5_000_000);
const dir = mkdtempSync(join(tmpdir(), 'kstream-mem-'));
let peakHeap = 0;
let peakRss = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 50);
try {
  const log = EmbeddedLog.open(dir);
  await log.admin().createTopics([{ name: 'keys', partitions: 2 }]);
  const t0 = performance.now();
  const batch = 20_000;
  for (let i = 0; i < keys; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(keys, i + batch); j++) {
      records.push({ topic: 'keys', partition: j % 2, key: `key-${j}`, value: 'x', timestamp: j });
    }
    await log.append(records);
  }
  const produceSeconds = (performance.now() - t0) / 1000;
  await log.close();
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('keys')
    .groupByKey()
    .count(Materialized.as<string, number>('distinct-counts'))
    .toStream()
    .to('counted', Produced.with(Serdes.String(), Serdes.Long()));
  const t1 = performance.now();
  const streams = new KafkaStreams(builder.build(), { 'application.id': 'mem', 'data.dir': dir }, { logger: silentLogger });
  await streams.run({ untilIdle: true });
  const runSeconds = (performance.now() - t1) / 1000;
  console.log(
    JSON.stringify({
      bench: 'state-memory',
      distinctKeys: keys,
      produceSeconds: +produceSeconds.toFixed(1),
      runSeconds: +runSeconds.toFixed(1),
      recordsPerSec: Math.round(keys / runSeconds),
      peakHeapMB: Math.round(peakHeap / 2 ** 20),
      peakRssMB: Math.round(peakRss / 2 ** 20),
    }),
  );
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
