/** The SQL API as `kstream` exposes it: loaded on demand, with user functions. */
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../src/index.js';
import { encodeInput, topicCatalog } from '../../src/sql/testrunner/topics.js';

describe('loadSql()', () => {
  it('analyzes with a user function, builds the script topology and runs it in memory', async () => {
    const { SqlSession, createFunctionRegistry, planScript, buildScriptTopology, QueryTestDriver } = await loadSql();
    const registry = createFunctionRegistry().registerScalar({
      name: 'DOUBLE_IT',
      overloads: [{ params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => (x as number) * 2 }],
    });
    const sql =
      "CREATE STREAM S (ID INT KEY, V INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');\n" +
      'CREATE STREAM D AS SELECT ID, DOUBLE_IT(V) AS V2 FROM S;\n';
    const statements = new SqlSession({ registry }).execute(sql, 'doubles.sql');
    const script = planScript(statements);
    expect(buildScriptTopology(script.queries).describe().toString()).toContain('CSAS_D_0-Project');
    const driver = new QueryTestDriver(statements);
    const r = encodeInput({ topic: 's', key: 1, value: { V: 21 }, timestamp: 5 }, topicCatalog(statements).get('s'));
    driver.pipeRaw(r.topic, r.key, r.value, r.timestamp);
    const out = driver.queryOutput();
    expect(out.map((o) => [o.topic, o.value?.toString(), o.timestamp])).toEqual([['D', '{"V2":42}', 5]]);
  });
});
