// Benchmark against the peers: kstream and Kafka Streams 4.4 side by side on the same broker and data.
//
//   npm run bench -- peers [--quick] [--lines N] [--partitions P] [--brokers host:port]
//                          [--kafka-version V] [--topologies wordcount,windowed,join]
//                          [--rate lines/s] [--latency-seconds S] [--svg file] [--json file]
//                          [--systems kstream,kafka-streams] [--guarantees exactly_once_v2,...]
//                          [--parts throughput,latency] [--run-id ID] [--port P]
//                          [--kstream-node-flags "--cpu-prof --trace-gc ..."]
//   npm run bench -- peers --from-json a.json,b.json [--svg file]   (tables and chart of saved rows)
//
// Starts its own single-node broker (127.0.0.1:29692 or --port, a temp data dir) unless --brokers is given,
// builds bench/peers/kafka-streams with Maven (cached), produces every input once (not timed), then
// for each topology and guarantee runs each system in its own process:
// - throughput: the whole input from the start until every input and repartition partition is
//   committed at its end (kstream --until-idle; the Java side watches the group's offsets the same
//   way), timed inside the process from the start of the application;
// - latency (wordcount): the application runs while lines are written at a fixed rate with the
//   wall clock as their timestamp; a read_committed consumer of the output takes now - timestamp,
//   for the lines sent from 5 s after the application's first output on (steady state).
// Each process reports its own CPU seconds (user + system) and peak RSS (VmHWM).
// Prints one JSON line per run and Markdown tables at the end; --json is rewritten after every row.
// --run-id reuses the inputs of an earlier run on the same broker (--brokers), so that the rows of a
// matrix split over several commands (--systems, --guarantees, --parts) read the same data.
// --kstream-node-flags adds node flags to the kstream process (after bench/node-flags.js's), e.g. to
// profile it (--cpu-prof --cpu-prof-dir=DIR) or to try other GC settings.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startLocalKafka, stopLocalKafka } from '../../src/kafka-local/broker.js';
import { javaCommand } from '../../src/kafka-local/jars.js';
import { ensureMavenProjectBuilt } from '../../src/kafka-local/maven-project.js';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import { partitionForKey } from '../../src/log/murmur2.js';
import type { ProducedRecord } from '../../src/log/types.js';
import { silentLogger } from '../../src/common/logger.js';
import { randomLines } from '../data.js';
import { NODE_FLAGS } from '../node-flags.js';
import { renderChart } from './chart.js';
import { fmt, GUARANTEES, markdownTables, SYSTEMS, type AppReport, type Guarantee, type LatencyRow, type System, type ThroughputRow } from './results.js';
import { inputTopics, outputTopic, TOPOLOGIES, type TopologyName } from './topologies.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const DEFAULT_PORT = 29692;

interface Options {
  quick: boolean;
  lines: number;
  partitions: number;
  brokers: string | null;
  kafkaVersion: string | undefined;
  topologies: TopologyName[];
  rate: number;
  latencySeconds: number;
  svg: string | null;
  json: string | null;
  systems: System[];
  guarantees: Guarantee[];
  parts: Array<'throughput' | 'latency'>;
  runId: string | null;
  fromJson: string[];
  port: number;
  kstreamNodeFlags: string[];
}

function listOption<T extends string>(value: string | undefined, all: readonly T[], what: string): T[] {
  if (value === undefined) return [...all];
  const items = value.split(',') as T[];
  for (const i of items) if (!all.includes(i)) throw new Error(`peers: unknown ${what} '${i}' (${all.join(', ')})`);
  return items;
}

