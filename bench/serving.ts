// Benchmark: queries on a running SQL application (embedded log, exactly_once, commit every 100 ms).
// A table of N keys (CREATE TABLE AS SELECT ... LATEST_BY_OFFSET over N records), served by
// `--listeners` in process:
// - pull by key: latency of `SELECT * FROM T WHERE K = '<random key>'` over HTTP/1.1 (one
//   request at a time, keep-alive) from a client in its own process (bench/serving/pull-client.ts),
//   with the application idle, then while it processes U updates; the server's event-loop delay
//   (perf_hooks.monitorEventLoopDelay) in each phase, and that of a bare node process beside it (the
//   machine's scheduling noise); the application's throughput while busy; the worker's longest
//   synchronous stretch per loop turn while busy (its kstream_loop_slice_seconds histogram);
//   and the interactive query behind a pull (store.get), in process;
// - push end to end: a record appended to the input topic → its row at a push query's client, on
//   the input stream (`SELECT * FROM S EMIT CHANGES`) and on the table (`SELECT * FROM T EMIT
//   CHANGES`: through the application's exactly_once commit, then the push query).
// Also: what planning a pull query costs, with and without the plan cache (no HTTP, no store).
// Usage: npx tsx bench/serving.ts [keys=1000000] [pulls=5000] [pushes=200] [updates=200000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSql } from '../src/cli/sql-loader.js';
import { EmbeddedLog } from '../src/log/embedded/embedded-log.js';
import { partitionForKey } from '../src/log/murmur2.js';
import { QueryableStoreTypes, StoreQueryParameters } from '../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { LATENCY_BUCKETS_S, type HistogramSnapshot } from '../src/runtime/metrics/histogram.js';
import { silentLogger } from '../src/common/logger.js';
import { prepareServing } from '../src/server/serve.js';
import { PullPlanCache, queryShape } from '../src/server/pull-plan-cache.js';
import { planPullQuery } from '../src/server/pull-query.js';
import { pullTables } from '../src/server/sql-tables.js';
import { parseStatements } from '../src/sql/parser/parse.js';
import type { Query } from '../src/sql/parser/ast.js';

const keys = Number(process.argv[2] ?? 1_000_000);
const pulls = Number(process.argv[3] ?? 5_000);
const pushes = Number(process.argv[4] ?? 200);
const updates = Number(process.argv[5] ?? 200_000);
const PARTITIONS = 2;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): Record<string, number> {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0 };
  const r = (x: number) => +x.toFixed(3);
  return { n: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), p999: r(percentile(s, 99.9)), max: r(s[s.length - 1]!) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const key = (i: number) => `key-${i}`;

/**
 * The worker's longest synchronous stretch per loop turn over a span (kstream_loop_slice_seconds,
 * the difference of two snapshots): turns, and the bucket bound (ms) that p50 / p99 / max fall under.
 */
function sliceSpan(before: HistogramSnapshot, after: HistogramSnapshot): Record<string, number> {
  const counts = after.cumulative.map((c, i) => c - before.cumulative[i]!);
  const n = counts[counts.length - 1]!;
  const bound = (q: number) => {
    const i = counts.findIndex((c) => c >= q * n);
    return i < LATENCY_BUCKETS_S.length ? LATENCY_BUCKETS_S[i]! * 1000 : Infinity;
  };
  return { turns: n, p50AtMostMs: bound(0.5), p99AtMostMs: bound(0.99), maxAtMostMs: bound(1) };
}

function loopSlices(streams: KafkaStreams): HistogramSnapshot {
  const h = streams.histograms().find((m) => m.name === 'kstream_loop_slice_seconds');
  if (h === undefined) throw new Error('no kstream_loop_slice_seconds histogram');
  return h.value;
}

function delays(h: IntervalHistogram): Record<string, number> {
  const ms = (ns: number) => +(ns / 1e6).toFixed(2);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max) };
}

/**
 * Starts the pull client in its own process and waits until it is warmed up; `go()` starts its
 * requests and resolves with [start (epoch ms), latency ms] of each.
 */
async function pullClient(url: string, count: number): Promise<{ go: () => Promise<Array<[number, number]>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serving/pull-client.ts', url, String(keys), String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill(), 1_800_000);
  let out = '';
  child.stdout.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: string) => {
      out += c;
      if (out.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`pull client exited (${code}) before it was ready`)));
  });
  return {
    go: async () => {
      child.stdin.write('go\n');
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`pull client exited with ${code}`);
      return JSON.parse(out.slice('ready\n'.length)) as Array<[number, number]>;
    },
  };
}

