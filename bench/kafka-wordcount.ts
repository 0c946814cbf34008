// Benchmark: the wordcount example on a real Kafka broker, one worker in this process.
// Usage: npx tsx bench/kafka-wordcount.ts [lines=100000] [partitions=4] [kafka version]
// Starts its own single-node broker (port 29592, a temp data dir; jars cached as for
// `kstream local kafka start`), runs exactly_once_v2 (one transactional producer per worker),
// exactly_once (one per task) and at_least_once over the same input (each its own application), and
// stops the broker. The input is produced first and not timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka, stopLocalKafka } from '../src/kafka-local/broker.js';
import { KafkaLog } from '../src/log/kafka/kafka-log.js';
import { partitionForKey } from '../src/log/murmur2.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { silentLogger } from '../src/common/logger.js';
import wordcount from '../examples/wordcount/wordcount.js';
import { randomLines } from './data.js';

const lines = Number(process.argv[2] ?? 100_000);
const partitions = Number(process.argv[3] ?? 4);
const version = process.argv[4];
const PORT = 29592;
const brokers = `127.0.0.1:${PORT}`;
const dir = mkdtempSync(join(tmpdir(), 'kstream-kafka-bench-'));
const quiet = () => undefined;

const input = 'streams-plaintext-input';

async function run(guarantee: 'exactly_once_v2' | 'exactly_once' | 'at_least_once', words: number): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const streams = new KafkaStreams(
    wordcount(),
    { 'application.id': `bench-${guarantee}-${Date.now()}`, 'bootstrap.servers': brokers, 'state.dir': join(dir, 'state'), 'processing.guarantee': guarantee },
    { logger: silentLogger },
  );
  await streams.run({ untilIdle: true });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify({
      bench: 'kafka-wordcount',
      guarantee,
      lines,
      words,
      partitions,
      runSeconds: +seconds.toFixed(2),
      wordsPerSec: Math.round(words / seconds),
      wordsPerCpuSec: Math.round(words / cpuSeconds),
    }),
  );
}

try {
  const info = await startLocalKafka({ port: PORT, dataDir: join(dir, 'broker'), version, log: quiet });
  console.error(`Kafka ${info.version} at ${brokers}`);
  const { records, words } = randomLines(lines, 42);
  const log = await KafkaLog.open(brokers, { logger: silentLogger });
  try {
    await log.admin().createTopics([{ name: input, partitions }]);
    for (let i = 0; i < records.length; i += 10_000) {
      await log.append(
        records.slice(i, i + 10_000).map((value, j) => ({ topic: input, partition: partitionForKey(Buffer.from(String(i + j)), partitions), key: null, value, timestamp: Date.now() })),
      );
    }
  } finally {
    await log.close();
  }
  await run('exactly_once_v2', words);
  await run('exactly_once', words);
  await run('at_least_once', words);
} finally {
  await stopLocalKafka({ dataDir: join(dir, 'broker'), log: quiet });
  rmSync(dir, { recursive: true, force: true });
}
