import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Serdes, type KafkaStreams } from 'kstream';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { serveSqlFile } from '../helpers/serving.js';
import { latest, produce, readAll, tempDir } from '../helpers/embedded.js';

const run = promisify(execFile);

const TEXTS = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit', 'hello again'];

describe('the HTTP listener of a SQL application (embedded log)', () => {
  let dir: string;
  let cleanup: () => void;
  let streams: KafkaStreams | null = null;
  let listener: QueryListener | null = null;
  let log: EmbeddedLog | null = null;
  let url = '';
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    const file = join(dir, 'wordcount.sql');
    copyFileSync('examples/wordcount/wordcount.sql', file);
    await produce(dir, 'streams-plaintext-input', TEXTS.map((value) => ({ key: null, value })));
    ({ url, streams, log, listener } = await serveSqlFile(dir, file, 'ksql-wordcount'));
  });
  afterEach(async () => {
    await listener?.close();
    await streams?.close();
    await log?.close();
    listener = streams = log = null;
    cleanup();
  });

  async function post(path: string, body: unknown, accept?: string): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const rowsOf = (text: string) => text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as unknown[]);

  async function finalCounts(): Promise<Map<string, number>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = latest(await readAll(dir, 'streams-wordcount-sql-output', Serdes.String(), Serdes.Long()));
      if (out.get('kafka') === 3 && out.get('hello') === 2 && out.size === 9) {
        // The pull store reads the sink topic: wait until it has caught up too.
        const r = await post('/query-stream', { sql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'again';" });
        if (r.status === 200 && rowsOf(r.text).length === 1) return out as Map<string, number>;
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the counts');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('answers pull queries by key, IN list, range and scan, in both content types, equal to the sink topic', async () => {
    const sink = await finalCounts();
    const one = await post('/query-stream', { sql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'kafka';", properties: {} });
    expect(one.status).toBe(200);
    expect(one.type).toBe('application/vnd.ksqlapi.delimited.v1');
    const [head, ...rows] = one.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(head).toMatchObject({ columnNames: ['WORD', 'COUNT'], columnTypes: ['STRING', 'BIGINT'] });
    expect(head.queryId).toMatch(/^transient_WORD_COUNTS_/);
    expect(rows).toEqual([['kafka', 3]]);

    const json = await post('/query-stream', { sql: "SELECT COUNT, WORD FROM WORD_COUNTS WHERE WORD IN ('hello', 'summit', 'nothing');" }, 'application/json');
    expect(json.type).toBe('application/json');
    const arr = JSON.parse(json.text) as unknown[];
    expect(arr[0]).toMatchObject({ columnNames: ['WORD', 'COUNT'] });
    expect(arr.slice(1)).toEqual([['hello', 2], ['summit', 1]]);

    const scan = await post('/query-stream', { sql: 'SELECT * FROM WORD_COUNTS;' });
    expect(new Map(rowsOf(scan.text) as Array<[string, number]>)).toEqual(sink);
    const range = await post('/query-stream', { sql: "SELECT WORD, COUNT * 10 AS TIMES_TEN FROM WORD_COUNTS WHERE WORD >= 'h' AND WORD < 'k' AND COUNT > 1;" });
    expect(rowsOf(range.text)).toEqual([['hello', 20]]);
    const limited = await post('/query-stream', { sql: 'SELECT * FROM WORD_COUNTS LIMIT 2;' });
    expect(rowsOf(limited.text)).toHaveLength(2);

    const legacy = await post('/query', { ksql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'streams';", streamsProperties: {} });
    expect(legacy.status).toBe(200);
    const body = JSON.parse(legacy.text) as Array<Record<string, any>>;
    expect(body[0]!.header.schema).toBe('`WORD` STRING, `COUNT` BIGINT');
    expect(body.slice(1)).toEqual([{ row: { columns: ['streams', 2] } }]);
  });

  it('serves HTTP/2 with prior knowledge and HTTP/1.1 on the same port (curl)', async () => {
    await finalCounts();
    const data = JSON.stringify({ sql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'join';" });
    for (const flag of ['--http2-prior-knowledge', '--http1.1']) {
      const { stdout } = await run('curl', ['-sS', '--max-time', '10', flag, '-w', '\n%{http_version}', '-X', 'POST', '-d', data, `${url}/query-stream`]);
      const lines = stdout.trim().split('\n');
      expect(lines.at(-1)).toBe(flag === '--http1.1' ? '1.1' : '2');
      expect(JSON.parse(lines[1]!)).toEqual(['join', 1]);
    }
  });

  it('answers bad queries with ksqlDB\'s error shape and keeps the application running', async () => {
    await finalCounts();
    const syntax = await post('/query-stream', { sql: 'SELECT * FROM WORD_COUNTS WHERE;' });
    expect(syntax.status).toBe(400);
    const e = JSON.parse(syntax.text);
    expect(e).toMatchObject({ '@type': 'statement_error', error_code: 40001, statementText: 'SELECT * FROM WORD_COUNTS WHERE;' });
    expect(e.message).toMatch(/^line 1:\d+: /);
    const unknown = JSON.parse((await post('/query-stream', { sql: 'SELECT * FROM NOPE;' })).text);
    expect(unknown).toMatchObject({ '@type': 'statement_error', error_code: 40001, message: 'line 1:15: NOPE does not exist.' });
    const onStream = JSON.parse((await post('/query-stream', { sql: 'SELECT * FROM WORDS;' })).text);
    expect(onStream.message).toMatch(/Pull queries are not supported on streams/);
    const badJson = await post('/query-stream', '{not json');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.text)).toEqual({ '@type': 'generic_error', error_code: 40000, message: 'Invalid JSON in request body' });
    const close = await post('/close-query', { queryId: 'transient_X_1' });
    expect(JSON.parse(close.text)).toEqual({ '@type': 'generic_error', error_code: 40000, message: 'No query with id transient_X_1' });
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    // Still answering, still running.
    expect(streams!.state()).toBe('RUNNING');
    expect(rowsOf((await post('/query-stream', { sql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'kafka';" })).text)).toEqual([['kafka', 3]]);
  });

  /** A streaming POST: resolves lines as they arrive. */
  async function open(path: string, body: unknown, accept?: string) {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    const reader = res.body!.getReader();
    let text = '';
    let done = false;
    const pump = (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        text += Buffer.from(r.value).toString('utf8');
      }
      done = true;
    })();
    return {
      status: res.status,
      text: () => text,
      done: () => done,
      finished: pump,
      async until(check: (t: string) => boolean, what: string) {
        const deadline = Date.now() + 10_000;
        while (!check(text)) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${text}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
  }

  it('streams push queries on streams and tables until LIMIT or /close-query, within a second of the input', async () => {
    await finalCounts();
    const words = await open('/query-stream', { sql: "SELECT UCASE(WORD) AS W FROM WORDS WHERE WORD <> 'skip' EMIT CHANGES LIMIT 3;", properties: {} });
    if (words.status !== 200) await words.finished;
    expect(words.status, words.text()).toBe(200);
    await words.until((t) => t.includes('\n'), 'the header');
    const header = JSON.parse(words.text().split('\n')[0]!);
    expect(header).toMatchObject({ columnNames: ['W'], columnTypes: ['STRING'] });
    const produced = Date.now();
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'push skip me now', timestamp: Date.now() }]);
    await words.until((t) => t.split('\n').length >= 3, 'the first row');
    expect(Date.now() - produced).toBeLessThan(1000);
    await words.finished;
    expect(words.text().trim().split('\n').slice(1).map((l) => JSON.parse(l))).toEqual([['PUSH'], ['ME'], ['NOW']]);

    const table = await open('/query-stream', { sql: "SELECT * FROM WORD_COUNTS WHERE WORD = 'zebra' EMIT CHANGES;" }, 'application/json');
    await table.until((t) => t.startsWith('[{'), 'the header');
    const queryId = JSON.parse(`${table.text()}]`)[0].queryId as string;
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'zebra', timestamp: Date.now() }]);
    await table.until((t) => t.includes('["zebra",1]'), 'the zebra row');
    const closed = await post('/close-query', { queryId });
    expect(closed.status).toBe(200);
    await table.finished;
    expect(JSON.parse(table.text())).toEqual([expect.objectContaining({ queryId, columnNames: ['WORD', 'COUNT'] }), ['zebra', 1]]);
    expect(JSON.parse((await post('/close-query', { queryId })).text).message).toBe(`No query with id ${queryId}`);

    const legacy = await open('/query', { ksql: 'SELECT * FROM LINES EMIT CHANGES LIMIT 1;', streamsProperties: {} });
    await legacy.until((t) => t.startsWith('[{"header"'), 'the header');
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'legacy line', timestamp: Date.now() }]);
    await legacy.finished;
    const chunks = JSON.parse(legacy.text());
    expect(chunks[0].header.schema).toBe('`LINE` STRING');
    expect(chunks.slice(1)).toEqual([{ row: { columns: ['legacy line'] } }, { finalMessage: 'Limit Reached' }]);
    // The application kept running through all of it.
    expect(streams!.state()).toBe('RUNNING');
  });

  it('streams a push query that aggregates', async () => {
    await finalCounts();
    const agg = await open('/query-stream', { sql: "SELECT WORD, COUNT(*) AS N FROM WORDS WHERE WORD = 'yak' GROUP BY WORD EMIT CHANGES LIMIT 2;" });
    expect(agg.status).toBe(200);
    await agg.until((t) => t.includes('\n'), 'the header');
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'yak', timestamp: Date.now() }]);
    await agg.until((t) => t.includes('["yak",1]'), 'the first count');
    // The transient query's consumer group is its application id; give it committed offsets (it
    // commits rarely itself: nothing reads them again)...
    const group = `ksql-wordcount-${JSON.parse(agg.text().split('\n')[0]!).queryId}`;
    const offsets = () => log!.admin().committedOffsets(group, ['streams-plaintext-input']);
    await log!.taskProducer({ guarantee: 'at_least_once', applicationId: group }).commit(group, [{ taskId: '0_0', offsets: [{ topic: 'streams-plaintext-input', partition: 0, offset: 1 }] }]);
    expect((await offsets()).size).toBe(1);
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'yak', timestamp: Date.now() }]);
    await agg.finished;
    expect(agg.text().trim().split('\n').slice(1).map((l) => JSON.parse(l))).toEqual([['yak', 1], ['yak', 2]]);
    // ...and is deleted when the query ends.
    await until(async () => (await offsets()).size === 0, 'the push query\'s group to be deleted');
  });

  it('answers /info and /healthcheck', async () => {
    await finalCounts();
    const info = await (await fetch(`${url}/info`)).json();
    expect(info).toEqual({ KsqlServerInfo: { version: 'kstream-0.1.0', kafkaClusterId: '', ksqlServiceId: 'ksql-wordcount', serverStatus: 'RUNNING' } });
    const health = await fetch(`${url}/healthcheck`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true } } });
  });
});
