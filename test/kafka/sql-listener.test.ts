/**
 * `kstream run x.sql --workers 2 --listeners http://127.0.0.1:P` on the real broker: worker i
 * listens on P + i; a pull query for every word, sent to either worker, equals the last count kcat
 * reads from the sink topic (read_committed); IN lists, key ranges and windowed tables by key; a
 * table whose sink another query reads is served; a push query sees a new line within a second,
 * and its consumer group is deleted when it ends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId, withAdmin } from './helpers.js';
import { expectedWordCounts, kcat, lastCounts, killAll, kstream, produceLines, requireBuild, waitUntil } from './processes.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port P with P and P + 1 free, below Linux's ephemeral range. */
async function twoFreePorts(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no two consecutive free ports');
}


async function pull(base: string, sql: string): Promise<unknown[][]> {
  const res = await fetch(`${base}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }), headers: { accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as unknown[];
  if (res.status !== 200) throw new Error(`${base}: ${JSON.stringify(body)}`);
  return body.slice(1) as unknown[][];
}

describe(`SQL listeners on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-sql-listener-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two workers answer every key from either one as the sink holds it; push queries see new input within 1 s', async () => {
    const app = uniqueId('sqll');
    const input = `${app}-lines`;
    const output = `${app}-counts`;
    const texts = await produceLines(kafkaBrokers().join(','), input, 500, 4);
    const file = join(dir, `${app}.sql`);
    writeFileSync(
      file,
      `CREATE STREAM LINES (LINE STRING) WITH (KAFKA_TOPIC='${input}', VALUE_FORMAT='KAFKA', PARTITIONS=4);
CREATE STREAM WORDS WITH (KAFKA_TOPIC='${app}-words', VALUE_FORMAT='JSON') AS
  SELECT EXPLODE(SPLIT(REGEXP_REPLACE(LCASE(LINE), '\\W+', ' '), ' ')) AS WORD FROM LINES;
CREATE TABLE WORD_COUNTS WITH (KAFKA_TOPIC='${output}', KEY_FORMAT='KAFKA', VALUE_FORMAT='KAFKA') AS
  SELECT WORD, COUNT(*) AS COUNT FROM WORDS WHERE WORD <> '' GROUP BY WORD;
CREATE TABLE WORD_WINDOWS WITH (KAFKA_TOPIC='${app}-windows', VALUE_FORMAT='JSON') AS
  SELECT WORD, COUNT(*) AS N FROM WORDS WINDOW TUMBLING (SIZE 1 HOUR) WHERE WORD <> '' GROUP BY WORD;
CREATE TABLE FREQUENT WITH (KAFKA_TOPIC='${app}-frequent', VALUE_FORMAT='JSON') AS
  SELECT WORD, COUNT FROM WORD_COUNTS WHERE COUNT > 3;
`,
    );
    const settings = join(dir, `${app}.properties`);
    writeFileSync(settings, 'session.timeout.ms=6000\nheartbeat.interval.ms=500\ncommit.interval.ms=100\n');
    const port = await twoFreePorts();
    const run = kstream(['run', file, '--brokers', kafkaBrokers().join(','), '--workers', '2', '--listeners', `http://127.0.0.1:${port}`, '--state-dir', join(dir, app), '--config', settings, '--application-id', app]);
    await run.waitFor(/\[worker 0\] kstream: listening for queries on http:\/\/127\.0\.0\.1:\d+/, 120_000);
    await run.waitFor(/\[worker 1\] kstream: listening for queries on http:\/\/127\.0\.0\.1:\d+/, 120_000);
    const workers = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`];

    const expected = expectedWordCounts(texts);
    let sink = new Map<string, number>();
    await waitUntil(
      'the sink and both workers\' scans to hold every final count',
      async () => {
        sink = await lastCounts(output);
        if (sink.size !== expected.size || ![...expected].every(([w, n]) => sink.get(w) === n)) return false;
        try {
          for (const w of workers) {
            const rows = await pull(w, 'SELECT * FROM WORD_COUNTS;');
            if (rows.length !== expected.size || !rows.every(([k, v]) => expected.get(k as string) === v)) return false;
            const perWindow = await pull(w, 'SELECT WORD, N FROM WORD_WINDOWS;');
            const summed = new Map<string, number>();
            for (const [k, n] of perWindow) summed.set(k as string, (summed.get(k as string) ?? 0) + (n as number));
            if (summed.size !== expected.size || ![...expected].every(([k, n]) => summed.get(k) === n)) return false;
          }
          return true;
        } catch {
          return false; // rebalancing: a worker's stores are not queryable yet
        }
      },
      120_000,
      500,
    );
    // Every word from either worker: by key (routed to the owner when it is the other one).
    for (const w of workers) {
      const words = [...sink];
      for (let i = 0; i < words.length; i += 32) {
        await Promise.all(
          words.slice(i, i + 32).map(async ([word, count]) => {
            expect(await pull(w, `SELECT * FROM WORD_COUNTS WHERE WORD = '${word}';`), word).toEqual([[word, count]]);
          }),
        );
      }
    }

    // IN lists and key ranges gather the owners' rows; a windowed table answers by key (routed by
    // its inner key) within WINDOWSTART bounds, from either worker.
    const words = [...sink.keys()].sort();
    for (const w of workers) {
      const some = words.filter((_, i) => i % 7 === 0).slice(0, 20);
      const inList = await pull(w, `SELECT * FROM WORD_COUNTS WHERE WORD IN (${some.map((x) => `'${x}'`).join(', ')});`);
      expect(new Map(inList as Array<[string, number]>)).toEqual(new Map(some.map((x) => [x, sink.get(x)])));
      const ranged = await pull(w, "SELECT * FROM WORD_COUNTS WHERE WORD >= 'b' AND WORD < 'e';");
      expect(new Map(ranged as Array<[string, number]>)).toEqual(new Map([...sink].filter(([x]) => x >= 'b' && x < 'e')));
      for (const word of words.filter((_, i) => i % 5 === 0)) {
        const windows = await pull(w, `SELECT WORD, WINDOWSTART, N FROM WORD_WINDOWS WHERE WORD = '${word}' AND WINDOWSTART >= 0;`);
        expect(windows.length, word).toBeGreaterThan(0);
        expect(windows.every((r) => r[0] === word && (r[1] as number) % 3_600_000 === 0)).toBe(true);
        expect(windows.reduce((n, r) => n + (r[2] as number), 0), word).toBe(sink.get(word));
      }
    }

    // WORD_COUNTS' sink is read by FREQUENT's query: both tables are served.
    const frequent = [...sink].filter(([, n]) => n > 3);
    for (const w of workers) {
      await waitUntil('FREQUENT to hold every frequent word', async () => (await pull(w, 'SELECT * FROM FREQUENT;')).length === frequent.length, 60_000, 500);
      expect(new Map((await pull(w, 'SELECT * FROM FREQUENT;')) as Array<[string, number]>)).toEqual(new Map(frequent));
      for (const [word, n] of frequent.slice(0, 20)) expect(await pull(w, `SELECT COUNT FROM FREQUENT WHERE WORD = '${word}';`)).toEqual([[n]]);
    }

    // A push query on worker 1 receives a line produced now within a second.
    const res = await fetch(`${workers[1]}/query-stream`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT * FROM LINES EMIT CHANGES LIMIT 1;' }), signal: AbortSignal.timeout(60_000) });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n')) {
      const r = await reader.read();
      if (r.done) throw new Error(`push query ended early: ${text}`);
      text += Buffer.from(r.value).toString('utf8');
    }
    // Its consumer group is <app>-<queryId>, while it runs.
    const group = `${app}-${JSON.parse(text.split('\n')[0]!).queryId}`;
    const groupIds = async () => (await withAdmin((a) => a.listGroups())).groups.map((g) => g.groupId);
    expect(await groupIds()).toContain(group);
    const sent = Date.now();
    await kcat(['-P', '-t', input], 'pushed right now\n');
    while (text.trim().split('\n').length < 2) {
      const r = await reader.read();
      if (r.done) break;
      text += Buffer.from(r.value).toString('utf8');
    }
    const latency = Date.now() - sent;
    expect(text.trim().split('\n').slice(1).map((l) => JSON.parse(l))).toEqual([['pushed right now']]);
    // kcat's own start-up is inside this bound, so the query's share is less.
    expect(latency).toBeLessThan(1500);
    // ...and deleted when the query ends.
    await waitUntil('the push query\'s group to be deleted', async () => !(await groupIds()).includes(group), 30_000, 500);

    run.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
  }, 400_000);
});