function parseOptions(argv: string[]): Options {
  const a = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (!k.startsWith('--')) throw new Error(`peers: unexpected argument '${k}'`);
    if (k === '--quick') flags.add('quick');
    else a.set(k.slice(2), argv[++i] ?? '');
  }
  const quick = flags.has('quick');
  const topologies = listOption(a.get('topologies'), TOPOLOGIES, 'topology');
  return {
    quick,
    lines: Number(a.get('lines') ?? (quick ? 20_000 : 1_000_000)),
    partitions: Number(a.get('partitions') ?? 4),
    brokers: a.get('brokers') ?? null,
    kafkaVersion: a.get('kafka-version'),
    topologies,
    rate: Number(a.get('rate') ?? (quick ? 500 : 5000)),
    latencySeconds: Number(a.get('latency-seconds') ?? (quick ? 4 : 20)),
    svg: a.get('svg') ?? null,
    json: a.get('json') ?? null,
    systems: listOption(a.get('systems'), SYSTEMS, 'system'),
    guarantees: listOption(a.get('guarantees'), GUARANTEES.kstream, 'guarantee'),
    parts: listOption(a.get('parts'), ['throughput', 'latency'] as const, 'part'),
    runId: a.get('run-id') ?? null,
    fromJson: a.has('from-json') ? a.get('from-json')!.split(',') : [],
    port: Number(a.get('port') ?? DEFAULT_PORT),
    kstreamNodeFlags: (a.get('kstream-node-flags') ?? '').split(/\s+/).filter((f) => f !== ''),
  };
}

const quiet = () => undefined;

/** Writes records in chunks (kstream's idempotent producer). */
async function appendAll(log: KafkaLog, records: ProducedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 20_000) await log.append(records.slice(i, i + 20_000));
}

interface Inputs {
  records: number;
  words: number;
}

/** Produces a topology's input under `prefix`. Timestamps: one ms apart, ending an hour ago. */
async function produceInputs(log: KafkaLog, name: TopologyName, prefix: string, lines: number, partitions: number): Promise<Inputs> {
  const topics = [...inputTopics(name, prefix), outputTopic(prefix)];
  // Inputs of an earlier command with the same --run-id: the same data (randomLines is deterministic).
  const existing = await log.admin().describeTopics(topics);
  if (existing.size === topics.length) return { records: lines, words: name === 'join' ? 0 : randomLines(lines, 42).words };
  await log.admin().createTopics(topics.map((t) => ({ name: t, partitions })));
  const base = Date.now() - 3_600_000 - lines;
  if (name !== 'join') {
    const { records, words } = randomLines(lines, 42);
    const topic = inputTopics(name, prefix)[0]!;
    await appendAll(
      log,
      records.map((value, i) => ({ topic, partition: i % partitions, key: null, value, timestamp: base + i })),
    );
    return { records: lines, words };
  }
  const [clicks, users] = inputTopics(name, prefix) as [string, string];
  const userCount = Math.max(1000, Math.floor(lines / 10));
  const userRecords: ProducedRecord[] = [];
  for (let i = 0; i < userCount; i++) {
    const key = `u${i}`;
    userRecords.push({ topic: users, partition: partitionForKey(Buffer.from(key), partitions), key: Buffer.from(key), value: Buffer.from(`region-${i % 50}`), timestamp: base - 1 });
  }
  await appendAll(log, userRecords);
  let s = 7;
  const clickRecords: ProducedRecord[] = [];
  for (let i = 0; i < lines; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const key = `u${s % userCount}`;
    clickRecords.push({ topic: clicks, partition: partitionForKey(Buffer.from(key), partitions), key: Buffer.from(key), value: Buffer.from(`/page/${(s >>> 8) % 1000}`), timestamp: base + i });
  }
  await appendAll(log, clickRecords);
  return { records: lines, words: 0 };
}

interface App {
  proc: ChildProcess;
  /** Resolves with the process's report (its last stdout line). */
  report: Promise<AppReport>;
  ready: Promise<void>;
}

/** Child processes still running (killed if the benchmark is interrupted). */
const running = new Set<ChildProcess>();
/** Node flags of the kstream process: the benches' own, then --kstream-node-flags. */
let kstreamNodeFlags: readonly string[] = NODE_FLAGS;

