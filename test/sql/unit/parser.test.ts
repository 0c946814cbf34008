import { describe, expect, it } from 'vitest';
import { parseExpression, parseStatements } from '../../../src/sql/parser/parse.js';
import type { Expr, Statement, StatementOf } from '../../../src/sql/parser/ast.js';

function one<K extends Statement['kind']>(sql: string, kind: K): StatementOf<K> {
  const [s] = parseStatements(sql);
  expect(s!.kind).toBe(kind);
  return s as StatementOf<K>;
}

describe('lexer', () => {
  it('upper-cases unquoted identifiers and keeps quoted ones', () => {
    const s = one('create stream `MixedCase` (foo int, `bar` string) with (kafka_topic=\'t\', value_format=\'json\');', 'CreateSource');
    expect(s.name).toBe('MixedCase');
    expect(s.elements!.map((e) => e.name)).toEqual(['FOO', 'bar']);
  });

  it('accepts keywords in any case and non-reserved keywords as identifiers', () => {
    const s = one('SeLeCt key, date, size FROM s;', 'SelectQuery');
    expect(s.query.select.map((i) => (i.kind === 'SingleColumn' && i.expr.kind === 'ColumnRef' ? i.expr.name : '?'))).toEqual(['KEY', 'DATE', 'SIZE']);
  });

  it('unescapes doubled quotes in strings and identifiers', () => {
    expect(parseExpression("'it''s'")).toMatchObject({ kind: 'StringLiteral', value: "it's" });
    expect(parseExpression('`a``b`')).toMatchObject({ kind: 'ColumnRef', name: 'a`b' });
  });

  it('types numeric literals by their form', () => {
    expect(parseExpression('12')).toMatchObject({ kind: 'IntegerLiteral', text: '12' });
    expect(parseExpression('1.50')).toMatchObject({ kind: 'DecimalLiteral', text: '1.50' });
    expect(parseExpression('.5')).toMatchObject({ kind: 'DecimalLiteral', text: '.5' });
    expect(parseExpression('1.5E3')).toMatchObject({ kind: 'DoubleLiteral', text: '1.5E3' });
    expect(parseExpression('-7')).toMatchObject({ kind: 'IntegerLiteral', text: '-7' });
    expect(parseExpression('-1.25')).toMatchObject({ kind: 'DecimalLiteral', text: '-1.25' });
  });

  it('skips -- and /* */ comments', () => {
    const stmts = parseStatements("-- a comment\nSET 'a'='b'; /* block\ncomment */ UNSET 'a';");
    expect(stmts.map((s) => s.kind)).toEqual(['SetProperty', 'UnsetProperty']);
    expect(stmts[1]!.pos).toEqual({ line: 3, column: 12, offset: 46 });
  });
});

