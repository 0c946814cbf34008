/**
 * A third-party ksqlDB client from npm (`ksqldb-client`, which speaks HTTP/2 to ksqlDB's REST API)
 * against `kstream server` on the embedded log: statements, listing and describing sources,
 * inserts, a pull query and a push query.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { silentLogger } from '../../src/common/logger.js';
import { KsqlServer } from '../../src/server/ksql-server.js';
import { tempDir } from '../helpers/embedded.js';

type Json = any;
const KsqldbClient = createRequire(import.meta.url)('ksqldb-client') as new (options: { host: string; port: number }) => Json;

describe('ksqldb-client (npm) against kstream server', () => {
  let dir: string;
  let cleanup: () => void;
  let log: EmbeddedLog;
  let server: KsqlServer;
  let client: Json;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('kstream-third-party-'));
    log = await EmbeddedLog.open(dir);
    server = await KsqlServer.start({ listener: 'http://127.0.0.1:0', log, serviceId: 'tp', streamsConfig: { 'data.dir': dir, 'state.dir': join(dir, 'state'), 'commit.interval.ms': 100 }, logger: silentLogger });
    const url = new URL(server.url);
    client = new KsqldbClient({ host: `http://${url.hostname}`, port: Number(url.port) });
    await client.connect();
  });
  afterEach(async () => {
    await client.disconnect();
    await server.close();
    await log.close();
    cleanup();
  });

  it('runs statements, inserts, a pull query and a push query', async () => {
    const created = await client.executeStatement("CREATE STREAM CLICKS (USER_ID STRING KEY, PAGE STRING) WITH (KAFKA_TOPIC='clicks', PARTITIONS=2, VALUE_FORMAT='JSON');");
    expect(created.status).toBe(200);
    expect(created.data.rows[0].commandStatus.message).toBe('Stream created');
    const ctas = await client.executeStatement('CREATE TABLE PAGES_PER_USER AS SELECT USER_ID, COUNT(*) AS PAGES FROM CLICKS GROUP BY USER_ID;');
    expect(ctas.data.rows[0].commandStatus.queryId).toBe('CTAS_PAGES_PER_USER_0');
    expect(await client.listStreams()).toEqual([{ type: 'STREAM', name: 'CLICKS', topic: 'clicks', keyFormat: 'KAFKA', valueFormat: 'JSON', isWindowed: false }]);
    expect((await client.listTables()).map((t: Json) => t.name)).toEqual(['PAGES_PER_USER']);
    expect((await client.listQueries()).map((q: Json) => q.id)).toEqual(['CTAS_PAGES_PER_USER_0']);
    const described = await client.describeSource('CLICKS');
    expect(described.fields.map((f: Json) => f.name)).toEqual(['USER_ID', 'PAGE']);

    for (const [user, page] of [['ann', '/a'], ['bob', '/b'], ['ann', '/c']]) {
      const ins = await client.insertInto('CLICKS', { USER_ID: user, PAGE: page });
      expect(ins).toMatchObject({ status: 200, data: { rows: [{ status: 'ok', seq: 0 }] } });
    }

    // Pull query: the table's row for ann once the query has counted both clicks.
    let pulled: Json = null;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      pulled = await client.query("SELECT * FROM PAGES_PER_USER WHERE USER_ID = 'ann';");
      if (pulled.data?.rows?.[0]?.PAGES === 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(pulled.status).toBe(200);
    expect(pulled.data.metadata.columnNames).toEqual(['USER_ID', 'PAGES']);
    expect(pulled.data.rows).toEqual([{ USER_ID: 'ann', PAGES: 2 }]);

    // Push query: a row inserted while it runs, then LIMIT ends it.
    const rows: Json[] = [];
    const push = client.streamQuery('SELECT * FROM CLICKS EMIT CHANGES LIMIT 1;', (d: Json) => rows.push(...(d.rows ?? [])));
    await new Promise((r) => setTimeout(r, 1_500));
    await client.insertInto('CLICKS', { USER_ID: 'cid', PAGE: '/new' });
    const ended = await push;
    expect(ended.status).toBe(200);
    expect(rows).toEqual([{ USER_ID: 'cid', PAGE: '/new' }]);

    const bad = await client.executeStatement('CREATE STREAM X AS SELECT NOPE FROM CLICKS;');
    expect(bad.error).toMatchObject({ '@type': 'statement_error', error_code: 40001, message: "line 1:27: SELECT column 'NOPE' cannot be resolved." });
  });
});
