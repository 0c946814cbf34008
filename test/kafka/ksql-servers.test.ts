/**
 * Two `kstream server` processes of one ksql.service.id on the real broker: a CTAS sent to server 1
 * runs on both (each query's consumer group has both servers as members, tasks split); pull
 * queries on either server equal the sink topic's last values (kcat, read_committed); server 2
 * killed with SIGKILL and restarted comes back with its queries from the command topic and answers
 * again, with nothing lost; TERMINATE stops the query on both.
 */
import { freePort } from '../helpers/ports.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId, withAdmin } from './helpers.js';
import { expectedWordCounts, killAll, kstream, lastCounts, produceLines, requireBuild, waitUntil, withLog, type Proc } from './processes.js';
import { randomLines } from '../../bench/data.js';
import { toProduced } from '../scenarios/env.js';

type Json = any;


async function ksql(base: string, text: string, streamsProperties: Record<string, string> = {}): Promise<Json[]> {
  const res = await fetch(`${base}/ksql`, { method: 'POST', body: JSON.stringify({ ksql: text, streamsProperties }), signal: AbortSignal.timeout(60_000) });
  const body = (await res.json()) as Json;
  if (res.status !== 200) throw new Error(`${base} ${text}: ${JSON.stringify(body)}`);
  return body as Json[];
}

async function pull(base: string, sql: string): Promise<unknown[][]> {
  const res = await fetch(`${base}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }), headers: { accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as unknown[];
  if (res.status !== 200) throw new Error(`${base}: ${JSON.stringify(body)}`);
  return body.slice(1) as unknown[][];
}

async function groupMembers(group: string): Promise<number> {
  return withAdmin(async (admin) => (await admin.describeGroups([group])).groups[0]?.members.length ?? 0);
}

function sameCounts(rows: unknown[][], expected: Map<string, number>): boolean {
  return rows.length === expected.size && rows.every(([k, v]) => expected.get(k as string) === v);
}

describe(`two kstream servers of one service id on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-ksql-servers-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('share a CTAS, answer pulls as the sink holds it, survive SIGKILL + restart, and TERMINATE on both', async () => {
    const brokers = kafkaBrokers().join(',');
    const service = uniqueId('svc').replace(/[^A-Za-z0-9_]/g, '_');
    const input = `${service}-lines`;
    const output = `${service}-counts`;
    const texts = await produceLines(brokers, input, 400, 4);
    const settings = join(dir, `${service}.properties`);
    writeFileSync(settings, `ksql.service.id=${service}\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\ncommit.interval.ms=100\n`);
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const startServer = (i: number): Proc => kstream(['server', '--brokers', brokers, '--config', settings, '--listeners', urls[i]!, '--data-dir', join(dir, `${service}-${i}`)]);
    const servers = [startServer(0), startServer(1)];
    for (const s of servers) await s.waitFor(/ksqlDB server listening on http:\/\/127\.0\.0\.1:\d+/, 120_000);

    const created = await ksql(
      urls[0]!,
      `CREATE STREAM LINES (LINE STRING) WITH (KAFKA_TOPIC='${input}', VALUE_FORMAT='KAFKA');
       CREATE STREAM WORDS WITH (KAFKA_TOPIC='${service}-words', VALUE_FORMAT='JSON') AS
         SELECT EXPLODE(SPLIT(REGEXP_REPLACE(LCASE(LINE), '\\W+', ' '), ' ')) AS WORD FROM LINES;
       CREATE TABLE WORD_COUNTS WITH (KAFKA_TOPIC='${output}', KEY_FORMAT='KAFKA', VALUE_FORMAT='KAFKA') AS
         SELECT WORD, COUNT(*) AS COUNT FROM WORDS WHERE WORD <> '' GROUP BY WORD;`,
      { 'auto.offset.reset': 'earliest' },
    );
    expect(created.map((e) => e.commandStatus.message)).toEqual(['Stream created', 'Created query with ID CSAS_WORDS_0', 'Created query with ID CTAS_WORD_COUNTS_1']);
    const ctasGroup = `_confluent-ksql-${service}query_CTAS_WORD_COUNTS_1`;

    // Server 2 runs the same queries: it lists them, and both servers are members of each query's group.
    await waitUntil('server 2 to list both queries', async () => (await ksql(urls[1]!, 'SHOW QUERIES;'))[0].queries.length === 2, 60_000);
    await waitUntil('both servers in the CTAS group', async () => (await groupMembers(ctasGroup)) === 2, 120_000, 500);
    expect(await groupMembers(`_confluent-ksql-${service}query_CSAS_WORDS_0`)).toBe(2);

    const check = async (expected: Map<string, number>, what: string) => {
      await waitUntil(
        what,
        async () => {
          const sink = await lastCounts(output);
          if (!sameCounts([...sink], expected)) return false;
          try {
            for (const u of urls) if (!sameCounts(await pull(u, 'SELECT * FROM WORD_COUNTS;'), sink)) return false;
            return true;
          } catch {
            return false; // a rebalance is under way
          }
        },
        180_000,
        500,
      );
      // Single keys from either server (routed to the owner) equal the sink's last values.
      const sink = await lastCounts(output);
      const some = [...sink].slice(0, 40);
      for (const u of urls) for (const [word, count] of some) expect(await pull(u, `SELECT * FROM WORD_COUNTS WHERE WORD = '${word}';`)).toEqual([[word, count]]);
    };
    await check(expectedWordCounts(texts), 'the sink and both servers to hold every count');

    // SIGKILL server 2, write more input, restart it: it replays the command topic and answers again.
    servers[1]!.kill('SIGKILL');
    await servers[1]!.exited;
    const more = randomLines(200, 99).texts;
    await withLog(brokers, (log) => log.append(toProduced(input, more.map((value) => ({ key: null, value, timestamp: 0 })), 4, Date.now())));
    servers[1] = startServer(1);
    await servers[1].waitFor(/ksqlDB server listening on/, 120_000);
    expect((await ksql(urls[1]!, 'SHOW QUERIES;'))[0].queries.map((q: Json) => q.id).sort()).toEqual(['CSAS_WORDS_0', 'CTAS_WORD_COUNTS_1']);
    await waitUntil('the restarted server back in the CTAS group', async () => (await groupMembers(ctasGroup)) === 2, 120_000, 500);
    await check(expectedWordCounts([...texts, ...more]), 'every count, old and new input, on both servers after the restart');

    // TERMINATE on server 2 stops the query on both servers.
    const [terminated] = await ksql(urls[1]!, 'TERMINATE CTAS_WORD_COUNTS_1;');
    expect(terminated.commandStatus.message).toBe('Query terminated.');
    await waitUntil('server 1 to drop the query', async () => (await ksql(urls[0]!, 'SHOW QUERIES;'))[0].queries.every((q: Json) => q.id !== 'CTAS_WORD_COUNTS_1'), 30_000);
    await waitUntil('the CTAS group to have no members', async () => (await groupMembers(ctasGroup)) === 0, 60_000, 500);
    expect(await groupMembers(`_confluent-ksql-${service}query_CSAS_WORDS_0`)).toBe(2);

    for (const s of servers) s.kill('SIGTERM');
    for (const s of servers) expect((await s.exited).code).toBe(0);
  }, 600_000);
});