/**
 * The machine's scheduling noise: the event-loop delay of a bare node process (nothing to do)
 * over the same span, measured in a process of its own. Resolves when `stop()` is called.
 */
function noiseFloor(): { stop: () => Promise<Record<string, number>> } {
  const script = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 1 }); h.enable();
process.stdin.once('data', () => { h.disable(); const ms = (ns) => +(ns / 1e6).toFixed(2);
process.stdout.write(JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max) })); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin.write('stop\n');
      await exited;
      return JSON.parse(out) as Record<string, number>;
    },
  };
}

async function append(log: EmbeddedLog, from: number, to: number, value: (i: number) => number): Promise<void> {
  for (let i = from; i < to; i += 20_000) {
    const batch = [];
    for (let j = i; j < Math.min(to, i + 20_000); j++) {
      const k = Buffer.from(key(j));
      batch.push({ topic: 'bench-s', partition: partitionForKey(k, PARTITIONS), key: k, value: Buffer.from(JSON.stringify({ V: value(j) })), timestamp: Date.now() });
    }
    await log.append(batch);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kstream-bench-serving-'));
try {
  const file = join(dir, 'serving.sql');
  writeFileSync(
    file,
    `CREATE STREAM S (K STRING KEY, V BIGINT) WITH (KAFKA_TOPIC='bench-s', VALUE_FORMAT='JSON', PARTITIONS=${PARTITIONS});
CREATE TABLE T WITH (KAFKA_TOPIC='bench-t', VALUE_FORMAT='JSON') AS SELECT K, LATEST_BY_OFFSET(V) AS V FROM S GROUP BY K;
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const loaded = await loadSql(file, {});
  const config = { ...loaded.config, 'data.dir': dir, 'processing.guarantee': 'exactly_once' as const, 'application.server': `127.0.0.1:${port}`, logger: silentLogger };
  const log = EmbeddedLog.open(dir);
  await loaded.prepare(log, config);
  const t0 = performance.now();
  await append(log, 0, keys, (i) => i);
  const serving = prepareServing(url, loaded.topology!, loaded.sql);
  const streams = new KafkaStreams(serving.topology, config, { log });
  await streams.start();
  const listener = await serving.start(streams, log, 'bench', silentLogger);
  const view = () => streams.store(StoreQueryParameters.fromNameAndType('T-PULL', QueryableStoreTypes.keyValueStore<unknown[], unknown[]>()));
  // Loaded: the last key is in the pull table (which reads the sink topic).
  for (;;) {
    try {
      if (view().get([key(keys - 1)]) !== null && view().approximateNumEntries() >= keys) break;
    } catch {
      /* restoring */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const loadSeconds = (performance.now() - t0) / 1000;

  const idleClient = await pullClient(url, pulls);
  const idleNoise = noiseFloor();
  const idleLoop = monitorEventLoopDelay({ resolution: 1 });
  idleLoop.enable();
  const cpu0 = process.cpuUsage();
  const idle = (await idleClient.go()).map(([, ms]) => ms);
  const cpu = process.cpuUsage(cpu0);
  idleLoop.disable();
  const idleNoiseMs = await idleNoise.stop();
  // CPU time of the server process (listener + idle application) per request.
  const pullCpuMsPerRequest = +((cpu.user + cpu.system) / 1000 / pulls).toFixed(3);

  // Busy: U updates of existing keys appended at once (encoded beforehand), processed while the
  // client pulls; throughput = U / (first append → last update readable in the pull table).
  const encoded: Array<Array<{ topic: string; partition: number; key: Buffer; value: Buffer; timestamp: number }>> = [];
  for (let i = 0; i < updates; i += 20_000) {
    const batch = [];
    for (let j = i; j < Math.min(updates, i + 20_000); j++) {
      const k = Buffer.from(key(j % keys));
      batch.push({ topic: 'bench-s', partition: partitionForKey(k, PARTITIONS), key: k, value: Buffer.from(JSON.stringify({ V: -1 - j })), timestamp: Date.now() });
    }
    encoded.push(batch);
  }
  const busyClient = await pullClient(url, pulls);
  const busyLoop = monitorEventLoopDelay({ resolution: 1 });
  busyLoop.enable();
  const slicesBefore = loopSlices(streams);
  const busySamplesDone = busyClient.go();
  const busyFrom = Date.now();
  for (const batch of encoded) await log.append(batch);
  const lastKey = [key((updates - 1) % keys)];
  for (;;) {
    const row = view().get(lastKey) as unknown[] | null;
    if (row !== null && row.some((v) => String(v) === String(-updates))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const busyTo = Date.now();
  busyLoop.disable();
  const busySlices = sliceSpan(slicesBefore, loopSlices(streams));
  const busySamples = await busySamplesDone;
  const busy = busySamples.filter(([at, ms]) => at >= busyFrom && at + ms <= busyTo).map(([, ms]) => ms);
  const busyThroughput = Math.round(updates / ((busyTo - busyFrom) / 1000));

  const iq: number[] = [];
  const store = view();
  for (let i = 0; i < pulls; i++) {
    const k = [key(Math.floor(Math.random() * keys))];
    const s = performance.now();
    if (store.get(k) === null) throw new Error(`no value for ${k[0]}`);
    iq.push(performance.now() - s);
  }

  // What a pull query costs before it reads the store: parse + analyze (no plan cache), and the
  // plan cache's lex + lookup + key binding.
  const session = loaded.sql!.session;
  const tables = pullTables(session, loaded.sql!.script);
  const planNoCache: number[] = [];
  const planCached: number[] = [];
  const cache = new PullPlanCache();
  for (let i = 0; i < Math.min(pulls, 2_000); i++) {
    const sql = `SELECT * FROM T WHERE K = '${key(Math.floor(Math.random() * keys))}';`;
    let s = performance.now();
    const stmt = parseStatements(sql)[0]!;
    const plan = planPullQuery(session, tables, (stmt as { query: Query }).query, sql);
    planNoCache.push(performance.now() - s);
    s = performance.now();
    const shape = queryShape(sql)!;
    if (cache.lookup(shape) === undefined) cache.remember(shape, plan);
    planCached.push(performance.now() - s);
  }

  /** Appends one record per 20 ms and times each until its row reaches the push query's client. */
  async function pushLatency(sql: string): Promise<number[]> {
    const res = await fetch(`${url}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }) });
    const reader = res.body!.getReader();
    const sentAt = new Map<string, number>();
    const out: number[] = [];
    let buffered = '';
    let headerSeen = false;
    const reading = (async () => {
      while (out.length < pushes) {
        const r = await reader.read();
        if (r.done) break;
        buffered += Buffer.from(r.value).toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!headerSeen) {
            headerSeen = true;
            continue;
          }
          const k = (JSON.parse(line) as unknown[])[0] as string;
          const at = sentAt.get(k);
          if (at !== undefined) {
            out.push(performance.now() - at);
            sentAt.delete(k);
          }
        }
      }
      await reader.cancel();
    })();
    while (!headerSeen) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < pushes; i++) {
      const n = keys + i + (sql.includes('FROM T') ? pushes : 0);
      sentAt.set(key(n), performance.now());
      await append(log, n, n + 1, () => n);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.race([reading, new Promise((r) => setTimeout(r, 10_000))]);
    return out;
  }
  const pushStream = await pushLatency('SELECT * FROM S EMIT CHANGES;');
  const pushTable = await pushLatency('SELECT * FROM T EMIT CHANGES;');

  console.log(
    JSON.stringify({
      bench: 'serving',
      keys,
      loadSeconds: +loadSeconds.toFixed(1),
      pullHttpIdleMs: summary(idle),
      eventLoopDelayIdleMs: delays(idleLoop),
      eventLoopDelayBareProcessMs: idleNoiseMs,
      pullHttpBusyMs: summary(busy),
      eventLoopDelayBusyMs: delays(busyLoop),
      workerLoopSliceBusy: busySlices,
      busyUpdatesPerSecond: busyThroughput,
      pullCpuMsPerRequest,
      pullStoreGetMs: summary(iq),
      pullPlanParseAnalyzeMs: summary(planNoCache),
      pullPlanCachedMs: summary(planCached),
      pushStreamMs: summary(pushStream),
      pushTableExactlyOnceMs: summary(pushTable),
      commitIntervalMs: streams.config.commitIntervalMs,
    }),
  );
  await listener.close();
  await streams.close();
  await log.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
