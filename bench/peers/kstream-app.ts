// kstream side of the peers benchmark: runs one topology of ./topologies.ts on a broker with the
// same settings as the Kafka Streams program, in its own process, and prints one JSON line of
// measurements (same fields as the Java side).
//   --mode idle   run until every input is processed and committed (--until-idle)
//   --mode serve  print "ready" once running; process until stdin closes or SIGTERM
// Arguments: --mode --bootstrap --app-id --topology --guarantee --commit-interval-ms --state-dir --prefix --timeout-s
import { readFileSync } from 'node:fs';
import { KafkaStreams } from '../../src/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { buildTopology, type TopologyName } from './topologies.js';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const arg = (name: string, fallback?: string): string => {
  const v = args.get(name) ?? fallback;
  if (v === undefined) throw new Error(`kstream-app: --${name} is required`);
  return v;
};

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

const mode = arg('mode', 'idle');
const streams = new KafkaStreams(
  buildTopology(arg('topology') as TopologyName, arg('prefix')),
  {
    'application.id': arg('app-id'),
    'bootstrap.servers': arg('bootstrap'),
    'processing.guarantee': arg('guarantee') as 'exactly_once_v2',
    'commit.interval.ms': Number(arg('commit-interval-ms', '100')),
    'statestore.cache.max.bytes': 10 * 1024 * 1024,
    'state.dir': arg('state-dir'),
    'auto.offset.reset': 'earliest',
    // KSTREAM_BENCH_SETTINGS='{"max.poll.records":500}': settings to try, over the ones above.
    ...(JSON.parse(process.env['KSTREAM_BENCH_SETTINGS'] ?? '{}') as Record<string, never>),
  },
  { logger: silentLogger },
);

const started = performance.now();
// KSTREAM_BENCH_MEMORY_TRACE=1: one line of process.memoryUsage() (MB) a second on stderr, to see where RSS goes.
if (process.env['KSTREAM_BENCH_MEMORY_TRACE'] === '1') {
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(`memory t=${((performance.now() - started) / 1000).toFixed(0)}s rss=${mb(m.rss)} heapTotal=${mb(m.heapTotal)} heapUsed=${mb(m.heapUsed)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)}\n`);
  }, 1000).unref();
}
let idle = true;
if (mode === 'serve') {
  await streams.start();
  const stop = () => void streams.close();
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
  // Ready as Kafka Streams' RUNNING means it: tasks assigned (and restored).
  const assigned = () => streams.state() === 'RUNNING' && (streams.status()?.tasks ?? 0) > 0;
  while (!assigned() && streams.state() !== 'ERROR' && streams.state() !== 'NOT_RUNNING') await new Promise((r) => setTimeout(r, 20));
  process.stdout.write('ready\n');
  await streams.closed();
} else {
  const timeoutMs = Number(arg('timeout-s', '900')) * 1000;
  const timer = setTimeout(() => {
    idle = false;
    void streams.close();
  }, timeoutMs);
  await streams.run({ untilIdle: true });
  clearTimeout(timer);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ runSeconds: +seconds.toFixed(3), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(3), peakRssMb: peakRssMb(), idle })}\n`,
);
process.exit(idle ? 0 : 2);
