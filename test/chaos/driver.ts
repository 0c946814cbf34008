/**
 * The chaos run: its own broker, worker processes of test/chaos/chaos-app.ts, input produced at a
 * steady rate while random workers are SIGKILLed (and restarted), the broker restarts and a worker is
 * SIGSTOPped past its session timeout; at the end every output is checked against a sequential
 * reference (check.ts) and the time to recover from each fault is reported (recovery.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka, stopLocalKafka } from '../../src/kafka-local/broker.js';
import { silentLogger } from '../../src/common/logger.js';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import type { ProducedRecord } from '../../src/log/types.js';
import { lostOutputsNote, verifyOutputs, type ChaosVerdict } from './check.js';
import { chaosChangelogs, chaosTopics, InputGenerator, seededRandom, type ChaosTopics } from './input.js';
import { RecoveryTracker, type FaultKind, type FaultRecord } from './recovery.js';
import { Worker } from './workers.js';

export interface ChaosOptions {
  readonly lines: number;
  readonly partitions: number;
  readonly workers: number;
  readonly kills: number;
  readonly brokerRestarts: number;
  /** Workers to SIGSTOP past the session timeout (one at a time). */
  readonly sigstops: number;
  readonly guarantee: 'exactly_once_v2' | 'at_least_once';
  /** Passed through as num.standby.replicas. */
  readonly standbys: number;
  readonly seed: number;
  /** The whole run (broker start to verdict) must end within this. */
  readonly timeBoundMs: number;
  /** Input lines per second. */
  readonly rate: number;
  readonly port: number;
  readonly kafkaVersion?: string;
  readonly sessionTimeoutMs: number;
  readonly commitIntervalMs?: number;
  /** Keep the work dir (worker logs, broker log) even when the run passes. */
  readonly keep?: boolean;
  /** Ends the run early (SIGINT/SIGTERM): workers and broker are stopped, the work dir is kept. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface ChaosResult {
  readonly ok: boolean;
  readonly verdict?: ChaosVerdict;
  /** What went wrong besides wrong output (a time bound, a worker that would not stop). */
  readonly errors: string[];
  readonly faults: FaultRecord[];
  /** Worker exits that no fault caused (a worker then starts again). */
  readonly selfExits: number;
  readonly wallMs: number;
  readonly produceMs: number;
  /** From the end of the input until the workers had processed and committed it all. */
  readonly drainMs: number;
  readonly workDir: string;
  readonly kafkaVersion: string;
}

const TICK_MS = 50;

