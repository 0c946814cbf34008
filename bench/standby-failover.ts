// Benchmark: failover of a task with a large store onto a standby replica vs a full restore.
// Usage: npx tsx bench/standby-failover.ts [keys=5000000] [guarantee=exactly_once_v2] [kafka version]
//        (KSTREAM_BENCH_MODES=restore,standby to change the order of the two runs)
// Needs `npm run build` (the workers are `kstream run` processes). Starts its own single-node broker
// (port $KSTREAM_BENCH_KAFKA_PORT, default 22192, a temp data dir), writes `keys` records with
// distinct keys to a 2-partition topic, and runs test/kafka/fixtures/keycount-app.ts (a count per
// key: a store of `keys` keys, half per task) twice, each time as two worker processes:
//   standby: num.standby.replicas=1 (each worker keeps a standby of the other's task)
//   restore: num.standby.replicas=0
// Once every record is counted, the worker that owns task 0_0 is killed with SIGKILL; the survivor
// takes the task over after session.timeout.ms (6000 here) and reports what it restored. Printed:
// the time to count the input (both workers), the restored records and the restore time, and the
// time from SIGKILL to the task running again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalKafka, stopLocalKafka } from '../src/kafka-local/broker.js';
import { KafkaLog } from '../src/log/kafka/kafka-log.js';
import { partitionForKey } from '../src/log/murmur2.js';
import { silentLogger } from '../src/common/logger.js';

const keys = Number(process.argv[2] ?? 5_000_000);
const guarantee = process.argv[3] ?? 'exactly_once_v2';
const version = process.argv[4];
/** Which runs, in which order (the first runs on a fresh broker): KSTREAM_BENCH_MODES=standby,restore. */
const order = (process.env.KSTREAM_BENCH_MODES ?? 'standby,restore').split(',');
const PORT = Number(process.env.KSTREAM_BENCH_KAFKA_PORT ?? 22192);
const brokers = `127.0.0.1:${PORT}`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kstream-standby-bench-'));
const quiet = () => undefined;
const input = `standby-bench-input`;
const PARTITIONS = 2;

interface Worker {
  readonly child: ChildProcess;
  output: string;
}
const workers: Worker[] = [];

function worker(app: string, name: string, settings: string): Worker {
  const child = spawn(process.execPath, [`${ROOT}bin/kstream.js`, 'run', `${ROOT}test/kafka/fixtures/keycount-app.ts`, '--brokers', brokers, '--state-dir', join(dir, app, name), '--config', settings, '--guarantee', guarantee], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KSTREAM_LOG_LEVEL: 'info', KSTREAM_TEST_APP_ID: app, KSTREAM_TEST_INPUT: input, KSTREAM_TEST_OUTPUT: `${app}-output` },
  });
  const w: Worker = { child, output: '' };
  child.stdout!.on('data', (d: Buffer) => (w.output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (w.output += d.toString('utf8')));
  workers.push(w);
  return w;
}

async function until<T>(what: string, check: () => Promise<T | null> | T | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function committed(log: KafkaLog, app: string): Promise<number> {
  let sum = 0;
  for (const v of (await log.admin().committedOffsets(app, [input])).values()) sum += v.offset;
  return sum;
}

function lastTasks(w: Worker): string[] | null {
  const m = [...w.output.matchAll(/generation \d+, member \w+.*: tasks \[([^\]]*)\]/g)].pop();
  return m === undefined ? null : m[1] === '' ? [] : m[1]!.split(', ');
}

async function scenario(log: KafkaLog, replicas: number): Promise<void> {
  const app = `standby-bench-${replicas}-${Date.now()}`;
  const settings = join(dir, `${app}.properties`);
  writeFileSync(settings, `num.standby.replicas=${replicas}\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\n`);
  const t0 = performance.now();
  const a = worker(app, 'a', settings);
  const b = worker(app, 'b', settings);
  await until('both workers to hold a task', () => (lastTasks(a)?.length === 1 && lastTasks(b)?.length === 1 ? true : null), 300_000);
  await until('the input to be counted', async () => ((await committed(log, app)) === keys ? true : null), 3_600_000);
  const countSeconds = (performance.now() - t0) / 1000;
  // The standby applies the owner's last commits (the owner's changelog end is what it must reach).
  await new Promise((r) => setTimeout(r, 10_000));
  const [victim, survivor] = lastTasks(a)![0] === '0_0' ? [a, b] : [b, a];
  const changelogEnd = (await log.admin().endOffsets(`${app}-key-counts-changelog`))[0]!;
  const killedAt = performance.now();
  victim.child.kill('SIGKILL');
  const re = /restored (\d+) records into store key-counts of task 0_0 in (\d+) ms/;
  const m = await until('the survivor to restore task 0_0', () => re.exec(survivor.output), 3_600_000);
  const failoverMs = Math.round(performance.now() - killedAt);
  const standbyApplied = /standby task 0_0: closed after applying (\d+) changelog records/.exec(survivor.output)?.[1] ?? '0';
  console.log(
    JSON.stringify({
      bench: 'standby-failover',
      mode: replicas > 0 ? 'standby' : 'restore',
      guarantee,
      keys,
      countSeconds: +countSeconds.toFixed(1),
      changelogEnd,
      standbyApplied: Number(standbyApplied),
      restoredRecords: Number(m[1]),
      restoreMs: Number(m[2]),
      failoverMs,
      sessionTimeoutMs: 6000,
    }),
  );
  survivor.child.kill('SIGTERM');
  await new Promise((r) => survivor.child.once('exit', r));
}

try {
  const info = await startLocalKafka({ port: PORT, dataDir: join(dir, 'broker'), version, log: quiet, heapOpts: '-Xms512m -Xmx1g' });
  console.error(`Kafka ${info.version} at ${brokers}`);
  const log = await KafkaLog.open(brokers, { logger: silentLogger });
  try {
    await log.admin().createTopics([{ name: input, partitions: PARTITIONS }]);
    const now = Date.now();
    for (let i = 0; i < keys; i += 20_000) {
      const batch = [];
      for (let j = i; j < Math.min(keys, i + 20_000); j++) {
        const key = Buffer.from(`k${j}`);
        batch.push({ topic: input, partition: partitionForKey(key, PARTITIONS), key, value: Buffer.from('x'), timestamp: now });
      }
      await log.append(batch);
    }
    console.error(`${keys} records written`);
    for (const mode of order) await scenario(log, mode === 'standby' ? 1 : 0);
  } finally {
    await log.close();
  }
} finally {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await stopLocalKafka({ dataDir: join(dir, 'broker'), log: quiet });
  rmSync(dir, { recursive: true, force: true });
}
