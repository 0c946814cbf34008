import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExpression } from '../../src/sql/parser/parse.js';
import type { SqlSession } from '../../src/sql/session.js';
import { planAccess } from '../../src/server/pull-access.js';
import { PullPlanCache, queryShape } from '../../src/server/pull-plan-cache.js';
import { serveSqlFile, type ServedSqlApp } from '../helpers/serving.js';
import { produce, tempDir } from '../helpers/embedded.js';

const SCRIPT = `
CREATE STREAM ORDERS (REGION STRING, ITEM STRING, ID INT, QTY INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE TABLE BY_ID AS SELECT ID, LATEST_BY_OFFSET(QTY) AS QTY FROM ORDERS GROUP BY ID;
CREATE TABLE BY_REGION_ITEM WITH (KEY_FORMAT='JSON') AS SELECT REGION, ITEM, SUM(QTY) AS TOTAL FROM ORDERS GROUP BY REGION, ITEM;
CREATE TABLE PER_MINUTE AS SELECT REGION, COUNT(*) AS N FROM ORDERS WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY REGION;
CREATE TABLE PER_SESSION AS SELECT REGION, COUNT(*) AS N FROM ORDERS WINDOW SESSION (30 SECONDS) GROUP BY REGION;
CREATE TABLE BIG_ORDERS AS SELECT ID, QTY FROM BY_ID WHERE QTY > 4;
`;

const ORDERS = [
  { REGION: 'eu', ITEM: 'apple', ID: 1, QTY: 2, ts: 0 },
  { REGION: 'eu', ITEM: 'pear', ID: 2, QTY: 3, ts: 10_000 },
  { REGION: 'us', ITEM: 'apple', ID: 3, QTY: 5, ts: 20_000 },
  { REGION: 'eu', ITEM: 'apple', ID: 4, QTY: 7, ts: 70_000 },
  { REGION: 'us', ITEM: 'plum', ID: 5, QTY: 1, ts: 130_000 },
  { REGION: 'eu', ITEM: 'apple', ID: 10, QTY: 4, ts: 140_000 },
  { REGION: 'eu', ITEM: 'fig', ID: 300, QTY: 9, ts: 150_000 },
];

