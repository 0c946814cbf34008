/** A SQL file run as several worker processes: its statements run once, its queries share the group. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, readRecords, uniqueId } from './helpers.js';
import { killAll, kstream, requireBuild } from './processes.js';

describe(`SQL with --workers on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-sqlw-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('INSERT VALUES are written once, not once per worker; the query counts them exactly', async () => {
    const app = uniqueId('sqlw');
    const input = `${app}-orders`;
    const output = `${app}-totals`;
    const file = join(dir, `${app}.sql`);
    writeFileSync(
      file,
      `CREATE STREAM ORDERS (ID STRING KEY, AMOUNT INT) WITH (KAFKA_TOPIC='${input}', VALUE_FORMAT='JSON', PARTITIONS=4);
       INSERT INTO ORDERS (ID, AMOUNT) VALUES ('a', 1);
       INSERT INTO ORDERS (ID, AMOUNT) VALUES ('b', 2);
       INSERT INTO ORDERS (ID, AMOUNT) VALUES ('a', 3);
       INSERT INTO ORDERS (ID, AMOUNT) VALUES ('c', 4);
       CREATE TABLE TOTALS WITH (KAFKA_TOPIC='${output}', VALUE_FORMAT='JSON') AS
         SELECT ID, COUNT(*) AS N, SUM(AMOUNT) AS TOTAL FROM ORDERS GROUP BY ID;`,
    );
    const run = kstream(['run', file, '--brokers', kafkaBrokers().join(','), '--workers', '2', '--until-idle', '--application-id', app, '--state-dir', join(dir, app)]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    const inputs = await readRecords(input, { count: 4, timeoutMs: 10_000 });
    expect(inputs.map((r) => `${r.key}:${r.value}`).sort()).toEqual(['a:{"AMOUNT":1}', 'a:{"AMOUNT":3}', 'b:{"AMOUNT":2}', 'c:{"AMOUNT":4}']);
    const totals = await readRecords(output, { count: 3, timeoutMs: 10_000 });
    const last = new Map(totals.map((r) => [r.key, r.value]));
    expect(Object.fromEntries(last)).toEqual({ a: '{"N":2,"TOTAL":4}', b: '{"N":1,"TOTAL":2}', c: '{"N":1,"TOTAL":4}' });
  }, 120_000);
});
