// Benchmark: queries on a running SQL application (embedded log, exactly_once, commit every 100 ms).
// A table of N keys (CREATE TABLE AS SELECT ... LATEST_BY_OFFSET over N records), served by
// `--listeners` in process:
// - pull by key: latency of `SELECT * FROM T WHERE K = '<random key>'` over HTTP/1.1 (one
//   request at a time, keep-alive), and of the interactive query it makes (store.get);
// - push end to end: a record appended to the input topic → its row at a push query's client, on
//   the input stream (`SELECT * FROM S EMIT CHANGES`) and on the table (`SELECT * FROM T EMIT
//   CHANGES`: through the application's exactly_once commit, then the push query).
// Also: what planning a pull query costs, with and without the plan cache (no HTTP, no store).
// Usage: npx tsx bench/serving.ts [keys=1000000] [pulls=5000] [pushes=200]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSql } from '../src/cli/sql-loader.js';
import { EmbeddedLog } from '../src/log/embedded/embedded-log.js';
import { partitionForKey } from '../src/log/murmur2.js';
import { QueryableStoreTypes, StoreQueryParameters } from '../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
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
const PARTITIONS = 2;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): Record<string, number> {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0 };
  const r = (x: number) => +x.toFixed(3);
  return { n: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s[s.length - 1]!) };
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

  // node:http with keep-alive: a lighter client than fetch (undici), which shares this event loop.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const pullQuery = (k: string) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ sql: `SELECT * FROM T WHERE K = '${k}';` });
      const req = request(`${url}/query-stream`, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (text.includes(`"${k}"`) ? resolve() : reject(new Error(`bad answer for ${k}: ${text}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 200; i++) await pullQuery(key(i)); // warm-up
  const http: number[] = [];
  // CPU time of this process (server and client) per request: steadier than wall time on a loaded box.
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < pulls; i++) {
    const k = key(Math.floor(Math.random() * keys));
    const s = performance.now();
    await pullQuery(k);
    http.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(cpu0);
  const pullCpuMsPerRequest = +((cpu.user + cpu.system) / 1000 / pulls).toFixed(3);
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
      pullHttpMs: summary(http),
      pullCpuMsPerRequest,
      pullStoreGetMs: summary(iq),
      pullPlanParseAnalyzeMs: summary(planNoCache),
      pullPlanCachedMs: summary(planCached),
      pushStreamMs: summary(pushStream),
      pushTableExactlyOnceMs: summary(pushTable),
      commitIntervalMs: streams.config.commitIntervalMs,
    }),
  );
  agent.destroy();
  await listener.close();
  await streams.close();
  await log.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