describe('statements', () => {
  it('parses CREATE STREAM with columns, keys and properties', () => {
    const s = one(
      "CREATE OR REPLACE STREAM s (id BIGINT KEY, v DECIMAL(4,2), tags ARRAY<STRING>, m MAP<STRING, INT>, st STRUCT<a INT, `b` STRING>) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=3, WRAP_SINGLE_VALUE=false);",
      'CreateSource',
    );
    expect(s.orReplace).toBe(true);
    expect(s.sourceType).toBe('STREAM');
    expect(s.elements!.map((e) => [e.name, e.constraint])).toEqual([
      ['ID', 'KEY'],
      ['V', 'NONE'],
      ['TAGS', 'NONE'],
      ['M', 'NONE'],
      ['ST', 'NONE'],
    ]);
    expect(s.elements![1]!.type).toMatchObject({ kind: 'PrimitiveType', name: 'DECIMAL', params: [4, 2] });
    expect(s.elements![4]!.type).toMatchObject({ kind: 'StructType', fields: [{ name: 'A' }, { name: 'b' }] });
    expect(s.properties.map((p) => p.name)).toEqual(['KAFKA_TOPIC', 'VALUE_FORMAT', 'PARTITIONS', 'WRAP_SINGLE_VALUE']);
  });

  it('parses CREATE TABLE with PRIMARY KEY, IF NOT EXISTS and CREATE SOURCE', () => {
    const t = one("CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, v STRING) WITH (KAFKA_TOPIC='t', FORMAT='JSON');", 'CreateSource');
    expect(t.ifNotExists).toBe(true);
    expect(t.elements![0]!.constraint).toBe('PRIMARY KEY');
    const src = one("CREATE SOURCE TABLE t2 (id INT PRIMARY KEY) WITH (KAFKA_TOPIC='t', FORMAT='JSON');", 'CreateSource');
    expect(src.readOnly).toBe(true);
  });

  it('parses CREATE ... AS SELECT with every clause', () => {
    const s = one(
      'CREATE TABLE agg WITH (KAFKA_TOPIC=\'out\') AS SELECT a.k, COUNT(*) AS c FROM s a WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 10 SECONDS, RETENTION 2 DAYS, GRACE PERIOD 5 SECONDS) WHERE a.v > 0 GROUP BY a.k HAVING COUNT(*) > 1 EMIT FINAL;',
      'CreateAsSelect',
    );
    const q = s.query;
    expect(q.window).toMatchObject({ type: 'HOPPING', size: { millis: 60_000 }, advance: { millis: 10_000 }, retention: { millis: 172_800_000 }, grace: { millis: 5000 } });
    expect(q.where?.kind).toBe('Comparison');
    expect(q.groupBy).toHaveLength(1);
    expect(q.having?.kind).toBe('Comparison');
    expect(q.emit).toBe('FINAL');
    expect(q.from).toMatchObject({ name: 'S', alias: 'A' });
  });

  it('parses tumbling and session windows', () => {
    const t = one('SELECT * FROM s WINDOW TUMBLING (SIZE 30 SECONDS, GRACE PERIOD 1 MILLISECOND) GROUP BY x;', 'SelectQuery');
    expect(t.query.window).toMatchObject({ type: 'TUMBLING', size: { millis: 30_000 }, grace: { millis: 1 } });
    const s = one('SELECT * FROM s WINDOW SESSION (5 MINUTES) GROUP BY x EMIT CHANGES;', 'SelectQuery');
    expect(s.query.window).toMatchObject({ type: 'SESSION', size: { millis: 300_000, unit: 'MINUTE' } });
    expect(s.query.emit).toBe('CHANGES');
  });

  it('parses every join type, WITHIN forms and N-way joins', () => {
    const q = one(
      'SELECT * FROM a JOIN b WITHIN 10 SECONDS ON a.id = b.id LEFT OUTER JOIN c WITHIN (1 HOUR, 2 HOURS) GRACE PERIOD 3 MINUTES ON a.id = c.id RIGHT JOIN d ON a.id = d.id FULL OUTER JOIN e ON a.id = e.id INNER JOIN f ON a.id = f.id LEFT JOIN g ON a.id = g.id;',
      'SelectQuery',
    ).query;
    expect(q.joins.map((j) => j.type)).toEqual(['INNER', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'LEFT']);
    expect(q.joins[0]!.within).toMatchObject({ before: { millis: 10_000 }, after: { millis: 10_000 } });
    expect(q.joins[1]!.within).toMatchObject({ before: { millis: 3_600_000 }, after: { millis: 7_200_000 }, grace: { millis: 180_000 } });
  });

  it('parses PARTITION BY lists, SELECT source.* and aliases with and without AS', () => {
    const q = one('SELECT s.*, x AS y, z w FROM s PARTITION BY x, z;', 'SelectQuery').query;
    expect(q.select[0]).toMatchObject({ kind: 'AllColumns', qualifier: 'S' });
    expect(q.select[1]).toMatchObject({ alias: 'Y' });
    expect(q.select[2]).toMatchObject({ alias: 'W' });
    expect(q.partitionBy).toHaveLength(2);
  });

  it('parses INSERT INTO ... SELECT and INSERT VALUES', () => {
    const i = one('INSERT INTO out SELECT * FROM s;', 'InsertInto');
    expect(i.target).toBe('OUT');
    const v = one("INSERT INTO s (id, v) VALUES (1, 'a');", 'InsertValues');
    expect(v.columns!.map((c) => c.name)).toEqual(['ID', 'V']);
    expect(v.values).toHaveLength(2);
    const all = one('INSERT INTO s VALUES (1, 2.5, NULL);', 'InsertValues');
    expect(all.columns).toBeUndefined();
  });

  it('parses DROP, SET and UNSET', () => {
    const d = one('DROP TABLE IF EXISTS t DELETE TOPIC;', 'DropSource');
    expect(d).toMatchObject({ sourceType: 'TABLE', ifExists: true, name: 'T', deleteTopic: true });
    expect(one("SET 'auto.offset.reset'='earliest';", 'SetProperty')).toMatchObject({ name: 'auto.offset.reset', value: 'earliest' });
    expect(one("UNSET 'auto.offset.reset';", 'UnsetProperty')).toMatchObject({ name: 'auto.offset.reset' });
  });

  it('splits several statements and records their text and positions', () => {
    const stmts = parseStatements("SET 'a'='1';\n\nDROP STREAM x;;\n  INSERT INTO y SELECT * FROM z", { file: 'f.sql' });
    expect(stmts.map((s) => s.kind)).toEqual(['SetProperty', 'DropSource', 'InsertInto']);
    expect(stmts[2]!.pos).toMatchObject({ line: 4, column: 3 });
    expect(stmts[1]!.text).toBe('DROP STREAM x');
  });
});

