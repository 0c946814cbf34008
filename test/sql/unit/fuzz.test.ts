/**
 * Parser/analyzer fuzzing with a fixed seed: random token soup and mutations of valid scripts.
 * The front end must either succeed or throw a positioned SqlError — never another exception —
 * and must never take long on any input.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/sql/errors.js';
import { analyzeSql } from '../../../src/sql/session.js';
import { mulberry32 } from '../../helpers/prng.js';

const DDL = `CREATE STREAM s (id INT KEY, name STRING, v INT, d DECIMAL(5, 2), tags ARRAY<STRING>, m MAP<STRING, INT>, st STRUCT<a INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
CREATE TABLE t (id INT PRIMARY KEY, city STRING) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');
CREATE STREAM s2 (id INT KEY, w INT) WITH (KAFKA_TOPIC='s2', VALUE_FORMAT='DELIMITED');`;

const VALID = [
  "CREATE STREAM o AS SELECT id, UCASE(name) AS n, v * 2, d + 1.5, tags[1], m['k'], st->a FROM s WHERE v > 1 AND name LIKE 'a%' EMIT CHANGES;",
  'CREATE TABLE c AS SELECT name, COUNT(*), SUM(v), AVG(d), COLLECT_LIST(name), TOPK(v, 2) FROM s WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 5 SECONDS) GROUP BY name HAVING COUNT(*) > 1;',
  'CREATE STREAM j AS SELECT s.id, s.name, t.city FROM s LEFT JOIN t ON s.id = t.id;',
  'CREATE STREAM j2 AS SELECT ROWKEY AS k, s.v, s2.w FROM s FULL OUTER JOIN s2 WITHIN (1 SECOND, 2 SECONDS) ON s.id = s2.id;',
  'CREATE STREAM p AS SELECT name, id, CASE WHEN v IS NULL THEN 0 ELSE v END AS x FROM s PARTITION BY name;',
  'CREATE STREAM e AS SELECT id, EXPLODE(tags) AS tag, TRANSFORM(tags, x => LCASE(x)) FROM s;',
  "INSERT INTO s (id, name, v) VALUES (1, 'a', CAST('3' AS INT));",
  "CREATE TABLE h AS SELECT id, LATEST_BY_OFFSET(name) FROM s WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY id EMIT FINAL;",
  'CREATE TABLE se AS SELECT id, COUNT_DISTINCT(v) FROM s WINDOW SESSION (30 SECONDS) GROUP BY id;',
  "SET 'auto.offset.reset'='earliest'; DROP STREAM IF EXISTS nope DELETE TOPIC;",
  'CREATE STREAM b AS SELECT id, v BETWEEN 1 AND 3, v NOT IN (1, 2), name IS DISTINCT FROM NULL, COALESCE(v, 0), REDUCE(tags, 0, (acc, x) => acc + LEN(x)) FROM s;',
];

const SOUP = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'PARTITION', 'HAVING', 'WINDOW', 'TUMBLING', 'HOPPING', 'SESSION', 'SIZE', 'ADVANCE',
  'EMIT', 'CHANGES', 'FINAL', 'CREATE', 'STREAM', 'TABLE', 'AS', 'WITH', 'INSERT', 'INTO', 'VALUES', 'DROP', 'JOIN', 'LEFT', 'FULL',
  'OUTER', 'ON', 'WITHIN', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'BETWEEN', 'IN', 'LIKE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'CAST',
  'ARRAY', 'MAP', 'STRUCT', 'KEY', 'PRIMARY', 'SET', 'UNSET', 's', 't', 's2', 'id', 'name', 'v', 'd', 'tags', 'm', 'st', 'x',
  'COUNT', 'SUM', 'UCASE', 'EXPLODE', 'TRANSFORM', '(', ')', '[', ']', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<>', '<', '>=',
  '->', '=>', ':=', '||', "'str'", "'it''s'", '`Q`', '1', '2147483648', '1.5', '1E3', 'SECOND', 'SECONDS', 'MINUTE', 'INT', 'STRING',
  'DECIMAL', '--c\n', '/* c */', "KAFKA_TOPIC='k'", "VALUE_FORMAT='JSON'", '@', '#', '"dq"',
];

function tokenize(sql: string): string[] {
  return sql.match(/'(?:[^']|'')*'|`[^`]*`|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|->|=>|:=|<>|>=|<=|\|\||\S/g) ?? [];
}

function mutate(tokens: string[], rnd: () => number): string[] {
  const out = [...tokens];
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n && out.length; i++) {
    const at = Math.floor(rnd() * out.length);
    switch (Math.floor(rnd() * 5)) {
      case 0:
        out.splice(at, 1);
        break;
      case 1:
        out.splice(at, 0, out[at]!);
        break;
      case 2: {
        const other = Math.floor(rnd() * out.length);
        [out[at], out[other]] = [out[other]!, out[at]!];
        break;
      }
      case 3:
        out.splice(at, 0, SOUP[Math.floor(rnd() * SOUP.length)]!);
        break;
      default:
        out.length = at;
    }
  }
  return out;
}

function check(sql: string): 'ok' | 'error' {
  const start = performance.now();
  try {
    analyzeSql(sql, 'fuzz.sql');
    return 'ok';
  } catch (e) {
    if (!(e instanceof SqlError)) {
      throw new Error(`Non-SqlError for input:\n${sql}\n${(e as Error).stack}`);
    }
    expect(e.pos.line).toBeGreaterThanOrEqual(1);
    expect(e.pos.column).toBeGreaterThanOrEqual(1);
    expect(e.format()).toMatch(/^fuzz\.sql:\d+:\d+: /);
    return 'error';
  } finally {
    const took = performance.now() - start;
    if (took > 1000) throw new Error(`Front end took ${took.toFixed(0)} ms on:\n${sql}`);
  }
}

describe('front-end fuzzing', () => {
  it('accepts every seed statement', () => {
    for (const v of VALID) expect(check(`${DDL}\n${v}`)).toBe('ok');
  });

  it('mutated valid statements fail only with positioned SqlErrors', () => {
    const rnd = mulberry32(20240611);
    const deadline = Date.now() + 8000;
    let runs = 0;
    while (runs < 3000 && Date.now() < deadline) {
      const base = VALID[Math.floor(rnd() * VALID.length)]!;
      check(`${DDL}\n${mutate(tokenize(base), rnd).join(' ')}`);
      runs++;
    }
    expect(runs).toBeGreaterThan(200);
  });

  it('random token soup fails only with positioned SqlErrors', () => {
    const rnd = mulberry32(7);
    const deadline = Date.now() + 6000;
    let runs = 0;
    while (runs < 3000 && Date.now() < deadline) {
      const len = 1 + Math.floor(rnd() * 40);
      const tokens = Array.from({ length: len }, () => SOUP[Math.floor(rnd() * SOUP.length)]!);
      check(tokens.join(rnd() < 0.5 ? ' ' : ''));
      runs++;
    }
    expect(runs).toBeGreaterThan(200);
  });

  it('does not hang on deeply nested or very long input', () => {
    check(`${DDL}\nCREATE STREAM o AS SELECT id, ${'('.repeat(200)}v${')'.repeat(200)} FROM s;`);
    check(`${DDL}\nCREATE STREAM o AS SELECT id, ${Array.from({ length: 500 }, () => 'v').join(' + ')} FROM s;`);
    check(`SELECT ${'('.repeat(300)}`);
    check("'".repeat(1001));
  });
});