class Deadline {
  constructor(
    private readonly at: number,
    private readonly signal?: AbortSignal,
  ) {}
  check(what: string): void {
    if (this.signal?.aborted) throw new Error(`stopped by ${String(this.signal.reason)} while ${what}`);
    if (Date.now() > this.at) throw new Error(`the run's time bound was reached while ${what}`);
  }
  get left(): number {
    return this.at - Date.now();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.log ?? ((line: string) => process.stderr.write(`[chaos] ${line}\n`));
  const started = Date.now();
  const deadline = new Deadline(started + o.timeBoundMs, o.signal);
  const dir = mkdtempSync(join(tmpdir(), 'kstream-chaos-'));
  const brokerDir = join(dir, 'broker');
  const prefix = `chaos-${o.seed}`;
  const topics = chaosTopics(prefix);
  const appId = `${prefix}-app`;
  const errors: string[] = [];
  const workers: Worker[] = [];
  let log: KafkaLog | null = null;
  let tracker: RecoveryTracker | null = null;
  let produceMs = 0;
  let drainMs = 0;
  let verdict: ChaosVerdict | undefined;
  let version = o.kafkaVersion ?? 'default';
  let keepAlive: NodeJS.Timeout | undefined;
  try {
    const broker = () => startLocalKafka({ port: o.port, dataDir: brokerDir, version: o.kafkaVersion, log: () => undefined, timeoutMs: 180_000 });
    const info = await broker();
    version = info.version ?? version;
    const brokers = info.bootstrap;
    say(`Kafka ${version} at ${brokers}; work dir ${dir}`);
    log = await KafkaLog.open(brokers, { logger: silentLogger });
    await log.admin().createTopics(Object.values(topics).map((name) => ({ name, partitions: o.partitions })));

    const input = new InputGenerator(topics, o.partitions, o.seed, Math.floor(Date.now() / 1e7) * 1e7);
    await log.append(input.initialPrices());

    const configFile = join(dir, 'chaos.properties');
    const settings = [
      `session.timeout.ms=${o.sessionTimeoutMs}`,
      `heartbeat.interval.ms=${Math.max(200, Math.floor(o.sessionTimeoutMs / 10))}`,
      `num.standby.replicas=${o.standbys}`,
    ];
    if (o.commitIntervalMs !== undefined) settings.push(`commit.interval.ms=${o.commitIntervalMs}`);
    writeFileSync(configFile, settings.join('\n') + '\n');
    for (let i = 0; i < o.workers; i++) workers.push(new Worker(i, { dir, brokers, prefix, guarantee: o.guarantee, configFile }));
    for (const w of workers) w.start();

    let repartition: string[] = [];
    const sources = [topics.lines, topics.orders, topics.prices];
    tracker = new RecoveryTracker(() => log!, appId, () => [...sources, ...repartition], started);
    tracker.start();
    // A worker that exits by itself (e.g. it found no broker within its connect timeout while the broker
    // restarted) is started again, as a process supervisor would; the report counts these exits.
    keepAlive = setInterval(() => {
      for (const w of workers) if (!w.running && !w.stopping) w.start();
    }, 1000);

    const produceStart = Date.now();
    const producing = produce(log, input, o, appId, deadline, say);
    const faulting = runFaults(o, workers, tracker, deadline, say, {
      stopBroker: () => stopLocalKafka({ dataDir: brokerDir, timeoutMs: 30_000, log: () => undefined }).then(() => undefined),
      startBroker: () => broker().then(() => undefined),
      findRepartition: async () => {
        repartition = (await log!.admin().listTopics()).filter((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition'));
      },
      inputDone: () => input.linesMade / o.lines,
    });
    await Promise.all([producing.then(() => (produceMs = Date.now() - produceStart)), faulting]);
    for (const w of workers) w.start(); // any still down

    const drainStart = Date.now();
    await waitDrained(log, appId, [...sources, ...repartition], [topics.wordcount, topics.windowed, topics.joined], deadline, say);
    drainMs = Date.now() - drainStart;
    tracker.stop();
    clearInterval(keepAlive);
    for (const w of workers) if (!(await w.stop(30_000))) errors.push(`worker ${w.index} did not stop within 30 s of SIGTERM`);

    say('reading the input and every output (read_committed) and computing the reference');
    verdict = await verifyOutputs(log, topics, chaosChangelogs(prefix), o.guarantee === 'exactly_once_v2');
    for (const c of verdict.checks) say(`${c.name}: ${c.keys} keys, ${c.expectedRecords} expected records, ${c.outputRecords} output records${lostOutputsNote(c)}${c.problems.length === 0 ? ', ok' : ''}`);
  } catch (e) {
    errors.push((e as Error).message);
  } finally {
    clearInterval(keepAlive);
    tracker?.stop();
    await Promise.all(workers.map((w) => w.stop(10_000)));
    for (const w of workers) w.close();
    await log?.close().catch(() => undefined);
    await stopLocalKafka({ dataDir: brokerDir, timeoutMs: 30_000, log: () => undefined }).catch(() => undefined);
  }
  const ok = errors.length === 0 && verdict !== undefined && verdict.checks.every((c) => c.problems.length === 0);
  if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
  const selfExits = workers.reduce((n, w) => n + w.selfExits, 0);
  return { ok, verdict, errors, faults: tracker?.faults ?? [], selfExits, wallMs: Date.now() - started, produceMs, drainMs, workDir: dir, kafkaVersion: version };
}

/** Appends the input tick by tick at `rate` lines/s; a failed append (broker away) is retried until it goes through. */
async function produce(log: KafkaLog, input: InputGenerator, o: ChaosOptions, appId: string, deadline: Deadline, say: (l: string) => void): Promise<void> {
  const start = Date.now();
  let nextReport = 10_000;
  while (input.linesMade < o.lines) {
    deadline.check('producing the input');
    const due = Math.min(o.lines, Math.floor(((Date.now() - start) / 1000) * o.rate));
    const n = Math.min(due - input.linesMade, Math.max(1, Math.ceil((o.rate * TICK_MS) / 1000) * 4));
    if (n <= 0) {
      await sleep(TICK_MS);
      continue;
    }
    const { prices, events } = input.tick(n);
    if (prices.length > 0) await appendUntilDone(log, prices, deadline);
    await appendUntilDone(log, events, deadline);
    if (Date.now() - start > nextReport) {
      say(`produced ${input.linesMade} of ${o.lines} lines; ${await committedLines(log, input.topics.lines, o.partitions, appId)} processed and committed`);
      nextReport += 10_000;
    }
  }
}

/** Lines the application has committed (a '?' while the broker is away). */
async function committedLines(log: KafkaLog, topic: string, partitions: number, group: string): Promise<string> {
  try {
    const c = await log.admin().committedOffsets(group, [topic]);
    let n = 0;
    for (let p = 0; p < partitions; p++) n += c.get(`${topic}/${p}`)?.offset ?? 0;
    return String(n);
  } catch {
    return '?';
  }
}

async function appendUntilDone(log: KafkaLog, records: ProducedRecord[], deadline: Deadline): Promise<void> {
  for (;;) {
    try {
      await log.append(records);
      return;
    } catch {
      deadline.check('appending input while the broker is away');
      await sleep(500);
    }
  }
}

interface BrokerControl {
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
  findRepartition(): Promise<void>;
  /** The share of the input produced so far, 0..1. */
  inputDone(): number;
}

/** The faults in a random order at random moments spread over the production time, one after another. */
async function runFaults(o: ChaosOptions, workers: Worker[], tracker: RecoveryTracker, deadline: Deadline, say: (l: string) => void, ctl: BrokerControl): Promise<void> {
  const random = seededRandom(o.seed ^ 0x5eed);
  const kinds: FaultKind[] = [...Array<FaultKind>(o.kills).fill('kill'), ...Array<FaultKind>(o.brokerRestarts).fill('broker restart'), ...Array<FaultKind>(o.sigstops).fill('sigstop')];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  // Spread over the input (by lines produced, so that a producer slowed down by the faults does not
  // bunch them up): the first once 10% of the input is out, the last by 90%.
  const slot = 0.8 / Math.max(1, kinds.length);
  for (let i = 0; i < kinds.length; i++) {
    const at = 0.1 + slot * (i + random());
    while (ctl.inputDone() < at) {
      deadline.check('waiting for the next fault');
      await sleep(100);
    }
    await ctl.findRepartition();
    const kind = kinds[i]!;
    if (kind === 'kill') {
      const w = workers[Math.floor(random() * workers.length)]!;
      await tracker.before('kill', `worker ${w.index}`);
      await w.kill();
      await sleep(Math.floor(random() * 1000));
      w.start();
      say(`fault ${i + 1}/${kinds.length}: SIGKILL worker ${w.index}, restarted`);
    } else if (kind === 'broker restart') {
      await tracker.before('broker restart', 'stop, 3 s away, start');
      await ctl.stopBroker();
      await sleep(3000);
      await ctl.startBroker();
      say(`fault ${i + 1}/${kinds.length}: broker restarted`);
    } else {
      let w: Worker | undefined;
      while ((w = workers.find((x) => x.appPid() !== undefined)) === undefined) {
        deadline.check('waiting for a running worker to SIGSTOP');
        await sleep(200);
      }
      const pauseMs = o.sessionTimeoutMs + 4000;
      await tracker.before('sigstop', `worker ${w.index} for ${pauseMs / 1000} s`);
      const resume = w.pause();
      await sleep(pauseMs);
      resume?.();
      say(`fault ${i + 1}/${kinds.length}: SIGSTOP worker ${w.index} for ${pauseMs / 1000} s, then SIGCONT`);
    }
  }
}

/**
 * Waits until the workers have processed and committed everything: the input topics' committed
 * offsets reach their ends, and the repartition offsets and the outputs stay the same for 5 s.
 */
async function waitDrained(log: KafkaLog, group: string, inputs: string[], outputs: string[], deadline: Deadline, say: (l: string) => void): Promise<void> {
  const admin = log.admin();
  let last = '';
  let stableSince = 0;
  let nextReport = Date.now() + 10_000;
  for (;;) {
    deadline.check('waiting for the workers to process all input');
    try {
      const committed = await admin.committedOffsets(group, inputs);
      let lag = 0;
      for (const topic of inputs) {
        const ends = await admin.logEndOffsets(topic);
        ends.forEach((end, p) => {
          const c = committed.get(`${topic}/${p}`)?.offset ?? 0;
          if (end > c + 1 || (!topic.endsWith('-repartition') && end > c)) lag += end - c;
        });
      }
      const outs = await Promise.all(outputs.map((t) => admin.logEndOffsets(t)));
      const state = JSON.stringify([[...committed].sort(), outs]);
      if (lag === 0 && state === last) {
        if (Date.now() - stableSince >= 5000) return;
      } else {
        last = state;
        stableSince = Date.now();
      }
      if (Date.now() > nextReport) {
        say(`draining: ${lag} records left to process`);
        nextReport += 10_000;
      }
    } catch {
      /* the broker may be starting */
    }
    await sleep(500);
  }
}

export type { ChaosTopics };
