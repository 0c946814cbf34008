/**
 * Issue 8, part 4: deep SQL either works or fails with a positioned SqlError, never a stack
 * trace. Nesting (parentheses, function calls, CASE, CAST, NOT, type parameters) is limited to
 * MAX_NESTING_DEPTH before the parser's recursion could overflow; left-associative chains
 * (`N + N + ...`, AND, ||) and field-access chains parse flat and never recurse per term.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '../../src/sql/parser/grammar.js';
import { parseExpression, parseStatements } from '../../src/sql/parser/parse.js';
import { analyzeSql } from '../../src/sql/session.js';
import { INTEGER, STRING } from '../../src/sql/types/sql-type.js';
import { tempDir } from '../helpers/embedded.js';
import { kstream } from './cli-helpers.js';
import { evaluate, expectSqlError } from './unit/helpers.js';

const TOO_DEEP = `expression nested too deeply: more than ${MAX_NESTING_DEPTH} levels of parentheses, brackets, function calls, CASE, NOT or signs`;
const COLUMNS = [
  { name: 'N', type: INTEGER },
  { name: 'V', type: STRING },
];
const nest = (open: string, inner: string, close: string, n: number) => open.repeat(n) + inner + close.repeat(n);
const SOURCE = "CREATE STREAM S (ID INT KEY, N INT, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\n";

describe('nesting depth', () => {
  it('evaluates expressions nested up to the limit', () => {
    const depth = MAX_NESTING_DEPTH - 1;
    expect(evaluate(nest('(', 'N + 1', ')', depth), COLUMNS, [41, 'v']).value).toBe(42);
    expect(evaluate(nest('ABS(', 'N', ')', depth), COLUMNS, [-7, 'v']).value).toBe(7);
    expect(evaluate(nest('CASE WHEN N = 1 THEN ', 'V', ' END', depth), COLUMNS, [1, 'v']).value).toBe('v');
    expect(evaluate(nest('CAST(', 'N', ' AS BIGINT)', depth), COLUMNS, [3, 'v']).value).toBe(3n);
    expect(evaluate(`${'NOT '.repeat(depth)}true`).value).toBe(depth % 2 === 0);
  });

  it('rejects 1,000 nested parentheses with a positioned error at the level past the limit', () => {
    expectSqlError(() => parseExpression(nest('(', 'N', ')', 1000)), TOO_DEEP, 1, MAX_NESTING_DEPTH + 1);
    expectSqlError(() => parseExpression(nest('(', 'N', ')', MAX_NESTING_DEPTH)), TOO_DEEP, 1, MAX_NESTING_DEPTH + 1);
    expect(parseExpression(nest('(', 'N', ')', MAX_NESTING_DEPTH - 1))).toMatchObject({ kind: 'ColumnRef', name: 'N' });
  });

  it('rejects deep function calls, CASE, CAST, arrays, NOT, signs and types the same way', () => {
    const deep = 1000;
    const cases: [string, number][] = [
      [nest('ABS(', 'N', ')', deep), 4 * MAX_NESTING_DEPTH + 1],
      // The WHEN condition of the innermost allowed CASE is one level deeper than its THEN.
      [nest('CASE WHEN N = 1 THEN ', 'N', ' END', deep), 'CASE WHEN N = 1 THEN '.length * (MAX_NESTING_DEPTH - 1) + 'CASE WHEN '.length + 1],
      [nest('CAST(', 'N', ' AS INT)', deep), 5 * MAX_NESTING_DEPTH + 1],
      [nest('ARRAY[', 'N', ']', deep), 6 * MAX_NESTING_DEPTH + 1],
      [`${'NOT '.repeat(deep)}true`, 4 * MAX_NESTING_DEPTH + 1],
      [`${'- '.repeat(deep)}N`, 2 * MAX_NESTING_DEPTH + 1],
      [nest('TRANSFORM(A, x => ', 'x', ')', deep), 'TRANSFORM(A, x => '.length * (MAX_NESTING_DEPTH - 1) + 'TRANSFORM('.length + 1],
    ];
    for (const [sql, column] of cases) expectSqlError(() => parseExpression(sql), TOO_DEEP, 1, column);
    const type = nest('ARRAY<', 'INT', '>', deep);
    expectSqlError(() => parseStatements(`CREATE STREAM T (X ${type}) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');`), TOO_DEEP, 1, 'CREATE STREAM T (X '.length + 6 * MAX_NESTING_DEPTH + 1);
  });

  it('parses again normally after a rejected statement', () => {
    expect(() => parseExpression(nest('(', 'N', ')', 5000))).toThrow(TOO_DEEP);
    expect(evaluate('(N + 1) * 2', COLUMNS, [1, 'v']).value).toBe(4);
  });
});

describe('long chains', () => {
  it('analyzes, compiles and evaluates 3,000-term sums, AND/OR chains and || chains', () => {
    expect(evaluate(Array(3000).fill('N').join(' + '), COLUMNS, [1, 'v']).value).toBe(3000);
    expect(evaluate(Array(10_000).fill('N').join(' - '), COLUMNS, [1, 'v']).value).toBe(1 - 9999);
    expect(evaluate(Array(3000).fill('N = 1').join(' AND '), COLUMNS, [1, 'v']).value).toBe(true);
    expect(evaluate(Array(3000).fill('N = 2').join(' OR '), COLUMNS, [1, 'v']).value).toBe(false);
    expect(evaluate(Array(3000).fill('V').join(' || '), COLUMNS, [1, 'v']).value).toBe('v'.repeat(3000));
    // Widening in the middle of a chain: INT terms, then a DOUBLE, then INT terms again.
    expect(evaluate(`${Array(1500).fill('N').join(' + ')} + 0.5E0 + ${Array(1500).fill('N').join(' + ')}`, COLUMNS, [1, 'v']).value).toBe(3000.5);
  });

  it('keeps ksqlDB’s text of a chain (names, errors) and its NULL semantics', () => {
    const r = evaluate(Array(100).fill('N').join(' + '), COLUMNS, [null, 'v']);
    expect(r.value).toBeNull();
    expect(r.log.entries[0]!.message).toMatch(/^Error computing expression \(+N \+ N\) \+ N\) .*: N is null$/);
  });

  it('matches a long GROUP BY expression in the projection and names the sum column', () => {
    const sum = Array(3000).fill('N').join(' + ');
    const [, query] = analyzeSql(`${SOURCE}CREATE TABLE T AS SELECT ${sum} AS K, COUNT(*) AS C FROM S GROUP BY ${sum};`, 't.sql');
    expect(query).toMatchObject({ kind: 'query' });
  });

  it('gives a positioned error for a chain of field accesses on a non-struct', () => {
    expectSqlError(() => analyzeSql(`${SOURCE}CREATE STREAM O AS SELECT N${'->F'.repeat(5000)} AS X FROM S;`, 't.sql'), 'Expected STRUCT type, got: INTEGER', 2, 27);
  });
});

describe('through the CLI', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-sql-deep-')));
  afterEach(() => cleanup());

  it('kstream test runs a 3,000-term sum', async () => {
    const statements = join(dir, 'sum.sql');
    const input = join(dir, 'input.json');
    writeFileSync(statements, `${SOURCE}CREATE STREAM O AS SELECT ID, ${Array(3000).fill('N').join(' + ')} AS X FROM S WHERE ${Array(3000).fill('N > 0').join(' AND ')};\n`);
    writeFileSync(input, JSON.stringify({ inputs: [{ topic: 's', key: 1, value: { N: 2, V: 'a' } }, { topic: 's', key: 2, value: { N: -1, V: 'b' } }] }));
    const r = await kstream(['test', '-s', statements, '-i', input]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outputs: [{ topic: 'O', key: 1, value: { X: 6000 }, timestamp: 0 }] });
  }, 120_000);

  it('kstream run and kstream test report 1,000 nested parentheses in one positioned line, exit 1', async () => {
    const file = join(dir, 'deep.sql');
    writeFileSync(file, `${SOURCE}CREATE STREAM O AS SELECT ID, ${nest('(', 'N', ')', 1000)} AS X FROM S;\n`);
    const column = 'CREATE STREAM O AS SELECT ID, '.length + MAX_NESTING_DEPTH + 1;
    for (const args of [
      ['run', file, '--until-idle', '--no-status', '--data-dir', dir],
      ['test', '-s', file],
    ]) {
      const r = await kstream(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr.split('\n')[0], args[0]).toBe(`${file}:2:${column}: ${TOO_DEEP}`);
      expect(r.stderr, args[0]).not.toMatch(/RangeError|\n\s+at /);
    }
  }, 120_000);
});
