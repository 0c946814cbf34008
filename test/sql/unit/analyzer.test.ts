import { describe, expect, it } from 'vitest';
import { analyzeSql, SqlSession } from '../../../src/sql/session.js';
import { describePlan, planNodes, type JoinNode, type AggregateNode } from '../../../src/sql/analyzer/logical-plan.js';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { lastQuery, sinkColumns } from './helpers.js';

const DDL = `
CREATE STREAM orders (id INT KEY, item STRING, qty INT, price DECIMAL(6, 2), addr STRUCT<street STRING, zip INT>, tags ARRAY<STRING>)
  WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE TABLE items (name STRING PRIMARY KEY, category STRING, weight DOUBLE) WITH (KAFKA_TOPIC='items', VALUE_FORMAT='JSON');
CREATE STREAM shipments (id INT KEY, carrier STRING) WITH (KAFKA_TOPIC='shipments', VALUE_FORMAT='JSON');
CREATE TABLE customers (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');
`;

describe('CREATE STREAM / TABLE', () => {
  it('records schema, topic and formats with ksqlDB defaults', () => {
    const [s] = analyzeSql("CREATE STREAM s (k STRING KEY, a INT, b DOUBLE) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='|', PARTITIONS=4, TIMESTAMP='a');".replace("a INT", "a BIGINT"));
    expect(s).toMatchObject({
      kind: 'createSource',
      source: {
        name: 'S',
        type: 'STREAM',
        topic: 't',
        keyFormat: { format: 'KAFKA' },
        valueFormat: { format: 'DELIMITED', delimiter: '|' },
        partitions: 4,
        timestampColumn: { column: 'A' },
      },
    });
  });
  it('supports FORMAT, WRAP_SINGLE_VALUE and windowed sources', () => {
    const [a, b] = analyzeSql(`
      CREATE TABLE t (k INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t', FORMAT='JSON', WRAP_SINGLE_VALUE=false, WINDOW_TYPE='Hopping', WINDOW_SIZE='30 SECONDS');
      CREATE TABLE u (k INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='u', FORMAT='JSON', WINDOW_TYPE='SESSION');`);
    expect(a).toMatchObject({ source: { keyFormat: { format: 'JSON' }, valueFormat: { format: 'JSON', wrapSingleValue: false }, window: { type: 'HOPPING', sizeMs: 30_000 } } });
    expect(b).toMatchObject({ source: { window: { type: 'SESSION' } } });
  });
  it('honours IF NOT EXISTS and OR REPLACE', () => {
    const out = analyzeSql(`
      CREATE STREAM s (a INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');
      CREATE STREAM IF NOT EXISTS s (b INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');
      CREATE OR REPLACE STREAM s (c INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');`);
    expect(out.map((o) => o.kind)).toEqual(['createSource', 'noop', 'createSource']);
    expect(out[2]).toMatchObject({ replaced: true, source: { schema: { value: [{ name: 'C' }] } } });
  });
});

describe('projection naming', () => {
  it('names columns, struct fields and expressions as ksqlDB does', () => {
    const q = lastQuery(DDL + 'CREATE STREAM out AS SELECT id, item, addr->zip, addr->street, qty * 2, UCASE(item) AS upper, price + 1 FROM orders;');
    expect(sinkColumns(q)).toEqual([
      'ID INTEGER KEY',
      'ITEM STRING',
      'ZIP INTEGER',
      'STREET STRING',
      'KSQL_COL_0 INTEGER',
      'UPPER STRING',
      'KSQL_COL_1 DECIMAL(13, 2)',
    ]);
  });
  it('skips generated names already used by source columns', () => {
    const q = lastQuery(`CREATE STREAM s (k INT KEY, ksql_col_0 INT, zip INT, s STRUCT<zip INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
      CREATE STREAM o AS SELECT k, k + 1, s->zip FROM s;`);
    expect(sinkColumns(q)).toEqual(['K INTEGER KEY', 'KSQL_COL_1 INTEGER', 'ZIP_1 INTEGER']);
  });
  it('puts key columns first for SELECT * and keeps aliases on keys', () => {
    expect(sinkColumns(lastQuery(DDL + 'CREATE STREAM o AS SELECT * FROM orders;'))).toEqual([
      'ID INTEGER KEY',
      'ITEM STRING',
      'QTY INTEGER',
      'PRICE DECIMAL(6, 2)',
      'ADDR STRUCT<`STREET` STRING, `ZIP` INTEGER>',
      'TAGS ARRAY<STRING>',
    ]);
    expect(sinkColumns(lastQuery(DDL + 'CREATE STREAM o AS SELECT item, id AS order_id FROM orders;'))).toEqual(['ORDER_ID INTEGER KEY', 'ITEM STRING']);
  });
});