function startApp(system: System, javaDir: string, args: Record<string, string>, timeoutMs: number): App {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]);
  const proc =
    system === 'kstream'
      ? spawn(process.execPath, [...kstreamNodeFlags, '--import', 'tsx', join(HERE, 'kstream-app.ts'), ...argv], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(javaCommand(), ['-cp', `${join(javaDir, 'peers-kafka-streams-1.jar')}:${join(javaDir, 'lib', '*')}`, 'kstream.bench.Main', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    if (/^ready$/m.test(out)) onReady();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-4000);
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const report = new Promise<AppReport>((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(last) as AppReport;
        if (code !== 0 || !r.idle) throw new Error(`exit ${code ?? signal}`);
        resolve(r);
      } catch (e) {
        reject(new Error(`${system} ${args['topology']} ${args['guarantee']} ${args['mode']} failed (${(e as Error).message}):\n${out.slice(-1000)}${err}`));
      }
    });
  });
  return { proc, report, ready };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measureLatency(
  ctx: { brokers: string; log: KafkaLog; javaDir: string; stateDir: string; runId: string; opts: Options },
  topology: TopologyName,
  system: System,
  guarantee: Guarantee,
): Promise<LatencyRow> {
  const { opts } = ctx;
  const prefix = `${ctx.runId}-lat-${Date.now().toString(36)}-${system}-${guarantee}`.replace(/_/g, '-');
  await ctx.log.admin().createTopics([...inputTopics(topology, prefix), outputTopic(prefix)].map((name) => ({ name, partitions: opts.partitions })));
  const app = startApp(
    system,
    ctx.javaDir,
    { mode: 'serve', bootstrap: ctx.brokers, 'app-id': `${prefix}-app`, topology, guarantee, 'commit-interval-ms': '100', 'state-dir': join(ctx.stateDir, prefix), prefix, 'timeout-s': '600' },
    600_000,
  );
  app.report.catch(() => undefined);
  await Promise.race([app.ready, app.report]);
  const kafka = new Kafka({ brokers: [ctx.brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${prefix}-reader`, readUncommitted: false, maxWaitTimeInMs: 10 });
  const samples: number[] = [];
  let measureFrom = Infinity;
  let firstOutputAt = Infinity;
  let newestSeen = 0;
  let newestSent = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: outputTopic(prefix), fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        if (batch.messages.length > 0 && firstOutputAt === Infinity) firstOutputAt = now;
        for (const m of batch.messages) {
          const ts = Number(m.timestamp);
          if (ts >= measureFrom) samples.push(now - ts);
          if (ts > newestSeen) newestSeen = ts;
        }
      },
    });
    await joined;
    // Lines at a fixed rate (catching up when a write took longer than a tick); timestamp = send time.
    const { texts } = randomLines(10_000, 11);
    const input = inputTopics(topology, prefix)[0]!;
    // Steady state: lines sent from `warmupMs` after the application's first output on count (its
    // start, group join, first transactions and the backlog they left are not its latency).
    const warmupMs = opts.quick ? 2000 : 5000;
    const t0 = Date.now();
    let endAt = t0 + 120_000;
    let sent = 0;
    while (Date.now() < endAt) {
      if (measureFrom === Infinity && firstOutputAt !== Infinity) {
        measureFrom = firstOutputAt + warmupMs;
        endAt = measureFrom + opts.latencySeconds * 1000;
      }
      const due = Math.floor(((Date.now() - t0) / 1000) * opts.rate);
      const batch: ProducedRecord[] = [];
      const now = Date.now();
      for (; sent < due; sent++) batch.push({ topic: input, partition: sent % opts.partitions, key: null, value: Buffer.from(texts[sent % texts.length]!), timestamp: now });
      if (batch.length > 0) {
        newestSent = now;
        await ctx.log.append(batch);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // Until the output of the last lines arrived (a loaded machine may lag by seconds), at most 2 min.
    const drainUntil = Date.now() + 120_000;
    while (newestSeen < newestSent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect().catch(() => undefined);
    // Closing stdin stops either program, which then prints its report.
    app.proc.stdin!.end();
  }
  const report = await app.report;
  samples.sort((a, b) => a - b);
  return {
    kind: 'latency',
    topology,
    system,
    guarantee,
    offeredLinesPerSec: opts.rate,
    samples: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples.length > 0 ? samples[samples.length - 1]! : NaN,
    ...report,
  };
}

function writeReport(opts: Options, rows: ReadonlyArray<ThroughputRow | LatencyRow>): void {
  console.log('');
  console.log(markdownTables(rows));
  if (opts.svg !== null) writeFileSync(opts.svg, renderChart(rows.filter((r): r is ThroughputRow => r.kind === 'throughput')));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  kstreamNodeFlags = [...NODE_FLAGS, ...opts.kstreamNodeFlags];
  if (opts.fromJson.length > 0) {
    writeReport(opts, opts.fromJson.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Array<ThroughputRow | LatencyRow>));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kstream-peers-'));
  const ownBroker = opts.brokers === null;
  const brokers = opts.brokers ?? `127.0.0.1:${opts.port}`;
  const rows: Array<ThroughputRow | LatencyRow> = [];
  const emit = (row: ThroughputRow | LatencyRow) => {
    rows.push(row);
    console.log(JSON.stringify(row));
    if (opts.json !== null) writeFileSync(opts.json, `${JSON.stringify(rows, null, 2)}\n`);
  };
  let log: KafkaLog | null = null;
  const onSignal = () => {
    for (const p of running) p.kill('SIGKILL');
    void (ownBroker ? stopLocalKafka({ dataDir: join(dir, 'broker'), log: quiet }) : Promise.resolve()).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const javaDir = ensureMavenProjectBuilt({ dir: join(HERE, 'kafka-streams'), cacheName: 'peers', jar: 'peers-kafka-streams-1.jar', what: 'Kafka Streams benchmark program' });
    if (ownBroker) {
      const info = await startLocalKafka({ port: opts.port, dataDir: join(dir, 'broker'), version: opts.kafkaVersion, log: quiet });
      console.error(`peers: Kafka ${info.version} at ${brokers}`);
    }
    log = await KafkaLog.open(brokers, { logger: silentLogger });
    const runId = opts.runId ?? `peers-${Date.now().toString(36)}`;
    const timeoutS = opts.quick ? 300 : 1800;
    for (const topology of opts.topologies) {
      const prefix = `${runId}-${topology}`;
      const produced = await produceInputs(log, topology, prefix, opts.lines, opts.partitions);
      console.error(`peers: ${topology}: ${fmt(produced.records)} input records${produced.words > 0 ? ` (${fmt(produced.words)} words)` : ''} over ${opts.partitions} partitions`);
      for (const guarantee of opts.parts.includes('throughput') ? opts.guarantees : []) {
        for (const system of opts.systems) {
          if (!GUARANTEES[system].includes(guarantee)) continue;
          const appId = `${prefix}-${system}-${guarantee}`.replace(/_/g, '-');
          const app = startApp(
            system,
            javaDir,
            { mode: 'idle', bootstrap: brokers, 'app-id': appId, topology, guarantee, 'commit-interval-ms': '100', 'state-dir': join(dir, 'state', appId), prefix, 'timeout-s': String(timeoutS) },
            (timeoutS + 120) * 1000,
          );
          const r = await app.report;
          const perCpu = (produced.words > 0 ? produced.words : produced.records) / r.cpuSeconds;
          emit({
            kind: 'throughput',
            topology,
            system,
            guarantee,
            records: produced.records,
            words: produced.words,
            recordsPerSec: produced.records / r.runSeconds,
            wordsPerSec: produced.words / r.runSeconds,
            wordsPerCpuSec: perCpu,
            ...r,
          });
        }
      }
      // Latency right after wordcount's throughput (the main comparison first, if time runs short).
      if (topology === 'wordcount' && opts.parts.includes('latency')) {
        for (const guarantee of opts.guarantees) {
          for (const system of opts.systems) {
            if (!GUARANTEES[system].includes(guarantee)) continue;
            emit(await measureLatency({ brokers, log, javaDir, stateDir: join(dir, 'state'), runId, opts }, 'wordcount', system, guarantee));
          }
        }
      }
    }
    writeReport(opts, rows);
  } finally {
    await log?.close();
    if (ownBroker) await stopLocalKafka({ dataDir: join(dir, 'broker'), log: quiet });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