describe('expressions', () => {
  const kinds = (e: Expr): string => e.kind;

  it('follows operator precedence', () => {
    const e = parseExpression('a + b * c - d') as Extract<Expr, { kind: 'Arithmetic' }>;
    expect(e.op).toBe('-');
    expect((e.left as Extract<Expr, { kind: 'Arithmetic' }>).right).toMatchObject({ kind: 'Arithmetic', op: '*' });
    const l = parseExpression('a OR b AND NOT c') as Extract<Expr, { kind: 'Logical' }>;
    expect(l.op).toBe('OR');
    expect(l.right).toMatchObject({ kind: 'Logical', op: 'AND', right: { kind: 'Not' } });
  });

  it('parses predicates', () => {
    expect(kinds(parseExpression('a IS NULL'))).toBe('IsNull');
    expect(parseExpression('a IS NOT NULL')).toMatchObject({ kind: 'IsNull', negated: true });
    expect(parseExpression('a IS DISTINCT FROM b')).toMatchObject({ kind: 'Comparison', op: 'IS DISTINCT FROM' });
    expect(parseExpression('a IS NOT DISTINCT FROM b')).toMatchObject({ kind: 'Comparison', op: 'IS NOT DISTINCT FROM' });
    expect(parseExpression('a NOT BETWEEN 1 AND 2')).toMatchObject({ kind: 'Between', negated: true });
    expect(parseExpression('a IN (1, 2)')).toMatchObject({ kind: 'InList', negated: false });
    expect(parseExpression('a NOT IN (1)')).toMatchObject({ kind: 'InList', negated: true });
    expect(parseExpression("a LIKE 'x!%' ESCAPE '!'")).toMatchObject({ kind: 'Like', escape: '!' });
    expect(parseExpression('a != b')).toMatchObject({ kind: 'Comparison', op: '<>' });
  });

  it('parses CASE, CAST, constructors, subscripts, dereference and lambdas', () => {
    expect(parseExpression('CASE WHEN a THEN 1 ELSE 2 END')).toMatchObject({ kind: 'SearchedCase', whens: [{}] });
    expect(parseExpression("CASE a WHEN 1 THEN 'x' END")).toMatchObject({ kind: 'SimpleCase' });
    expect(parseExpression('CAST(a AS ARRAY<DECIMAL(10, 2)>)')).toMatchObject({ kind: 'Cast', type: { kind: 'ArrayType' } });
    expect(parseExpression('ARRAY[1, 2]')).toMatchObject({ kind: 'CreateArray', elements: [{}, {}] });
    expect(parseExpression("MAP('a' := 1)")).toMatchObject({ kind: 'CreateMap' });
    expect(parseExpression('STRUCT(f := 1)')).toMatchObject({ kind: 'CreateStruct', fields: [{ name: 'F' }] });
    expect(parseExpression("a[1]['k']->f")).toMatchObject({ kind: 'Dereference', field: 'F', base: { kind: 'Subscript', base: { kind: 'Subscript' } } });
    expect(parseExpression('TRANSFORM(xs, x => x + 1)')).toMatchObject({ kind: 'FunctionCall', args: [{}, { kind: 'Lambda', params: ['X'] }] });
    expect(parseExpression('REDUCE(xs, 0, (s, x) => s + x)')).toMatchObject({ args: [{}, {}, { kind: 'Lambda', params: ['S', 'X'] }] });
    expect(parseExpression('COUNT(*)')).toMatchObject({ kind: 'FunctionCall', star: true });
    expect(parseExpression("a || 'b'")).toMatchObject({ kind: 'Concat' });
  });

  it('positions every node', () => {
    const e = parseExpression('1 +\n  foo(bar)') as Extract<Expr, { kind: 'Arithmetic' }>;
    expect(e.right.pos).toEqual({ line: 2, column: 3, offset: 6 });
    expect((e.right as Extract<Expr, { kind: 'FunctionCall' }>).args[0]!.pos).toEqual({ line: 2, column: 7, offset: 10 });
  });
});
