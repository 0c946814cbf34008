import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from 'kstream';
import { parseStatements } from '../../src/sql/parser/parse.js';
import type { Query } from '../../src/sql/parser/ast.js';
import { planPushQuery } from '../../src/server/push-query.js';
import { serveSqlFile, type ServedSqlApp } from '../helpers/serving.js';
import { produce, tempDir } from '../helpers/embedded.js';

const SCRIPT = `
CREATE STREAM CLICKS (USER_ID STRING KEY, PAGE STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE PAGE_COUNTS AS SELECT PAGE, COUNT(*) AS N FROM CLICKS GROUP BY PAGE;
CREATE TABLE USER_MINUTES AS SELECT USER_ID, COUNT(*) AS N FROM CLICKS WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY USER_ID;
`;

/** Pages clicked before the application starts: PAGE_COUNTS holds this many rows. */
const EARLY_PAGES = 2_000;

describe('push queries: pseudo columns, window bounds, tables from their end (embedded log)', () => {
  const { dir, cleanup } = tempDir();
  let app: ServedSqlApp | undefined;
  let url = '';

  async function pull(sql: string): Promise<unknown[][]> {
    const res = await fetch(`${url}/query-stream`, { method: 'POST', body: JSON.stringify({ sql }), signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(text);
    return text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as unknown[]);
  }

  beforeAll(async () => {
    const file = join(dir, 'clicks.sql');
    writeFileSync(file, SCRIPT);
    const early = Array.from({ length: EARLY_PAGES }, (_, i) => ({ key: `early-${i % 7}`, value: JSON.stringify({ PAGE: `page-${i}` }), timestamp: 1_000 + i }));
    await produce(dir, 'clicks', early);
    app = await serveSqlFile(dir, file, 'clicks-app');
    url = app.url;
    const deadline = Date.now() + 60_000;
    while ((await pull(`SELECT * FROM PAGE_COUNTS WHERE PAGE = 'page-${EARLY_PAGES - 1}';`).catch(() => [])).length !== 1) {
      if (Date.now() > deadline) throw new Error('timed out waiting for PAGE_COUNTS');
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    cleanup();
  });

  /** Opens a push query; resolves once its header arrived. */
  async function open(sql: string, properties: Record<string, unknown> = {}) {
    const res = await fetch(`${url}/query-stream`, { method: 'POST', body: JSON.stringify({ sql, properties }), signal: AbortSignal.timeout(30_000) });
    let text = '';
    const reader = res.body!.getReader();
    const finished = (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        text += Buffer.from(r.value).toString('utf8');
      }
    })();
    const lines = () => text.split('\n').filter((l) => l.length > 0);
    const until = async (n: number, what: string) => {
      const deadline = Date.now() + 15_000;
      while (lines().length < n) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; status ${res.status}, got ${text}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await until(1, 'the header');
    return {
      header: JSON.parse(lines()[0]!) as { queryId: string; columnNames: string[]; columnTypes: string[] },
      rows: () => lines().slice(1).map((l) => JSON.parse(l) as unknown[]),
      until,
      finished,
      status: res.status,
    };
  }

  it('selects ROWTIME, ROWPARTITION and ROWOFFSET without an alias', async () => {
    const q = await open('SELECT USER_ID, PAGE, ROWTIME, ROWPARTITION, ROWOFFSET FROM CLICKS EMIT CHANGES LIMIT 1;');
    expect(q.status).toBe(200);
    expect(q.header.columnNames).toEqual(['USER_ID', 'PAGE', 'ROWTIME', 'ROWPARTITION', 'ROWOFFSET']);
    expect(q.header.columnTypes).toEqual(['STRING', 'STRING', 'BIGINT', 'INTEGER', 'BIGINT']);
    await produce(dir, 'clicks', [{ key: 'alice', value: JSON.stringify({ PAGE: 'home' }), timestamp: 5_000_000 }]);
    await q.finished;
    // The click is the topic's next record after the early ones (partition 0 of a 1-partition topic).
    expect(q.rows()).toEqual([['alice', 'home', 5_000_000, 0, EARLY_PAGES + 0]]);
  });

  it('selects WINDOWSTART and WINDOWEND without an alias, of a windowed table and of its own windowed aggregation', async () => {
    const table = await open('SELECT USER_ID, WINDOWSTART, WINDOWEND, N FROM USER_MINUTES EMIT CHANGES LIMIT 1;');
    expect(table.header.columnNames).toEqual(['USER_ID', 'WINDOWSTART', 'WINDOWEND', 'N']);
    const star = await open('SELECT * FROM USER_MINUTES EMIT CHANGES LIMIT 1;');
    expect(star.header.columnNames).toEqual(['USER_ID', 'WINDOWSTART', 'WINDOWEND', 'N']);
    const agg = await open('SELECT USER_ID, WINDOWSTART, WINDOWEND, COUNT(*) AS C FROM CLICKS WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY USER_ID EMIT CHANGES LIMIT 1;');
    expect(agg.header.columnNames).toEqual(['USER_ID', 'WINDOWSTART', 'WINDOWEND', 'C']);
    await produce(dir, 'clicks', [{ key: 'bob', value: JSON.stringify({ PAGE: 'docs' }), timestamp: 6_045_000 }]);
    await Promise.all([table.finished, star.finished, agg.finished]);
    expect(table.rows()).toEqual([['bob', 6_000_000, 6_060_000, 1]]);
    expect(star.rows()).toEqual([['bob', 6_000_000, 6_060_000, 1]]);
    expect(agg.rows()).toEqual([['bob', 6_040_000, 6_050_000, 1]]);
  });

  it('still needs an alias in persistent queries (ksqlDB)', () => {
    expect(() => app!.session.execute('CREATE STREAM P AS SELECT USER_ID, ROWOFFSET FROM CLICKS;')).toThrow('Reserved column name in select: `ROWOFFSET`. Please remove or alias the column.');
  });

  it('starts a table at its end by default: only changes made after it started, without reading the table first', async () => {
    const fromEnd = await open('SELECT * FROM PAGE_COUNTS EMIT CHANGES LIMIT 2;');
    await produce(dir, 'clicks', [
      { key: 'carol', value: JSON.stringify({ PAGE: 'page-5' }), timestamp: 7_000_000 },
      { key: 'carol', value: JSON.stringify({ PAGE: 'new-page' }), timestamp: 7_000_001 },
    ]);
    await fromEnd.finished;
    // An existing row's update is a change (its count goes on from the table's); nothing else comes.
    expect(fromEnd.rows()).toEqual([
      ['page-5', 2],
      ['new-page', 1],
    ]);
    // ...because the transient application reads the table's topic from its end, not its start.
    const query = (parseStatements('SELECT * FROM PAGE_COUNTS EMIT CHANGES;')[0] as { query: Query }).query;
    const options = { session: app!.session, log: app!.log, applicationId: 'clicks-app', dataDir: dir, queryId: 'transient_PAGE_COUNTS_1', query, sql: '', logger: silentLogger, onRow: () => undefined };
    const sources = (q: ReturnType<typeof planPushQuery>) => [...q.topology.nodes.values()].filter((n) => n.kind === 'source');
    const latest = planPushQuery({ ...options, properties: {} });
    expect(sources(latest).map((n) => [n.kind === 'source' && n.topics, n.kind === 'source' && n.offsetReset])).toEqual([[['PAGE_COUNTS'], 'latest']]);
    const earliest = planPushQuery({ ...options, properties: { 'auto.offset.reset': 'earliest' } });
    expect(sources(earliest).map((n) => n.kind === 'source' && n.offsetReset)).toEqual(['earliest']);
    await Promise.all([latest.close(), earliest.close()]);
  });

  it("reads a table from its start with auto.offset.reset 'earliest'", async () => {
    const all = await open('SELECT * FROM PAGE_COUNTS EMIT CHANGES;', { 'auto.offset.reset': 'earliest' });
    await all.until(1 + EARLY_PAGES, 'every early page');
    expect(all.rows().find((r) => r[0] === `page-${EARLY_PAGES - 1}`)).toEqual([`page-${EARLY_PAGES - 1}`, 1]);
    const res = await fetch(`${url}/close-query`, { method: 'POST', body: JSON.stringify({ queryId: all.header.queryId }) });
    expect(res.status).toBe(200);
    await all.finished;
  });
});