describe('pull queries: key lookups, ranges, windows and cached plans (embedded log)', () => {
  const { dir, cleanup } = tempDir();
  let app: ServedSqlApp | undefined;
  let session: SqlSession;
  let url = '';

  beforeAll(async () => {
    const file = join(dir, 'orders.sql');
    writeFileSync(file, SCRIPT);
    await produce(
      dir,
      'orders',
      ORDERS.map(({ ts, ...o }) => ({ key: null, value: JSON.stringify(o), timestamp: ts })),
      2,
    );
    app = await serveSqlFile(dir, file, 'orders-app');
    ({ url, session } = app);
    // Loaded: the last order is in every pull table.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [a, b, c] = await Promise.all([
        rows('SELECT * FROM BY_ID WHERE ID = 300;'),
        rows("SELECT * FROM BY_REGION_ITEM WHERE REGION = 'eu' AND ITEM = 'fig';"),
        rows("SELECT REGION, WINDOWSTART, N FROM PER_MINUTE WHERE REGION = 'eu' AND WINDOWSTART = 120000;"),
      ]).catch(() => [[], [], []]);
      if (a.length === 1 && b.length === 1 && c.length === 1 && (c[0] as unknown[])[2] === 2) break;
      if (Date.now() > deadline) throw new Error('timed out waiting for the pull tables');
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    cleanup();
  });

  async function post(sql: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${url}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }), signal: AbortSignal.timeout(15_000) });
    return { status: res.status, text: await res.text() };
  }

  async function rows(sql: string): Promise<unknown[][]> {
    const r = await post(sql);
    if (r.status !== 200) throw new Error(`${sql}: ${r.text}`);
    return r.text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as unknown[]);
  }

  const sorted = (r: unknown[][]) => [...r].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('answers every key of one query shape from one cached plan, bound to each key', async () => {
    for (const o of ORDERS) expect(await rows(`SELECT * FROM BY_ID WHERE ID = ${o.ID};`)).toEqual([[o.ID, o.QTY]]);
    expect(await rows('SELECT * FROM BY_ID WHERE ID = 99;')).toEqual([]);
    // IN lists: each key once, in the list's order.
    expect(await rows('SELECT * FROM BY_ID WHERE ID IN (3, 1, 3, 99);')).toEqual([[3, 5], [1, 2]]);
    expect(await rows('SELECT * FROM BY_ID WHERE ID IN (4, 5, 4, 98);')).toEqual([[4, 7], [5, 1]]);
    // Literals other than keys are part of the plan: another value is another plan.
    expect(await rows('SELECT ID FROM BY_ID WHERE ID = 4 AND QTY > 3;')).toEqual([[4]]);
    expect(await rows('SELECT ID FROM BY_ID WHERE ID = 4 AND QTY > 30;')).toEqual([]);
    expect(await rows('SELECT ID, QTY * 2 AS Q FROM BY_ID WHERE ID = 5;')).toEqual([[5, 2]]);
    expect(await rows('SELECT ID, QTY * 3 AS Q FROM BY_ID WHERE ID = 5;')).toEqual([[5, 3]]);
  });

  it('reads multi-column keys by point lookup and key ranges on KAFKA-format keys', async () => {
    expect(await rows("SELECT * FROM BY_REGION_ITEM WHERE REGION = 'eu' AND ITEM = 'apple';")).toEqual([['eu', 'apple', 13]]);
    expect(await rows("SELECT TOTAL FROM BY_REGION_ITEM WHERE ITEM = 'apple' AND REGION = 'us';")).toEqual([[5]]);
    expect(sorted(await rows("SELECT ITEM, TOTAL FROM BY_REGION_ITEM WHERE REGION = 'eu';"))).toEqual([['apple', 13], ['fig', 9], ['pear', 3]]);
    expect(sorted(await rows('SELECT * FROM BY_ID WHERE ID >= 2 AND ID < 5;'))).toEqual([[2, 3], [3, 5], [4, 7]]);
    expect(sorted(await rows('SELECT * FROM BY_ID WHERE ID BETWEEN 4 AND 300 AND QTY > 1;'))).toEqual([[10, 4], [300, 9], [4, 7]]);
    expect(sorted(await rows('SELECT ID FROM BY_ID WHERE ID > 5;'))).toEqual([[10], [300]]);
    expect(sorted(await rows('SELECT ID FROM BY_ID WHERE ID < 3;'))).toEqual([[1], [2]]);
  });

  it('reads a windowed table by key within WINDOWSTART bounds', async () => {
    expect(await rows("SELECT REGION, WINDOWSTART, WINDOWEND, N FROM PER_MINUTE WHERE REGION = 'eu';")).toEqual([
      ['eu', 0, 60_000, 2],
      ['eu', 60_000, 120_000, 1],
      ['eu', 120_000, 180_000, 2],
    ]);
    expect(await rows("SELECT WINDOWSTART, N FROM PER_MINUTE WHERE REGION = 'eu' AND WINDOWSTART >= 60000 AND WINDOWSTART < 120000;")).toEqual([[60_000, 1]]);
    expect(await rows("SELECT WINDOWSTART, N FROM PER_MINUTE WHERE REGION = 'us' AND WINDOWSTART > 0;")).toEqual([[120_000, 1]]);
    expect(sorted(await rows("SELECT REGION, N FROM PER_MINUTE WHERE REGION IN ('us', 'nowhere') ;"))).toEqual([['us', 1], ['us', 1]]);
    // Sessions of 30 s gaps: eu 0-10 s, 70 s, 140-150 s; us 20 s, 130 s.
    expect(await rows("SELECT WINDOWSTART, WINDOWEND, N FROM PER_SESSION WHERE REGION = 'eu' AND WINDOWSTART >= 70000;")).toEqual([
      [70_000, 70_000, 1],
      [140_000, 150_000, 2],
    ]);
  });

  it('serves a table whose sink topic another query reads, and that query\'s table', async () => {
    const big = ORDERS.filter((o) => o.QTY > 4).map((o) => [o.ID, o.QTY]);
    expect(sorted(await rows('SELECT * FROM BIG_ORDERS;'))).toEqual(sorted(big));
    for (const [id, qty] of big) expect(await rows(`SELECT QTY FROM BIG_ORDERS WHERE ID = ${id};`)).toEqual([[qty]]);
    expect(sorted(await rows('SELECT * FROM BY_ID;'))).toEqual(sorted(ORDERS.map((o) => [o.ID, o.QTY])));
  });

  it('rejects ROWPARTITION and ROWOFFSET as ksqlDB does', async () => {
    const select = await post('SELECT ID, ROWOFFSET FROM BY_ID WHERE ID = 1;');
    expect(select.status).toBe(400);
    expect(JSON.parse(select.text)).toMatchObject({ error_code: 40001, message: "line 1:12: Pull queries don't support ROWPARTITION or ROWOFFSET in SELECT clauses." });
    const where = JSON.parse((await post('SELECT * FROM BY_ID WHERE ROWPARTITION = 1;')).text);
    expect(where.message).toBe("line 1:27: Pull queries don't support ROWPARTITION or ROWOFFSET in WHERE clauses.");
  });

  it('chooses point reads, window ranges, key ranges or a scan from the WHERE clause', () => {
    const access = (table: string, where: string) => planAccess(parseExpression(where), session.metastore.get(table)!);
    expect(access('BY_ID', 'ID = 4 AND QTY > 1')).toMatchObject({ access: { kind: 'keys', keys: [[4]] }, slots: [{ offset: 5, key: 0, column: 0 }] });
    expect(access('BY_ID', 'ID = 4 AND QTY > 1').where).toMatchObject({ kind: 'Comparison', op: '>' });
    expect(access('BY_ID', 'ID > 2 AND ID <= 9').access).toEqual({ kind: 'range', from: [2], to: [9] });
    expect(access('BY_ID', 'ID >= 7').access).toEqual({ kind: 'range', from: [7], to: [2 ** 31 - 1] });
    // Negative keys sort after positive ones in their serialized form: no range.
    expect(access('BY_ID', 'ID > -3').access.kind).toBe('scan');
    expect(access('BY_ID', 'ID < 3').access.kind).toBe('scan');
    expect(access('BY_ID', 'ID = 1 OR ID = 2').access.kind).toBe('scan');
    expect(access('BY_REGION_ITEM', "ITEM = 'a' AND REGION = 'b'").access).toEqual({ kind: 'keys', keys: [['b', 'a']] });
    expect(access('BY_REGION_ITEM', "REGION = 'b'").access.kind).toBe('scan');
    expect(access('PER_MINUTE', "REGION = 'eu' AND WINDOWSTART BETWEEN 5 AND 50 AND WINDOWSTART < 40").access).toEqual({ kind: 'windowKeys', keys: [['eu']], startFrom: 5, startTo: 40 });
  });

  it('caches plans by shape: literals rebound only where they are keys', () => {
    const cache = new PullPlanCache(2);
    const plan = { access: { kind: 'keys', keys: [['a']] }, slots: [{ offset: 26, key: 0, column: 0, type: { base: 'STRING' } }] } as never;
    cache.remember(queryShape("SELECT * FROM T WHERE K = 'a' AND V > 1;")!, plan);
    expect(cache.lookup(queryShape("select * FROM T WHERE K = 'it''s' AND V > 1;")!)).toBeUndefined(); // `select`: another shape
    expect(cache.lookup(queryShape("SELECT * FROM T WHERE K = 'it''s'  AND V > 1 ;")!)?.access).toEqual({ kind: 'keys', keys: [["it's"]] });
    expect(cache.lookup(queryShape("SELECT * FROM T WHERE K = 'b' AND V > 2;")!)).toBeUndefined();
    expect(cache.lookup(queryShape('SELECT * FROM T WHERE K = 5 AND V > 1;')!)).toBeUndefined();
    cache.remember(queryShape('SELECT 1 FROM T;')!, plan);
    cache.remember(queryShape('SELECT 2.5 FROM T;')!, plan);
    expect(cache.size).toBe(2);
    expect(queryShape("SELECT 'unterminated")).toBeNull();
  });
});