describe('GROUP BY keys', () => {
  it('names the key after the grouping column', () => {
    const q = lastQuery(DDL + 'CREATE TABLE c AS SELECT item, COUNT(*) AS n, SUM(qty), MAX(price) FROM orders GROUP BY item;');
    expect(sinkColumns(q)).toEqual(['ITEM STRING KEY', 'N BIGINT', 'KSQL_COL_0 INTEGER', 'KSQL_COL_1 DECIMAL(6, 2)']);
    expect(q.sink.keyFormat).toEqual({ format: 'KAFKA' });
    const agg = planNodes(q.root).find((n) => n.kind === 'aggregate') as AggregateNode;
    expect(agg.groupByIsSourceKey).toBe(false);
  });
  it('uses the projection alias for expression keys', () => {
    const q = lastQuery(DDL + 'CREATE TABLE c AS SELECT qty * 2 AS dbl, COUNT(*) FROM orders GROUP BY qty * 2;');
    expect(sinkColumns(q)).toEqual(['DBL INTEGER KEY', 'KSQL_COL_0 BIGINT']);
  });
  it('supports multi-column keys with a JSON key format', () => {
    const q = lastQuery(DDL + "CREATE TABLE c WITH (KEY_FORMAT='JSON') AS SELECT item, qty, COUNT(*) FROM orders GROUP BY item, qty;");
    expect(sinkColumns(q)).toEqual(['ITEM STRING KEY', 'QTY INTEGER KEY', 'KSQL_COL_0 BIGINT']);
    expect(q.sink.keyFormat).toEqual({ format: 'JSON' });
  });
  it('recognises grouping by the source key', () => {
    const q = lastQuery(DDL + 'CREATE TABLE c AS SELECT id, COUNT(*) FROM orders GROUP BY id;');
    expect((planNodes(q.root).find((n) => n.kind === 'aggregate') as AggregateNode).groupByIsSourceKey).toBe(true);
  });
  it('describes windows and window bounds', () => {
    const q = lastQuery(DDL + 'CREATE TABLE w AS SELECT item, WINDOWSTART AS ws, WINDOWEND AS we, COUNT(*) AS n FROM orders WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, GRACE PERIOD 1 SECOND) GROUP BY item EMIT FINAL;');
    expect(sinkColumns(q)).toEqual(['ITEM STRING KEY', 'WS BIGINT', 'WE BIGINT', 'N BIGINT']);
    expect(q.sink.window).toEqual({ type: 'HOPPING', sizeMs: 10_000 });
    expect(q.emit).toBe('FINAL');
    expect((planNodes(q.root).find((n) => n.kind === 'aggregate') as AggregateNode).window).toEqual({ type: 'HOPPING', sizeMs: 10_000, advanceMs: 5000, graceMs: 1000 });
  });
  it('filters with HAVING on aggregates', () => {
    const q = lastQuery(DDL + 'CREATE TABLE h AS SELECT item, SUM(qty) AS total FROM orders GROUP BY item HAVING SUM(qty) > 10;');
    const kinds = planNodes(q.root).map((n) => n.kind);
    expect(kinds).toEqual(['source', 'aggregate', 'filter', 'project']);
  });
  it('aggregates tables with undoable functions', () => {
    const q = lastQuery(DDL + 'CREATE TABLE byCat AS SELECT category, COUNT(*) AS n, SUM(weight) AS w FROM items GROUP BY category;');
    expect((planNodes(q.root).find((n) => n.kind === 'aggregate') as AggregateNode).inputIsTable).toBe(true);
  });
});

describe('PARTITION BY', () => {
  it('re-keys by the partitioning expression', () => {
    const q = lastQuery(DDL + 'CREATE STREAM r AS SELECT item, id, qty FROM orders PARTITION BY item;');
    expect(sinkColumns(q)).toEqual(['ITEM STRING KEY', 'ID INTEGER', 'QTY INTEGER']);
    expect(planNodes(q.root).map((n) => n.kind)).toEqual(['source', 'repartition', 'project']);
  });
  it('supports several expressions and PARTITION BY NULL', () => {
    const q = lastQuery(DDL + "CREATE STREAM r WITH (KEY_FORMAT='JSON') AS SELECT item, qty, id FROM orders PARTITION BY item, qty;");
    expect(sinkColumns(q)).toEqual(['ITEM STRING KEY', 'QTY INTEGER KEY', 'ID INTEGER']);
    expect(q.sink.keyFormat).toEqual({ format: 'JSON' });
    const n = lastQuery(DDL + 'CREATE STREAM r AS SELECT * FROM orders PARTITION BY NULL;');
    expect(n.sink.schema.key).toEqual([]);
    expect(n.sink.keyFormat).toEqual({ format: 'NONE' });
  });
});

