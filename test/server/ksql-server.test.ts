/**
 * `kstream server` on the embedded log, in process: statements over POST /ksql in ksqlDB's shapes,
 * persistent queries started and terminated while it runs, pull and push queries over them, a
 * restart that comes back with its queries from the command topic, /inserts-stream, errors with
 * their position, basic auth (401 for anything without valid credentials) and an https listener.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/logger.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { BasicAuth } from '../../src/server/basic-auth.js';
import { KsqlServer } from '../../src/server/ksql-server.js';
import { tempDir } from '../helpers/embedded.js';

type Json = any;

async function ksql(base: string, text: string, streamsProperties: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}/ksql`, { method: 'POST', body: JSON.stringify({ ksql: text, streamsProperties }), headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: await res.json() };
}

async function ok(base: string, text: string, props: Record<string, string> = {}): Promise<Json[]> {
  const r = await ksql(base, text, props);
  if (r.status !== 200) throw new Error(`${text}: ${JSON.stringify(r.body)}`);
  return r.body as Json[];
}

async function pull(base: string, sql: string): Promise<unknown[][]> {
  const res = await fetch(`${base}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }), headers: { accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as unknown[];
  if (res.status !== 200) throw new Error(JSON.stringify(body));
  return body.slice(1) as unknown[][];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

const sorted = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('kstream server on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  let log: EmbeddedLog;
  let server: KsqlServer | null = null;

  const start = async (extra: Partial<Parameters<typeof KsqlServer.start>[0]> = {}) => {
    server = await KsqlServer.start({
      listener: 'http://127.0.0.1:0',
      log,
      serviceId: 'svc_test',
      streamsConfig: { 'data.dir': dir, 'state.dir': join(dir, 'state'), 'commit.interval.ms': 100 },
      logger: silentLogger,
      ...extra,
    });
    return server;
  };

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('kstream-ksql-server-'));
    log = await EmbeddedLog.open(dir);
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    await log.close();
    cleanup();
  });

  it('runs statements in ksqlDB shapes, serves pull and push queries, and comes back after a restart', async () => {
    const base = (await start()).url;
    const created = await ok(base, "CREATE STREAM ORDERS (ID INT KEY, ITEM STRING, QTY INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');");
    expect(created).toEqual([
      {
        '@type': 'currentStatus',
        statementText: "CREATE STREAM ORDERS (ID INT KEY, ITEM STRING, QTY INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');",
        commandId: 'stream/`ORDERS`/create',
        commandStatus: { status: 'SUCCESS', message: 'Stream created', queryId: null },
        commandSequenceNumber: 0,
        warnings: [],
      },
    ]);
    // The command topic follows ksqlDB's naming, one partition.
    expect((await log.admin().describeTopics(['_confluent-ksql-svc_test_command_topic'])).get('_confluent-ksql-svc_test_command_topic')?.partitions).toBe(1);
    // Its health: the LIST statements run, the command topic answers, the command runner reads it.
    const health = await fetch(`${base}/healthcheck`, { signal: AbortSignal.timeout(15_000) });
    expect([health.status, await health.json()]).toEqual([200, { isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true }, commandRunner: { isHealthy: true } } }]);

    const ctas = await ok(base, 'CREATE TABLE TOTALS AS SELECT ID, SUM(QTY) AS TOTAL, COUNT(*) AS N FROM ORDERS GROUP BY ID;', { 'auto.offset.reset': 'earliest' });
    expect(ctas[0].commandStatus).toEqual({ status: 'SUCCESS', message: 'Created query with ID CTAS_TOTALS_0', queryId: 'CTAS_TOTALS_0' });
    expect(ctas[0].commandSequenceNumber).toBe(1);
    // The sink topic gets the source's partitions.
    expect((await log.admin().describeTopics(['TOTALS'])).get('TOTALS')?.partitions).toBe(2);

    expect(await ok(base, "INSERT INTO ORDERS (ID, ITEM, QTY) VALUES (1, 'apple', 3); INSERT INTO ORDERS (ID, ITEM, QTY) VALUES (2, 'pear', 5); INSERT INTO ORDERS (ID, ITEM, QTY) VALUES (1, 'plum', 4);")).toEqual([]);
    await until('the pull query to see every insert', async () => {
      const rows = sorted(await pull(base, 'SELECT * FROM TOTALS;'));
      return JSON.stringify(rows) === JSON.stringify([[1, 7, 2], [2, 5, 1]]) ? rows : undefined;
    });
    expect(await pull(base, 'SELECT ID, TOTAL FROM TOTALS WHERE ID = 2;')).toEqual([[2, 5]]);

    const listed = await ok(base, 'SHOW STREAMS; SHOW TABLES; SHOW QUERIES; LIST TOPICS;');
    expect(listed.map((e) => e['@type'])).toEqual(['streams', 'tables', 'queries', 'kafka_topics']);
    expect(listed[0].streams).toEqual([{ type: 'STREAM', name: 'ORDERS', topic: 'orders', keyFormat: 'KAFKA', valueFormat: 'JSON', isWindowed: false }]);
    expect(listed[1].tables).toEqual([{ type: 'TABLE', name: 'TOTALS', topic: 'TOTALS', keyFormat: 'KAFKA', valueFormat: 'JSON', isWindowed: false }]);
    expect(listed[2].queries).toMatchObject([{ id: 'CTAS_TOTALS_0', queryType: 'PERSISTENT', state: 'RUNNING', sinks: ['TOTALS'], sinkKafkaTopics: ['TOTALS'] }]);
    expect(listed[3].topics).toEqual([
      { name: 'TOTALS', replicaInfo: [1, 1] },
      { name: 'orders', replicaInfo: [1, 1] },
    ]);
    const [described] = await ok(base, 'DESCRIBE TOTALS EXTENDED;');
    expect(described['@type']).toBe('sourceDescription');
    expect(described.sourceDescription).toMatchObject({
      name: 'TOTALS',
      type: 'TABLE',
      topic: 'TOTALS',
      partitions: 2,
      extended: true,
      fields: [
        { name: 'ID', schema: { type: 'INTEGER', fields: null, memberSchema: null }, type: 'KEY' },
        { name: 'TOTAL', schema: { type: 'INTEGER', fields: null, memberSchema: null } },
        { name: 'N', schema: { type: 'BIGINT', fields: null, memberSchema: null } },
      ],
      writeQueries: [{ id: 'CTAS_TOTALS_0' }],
    });
    const [explained] = await ok(base, 'EXPLAIN CTAS_TOTALS_0;');
    expect(explained.queryDescription).toMatchObject({ id: 'CTAS_TOTALS_0', sources: ['ORDERS'], sinks: ['TOTALS'], queryType: 'PERSISTENT', state: 'RUNNING' });
    expect(explained.queryDescription.topology).toContain('Sub-topology');

    // Push query: from the beginning, LIMIT 2, in ksqlDB's delimited format.
    const push = await fetch(`${base}/query-stream`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT ID, ITEM FROM ORDERS EMIT CHANGES LIMIT 2;', properties: { 'auto.offset.reset': 'earliest' } }), signal: AbortSignal.timeout(30_000) });
    const lines = (await push.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ columnNames: ['ID', 'ITEM'], columnTypes: ['INTEGER', 'STRING'] });
    expect(lines.slice(1).length).toBe(2);

    // Errors: ksqlDB's shape, the position in the request, the entities before it; nothing stops.
    const bad = await ksql(base, 'SHOW STREAMS;\nCREATE STREAM X AS SELECT NOPE FROM ORDERS;');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ '@type': 'statement_error', error_code: 40001, message: "line 2:27: SELECT column 'NOPE' cannot be resolved.", statementText: 'CREATE STREAM X AS SELECT NOPE FROM ORDERS;' });
    expect(bad.body.entities.map((e: Json) => e['@type'])).toEqual(['streams']);
    expect((await ksql(base, 'TERMINATE NO_SUCH_QUERY;')).body.message).toBe('Unknown queryId: NO_SUCH_QUERY');
    expect((await ksql(base, 'SELECT * FROM TOTALS;')).status).toBe(400);

    // /inserts-stream: one ack per row, a bad row does not stop the others.
    const ins = await fetch(`${base}/inserts-stream`, { method: 'POST', body: '{"target":"ORDERS"}\n{"ID":3,"ITEM":"fig","QTY":1}\n{"ID":"x"}\n{"ID":3,"ITEM":"kiwi","QTY":2}\n', signal: AbortSignal.timeout(20_000) });
    const acks = (await ins.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(acks.map((a) => [a.status, a.seq])).toEqual([['ok', 0], ['error', 1], ['ok', 2]]);
    await until('the inserted stream rows', async () => ((await pull(base, 'SELECT * FROM TOTALS WHERE ID = 3;'))[0]?.[1] === 3 ? true : undefined));

    // Restart: the catalog and the query come back from the command topic; nothing is lost.
    await server!.close();
    server = null;
    const again = (await start()).url;
    const [queries] = await ok(again, 'SHOW QUERIES;');
    expect(queries.queries.map((q: Json) => q.id)).toEqual(['CTAS_TOTALS_0']);
    await until('the restarted query to answer', async () => {
      const rows = sorted(await pull(again, 'SELECT * FROM TOTALS;'));
      return JSON.stringify(rows) === JSON.stringify([[1, 7, 2], [2, 5, 1], [3, 3, 2]]) ? rows : undefined;
    });
    // Query ids continue from the command sequence after the replay.
    const next = await ok(again, "CREATE STREAM BIG WITH (KAFKA_TOPIC='big', VALUE_FORMAT='JSON') AS SELECT * FROM ORDERS WHERE QTY > 2;");
    expect(next[0].commandStatus.queryId).toBe('CSAS_BIG_1');

    // TERMINATE ALL stops them; DROP then works, and the listing is empty.
    const done = await ok(again, 'TERMINATE ALL; SHOW QUERIES; DROP TABLE TOTALS; SHOW TABLES;');
    expect(done[0].commandStatus.message).toBe('Query terminated.');
    expect(done[1].queries).toEqual([]);
    expect(done[2].commandStatus.message).toBe('Source `TOTALS` (topic: TOTALS) was dropped.');
    expect(done[3].tables).toEqual([]);
  });

  it('two servers on one data dir share the command topic; the other takes a query over when the one running it stops', async () => {
    const first = await start();
    const log2 = await EmbeddedLog.open(dir);
    const second = await KsqlServer.start({ listener: 'http://127.0.0.1:0', log: log2, serviceId: 'svc_test', streamsConfig: { 'data.dir': dir, 'state.dir': join(dir, 'state'), 'commit.interval.ms': 100 }, logger: silentLogger });
    try {
      await ok(first.url, "CREATE STREAM S (K STRING KEY, V INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');");
      await ok(first.url, 'CREATE TABLE SUMS AS SELECT K, SUM(V) AS TOTAL FROM S GROUP BY K;', { 'auto.offset.reset': 'earliest' });
      // The second server applies the same commands: it knows the table and lists the query.
      await until('the second server to list the query', async () => ((await ok(second.url, 'SHOW QUERIES;'))[0].queries.length === 1 ? true : undefined));
      await ok(second.url, "INSERT INTO S (K, V) VALUES ('a', 1); INSERT INTO S (K, V) VALUES ('a', 2);");
      // Only one of them runs the query on this data dir (whichever started it first) and answers.
      const owner = await until('one server to answer', async () => {
        for (const s of [first, second]) if (JSON.stringify(await pull(s.url, 'SELECT * FROM SUMS;').catch(() => [])) === '[["a",3]]') return s;
        return undefined;
      });
      const other = owner === first ? second : first;
      await expect(pull(other.url, 'SELECT * FROM SUMS;')).rejects.toThrow(/SUMS is not served by a query running here/);
      // Stopping it hands the query to the other.
      await owner.close();
      await ok(other.url, "INSERT INTO S (K, V) VALUES ('a', 4);");
      await until('the other server to take over and answer', async () => (JSON.stringify(await pull(other.url, 'SELECT * FROM SUMS;')) === '[["a",7]]' ? true : undefined));
    } finally {
      await first.close();
      server = null;
      await second.close();
      await log2.close();
    }
  });

  it('basic auth: no or wrong credentials get 401 on every endpoint; valid ones work', async () => {
    const creds = join(dir, 'users.txt');
    writeFileSync(creds, '# users\nalice: secret,admin\nbob: MD5:' + (await import('node:crypto')).createHash('md5').update('pw2').digest('hex') + '\n');
    const base = (await start({ auth: BasicAuth.fromFile(creds) })).url;
    const basic = (u: string) => ({ authorization: `Basic ${Buffer.from(u).toString('base64')}` });
    const endpoints: [string, string, string | undefined][] = [
      ['POST', '/ksql', '{"ksql":"SHOW STREAMS;"}'],
      ['POST', '/query-stream', '{"sql":"SELECT * FROM X;"}'],
      ['POST', '/query', '{"ksql":"SELECT * FROM X;"}'],
      ['POST', '/inserts-stream', '{"target":"X"}\n'],
      ['POST', '/close-query', '{"queryId":"q"}'],
      ['GET', '/info', undefined],
      ['GET', '/healthcheck', undefined],
      ['GET', '/clusterStatus', undefined],
      ['GET', '/nope', undefined],
    ];
    for (const [method, path, body] of endpoints) {
      for (const headers of [{}, basic('alice:wrong'), basic('mallory:secret'), { authorization: 'Bearer x' }]) {
        const res = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body } : {}), headers, signal: AbortSignal.timeout(10_000) });
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="KsqlServer"');
        expect(await res.json()).toEqual({ '@type': 'generic_error', error_code: 40100, message: 'Unauthorized' });
      }
    }
    const info = await fetch(`${base}/info`, { headers: basic('alice:secret') });
    expect(info.status).toBe(200);
    expect(((await info.json()) as Json).KsqlServerInfo.ksqlServiceId).toBe('svc_test');
    const r = await fetch(`${base}/ksql`, { method: 'POST', body: '{"ksql":"SHOW STREAMS;"}', headers: basic('bob:pw2') });
    expect(r.status).toBe(200);
    expect(((await r.json()) as Json)[0]['@type']).toBe('streams');
  });

  it('serves https with the given certificate', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 30_000 });
    const { readFileSync } = await import('node:fs');
    const s = await start({ listener: 'https://127.0.0.1:0', tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${s.url}/ksql`, { method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' }, timeout: 20_000 }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end('{"ksql":"SHOW TABLES;"}');
    });
    expect(JSON.parse(body)).toEqual([{ '@type': 'tables', statementText: 'SHOW TABLES;', tables: [], warnings: [] }]);
  });
});