describe('joins', () => {
  it('keys a stream-table join by the stream key column', () => {
    const q = lastQuery(DDL + 'CREATE STREAM e AS SELECT o.id, o.item, i.category FROM orders o JOIN items i ON o.item = i.name;');
    const join = planNodes(q.root).find((n) => n.kind === 'join') as JoinNode;
    expect(join).toMatchObject({ variant: 'STREAM_TABLE', joinType: 'INNER', leftRekey: true, rightRekey: false, keyColumnName: 'O_ITEM', syntheticKey: false });
    expect(() => lastQuery(DDL + 'CREATE STREAM e AS SELECT o.id, i.category FROM orders o JOIN items i ON o.item = i.name;')).toThrow(/Key missing from projection/);
    const ok = lastQuery(DDL + 'CREATE STREAM e AS SELECT i.name AS item, o.id, i.category FROM orders o JOIN items i ON o.item = i.name;');
    expect(sinkColumns(ok)).toEqual(['ITEM STRING KEY', 'ID INTEGER', 'CATEGORY STRING']);
  });
  it('prefixes columns for SELECT * and for clashing names', () => {
    const q = lastQuery(DDL + 'CREATE STREAM j AS SELECT * FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id;');
    expect(sinkColumns(q)).toEqual([
      'O_ID INTEGER KEY',
      'O_ITEM STRING',
      'O_QTY INTEGER',
      'O_PRICE DECIMAL(6, 2)',
      'O_ADDR STRUCT<`STREET` STRING, `ZIP` INTEGER>',
      'O_TAGS ARRAY<STRING>',
      'S_ID INTEGER',
      'S_CARRIER STRING',
    ]);
    const c = lastQuery(DDL + 'CREATE STREAM j AS SELECT s.id, o.id, carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id;');
    // ksqlDB keys the result by the first viable key, left source first, that the projection selects.
    expect(sinkColumns(c)).toEqual(['O_ID INTEGER KEY', 'S_ID INTEGER', 'CARRIER STRING']);
    const join = planNodes(c.root).find((n) => n.kind === 'join') as JoinNode;
    expect(join.within).toEqual({ beforeMs: 3_600_000, afterMs: 3_600_000 });
  });
  it('uses a synthetic ROWKEY for FULL OUTER joins', () => {
    const q = lastQuery(DDL + 'CREATE STREAM f AS SELECT ROWKEY AS k, o.item, s.carrier FROM orders o FULL OUTER JOIN shipments s WITHIN (1 SECOND, 2 SECONDS) GRACE PERIOD 3 SECONDS ON o.id = s.id;');
    expect(sinkColumns(q)).toEqual(['K INTEGER KEY', 'ITEM STRING', 'CARRIER STRING']);
    const join = planNodes(q.root).find((n) => n.kind === 'join') as JoinNode;
    expect(join).toMatchObject({ syntheticKey: true, keyColumnName: 'ROWKEY', within: { beforeMs: 1000, afterMs: 2000, graceMs: 3000 } });
  });
  it('picks ROWKEY_1 when a source has a ROWKEY column', () => {
    const q = lastQuery(`CREATE STREAM a (rowkey INT KEY, v INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');
      CREATE STREAM b (id INT KEY, w INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON');
      CREATE STREAM j AS SELECT ROWKEY_1, a.v, b.w FROM a JOIN b WITHIN 1 SECOND ON ABS(a.rowkey) = ABS(b.id);`);
    expect(sinkColumns(q)).toEqual(['ROWKEY_1 INTEGER KEY', 'V INTEGER', 'W INTEGER']);
  });
  it('joins tables to tables and chains N-way joins', () => {
    const q = lastQuery(
      DDL +
        `CREATE TABLE orderTotals AS SELECT id, SUM(qty) AS qty FROM orders GROUP BY id;
         CREATE TABLE tt AS SELECT c.id, c.name, t.qty FROM customers c LEFT JOIN orderTotals t ON c.id = t.id;`,
    );
    expect(q.sink.type).toBe('TABLE');
    expect((planNodes(q.root).find((n) => n.kind === 'join') as JoinNode).variant).toBe('TABLE_TABLE');
    const n = lastQuery(DDL + 'CREATE STREAM n AS SELECT o.id, s.carrier, c.name FROM orders o JOIN shipments s WITHIN 1 MINUTE ON o.id = s.id JOIN customers c ON o.id = c.id;');
    const joins = planNodes(n.root).filter((x) => x.kind === 'join') as JoinNode[];
    expect(joins.map((j) => j.variant)).toEqual(['STREAM_STREAM', 'STREAM_TABLE']);
    expect(joins[1]!.leftRekey).toBe(false);
    expect(describePlan(n.root)).toContain('Join INNER STREAM_TABLE');
  });
  it('marks foreign-key table joins', () => {
    const q = lastQuery(`CREATE TABLE o (id INT PRIMARY KEY, cust INT) WITH (KAFKA_TOPIC='o', FORMAT='JSON');
      CREATE TABLE c (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='c', FORMAT='JSON');
      CREATE TABLE j AS SELECT o.id, c.name FROM o JOIN c ON o.cust = c.id;`);
    expect(planNodes(q.root).find((n) => n.kind === 'join')).toMatchObject({ foreignKey: true, variant: 'TABLE_TABLE' });
    expect(sinkColumns(q)).toEqual(['O_ID INTEGER KEY', 'NAME STRING']);
  });
});

describe('table functions, INSERT and DROP', () => {
  it('plans EXPLODE as a flat map', () => {
    const q = lastQuery(DDL + 'CREATE STREAM x AS SELECT id, EXPLODE(tags) AS tag, EXPLODE(ARRAY[1, 2]) FROM orders;');
    expect(sinkColumns(q)).toEqual(['ID INTEGER KEY', 'TAG STRING', 'KSQL_COL_0 INTEGER']);
    expect(planNodes(q.root).map((n) => n.kind)).toEqual(['source', 'flatMap', 'project']);
  });
  it('checks INSERT INTO schemas', () => {
    const out = analyzeSql(DDL + `CREATE STREAM all_orders AS SELECT id, item FROM orders;
      INSERT INTO all_orders SELECT id, carrier AS item FROM shipments;`);
    const last = out[out.length - 1]!;
    expect(last).toMatchObject({ kind: 'query', plan: { kind: 'INSERT', queryId: 'INSERTQUERY_1', sink: { name: 'ALL_ORDERS', existing: true } } });
  });
  it('evaluates INSERT VALUES', () => {
    const out = analyzeSql(DDL + "INSERT INTO orders (id, item, price, ROWTIME) VALUES (7, 'x', 1.5, 1000);");
    expect(out[out.length - 1]).toMatchObject({ kind: 'insertValues', key: [7], value: ['x', null, expect.any(Decimal), null, null], timestamp: 1000 });
    const v = out[out.length - 1] as unknown as { value: unknown[] };
    expect((v.value[2] as Decimal).toString()).toBe('1.50');
  });
  it('drops sources no query reads', () => {
    const session = new SqlSession();
    session.execute(DDL + 'CREATE STREAM c AS SELECT * FROM orders; DROP STREAM c DELETE TOPIC; DROP STREAM IF EXISTS nope;');
    expect(session.metastore.get('C')).toBeUndefined();
    expect(session.metastore.get('ORDERS')).toBeDefined();
  });
  it('keeps SET and UNSET properties', () => {
    const session = new SqlSession();
    session.execute("SET 'ksql.streams.auto.offset.reset'='earliest'; SET 'a'='b'; UNSET 'a';");
    expect([...session.properties]).toEqual([['ksql.streams.auto.offset.reset', 'earliest']]);
  });
});

describe('compiled plans', () => {
  it('evaluates projection expressions over source rows', () => {
    const q = lastQuery(DDL + "CREATE STREAM p AS SELECT id, UCASE(item) AS u, qty * 2 AS d FROM orders WHERE qty > 1;");
    const filter = planNodes(q.root).find((n) => n.kind === 'filter');
    // source row: [ID, ITEM, QTY, PRICE, ADDR, TAGS, ROWTIME, ROWPARTITION, ROWOFFSET]
    const row = [1, 'ab', 3, null, null, null, 0n, 0, 0n];
    expect(filter && filter.kind === 'filter' && filter.predicate(row)).toBe(true);
    expect(q.root.key.map((k) => k.expr.evaluate(row))).toEqual([1]);
    expect(q.root.value.map((v) => v.expr.evaluate(row))).toEqual(['AB', 6]);
  });
});
