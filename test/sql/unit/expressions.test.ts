import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { array, BIGINT, BOOLEAN, decimal, DOUBLE, INTEGER, map, STRING, struct, TIMESTAMP, formatType } from '../../../src/sql/types/sql-type.js';
import { evaluate, expectSqlError, value } from './helpers.js';

const dec = (s: string) => Decimal.parse(s);
const typeOf = (sql: string, cols = COLS) => formatType(evaluate(sql, cols, ROW).type!);

const COLS = [
  { name: 'I', type: INTEGER },
  { name: 'L', type: BIGINT },
  { name: 'D', type: DOUBLE },
  { name: 'M', type: decimal(4, 2) },
  { name: 'S', type: STRING },
  { name: 'B', type: BOOLEAN },
  { name: 'N', type: INTEGER },
  { name: 'NB', type: BOOLEAN },
  { name: 'A', type: array(INTEGER) },
  { name: 'MP', type: map(STRING, INTEGER) },
  { name: 'ST', type: struct([{ name: 'F', type: STRING }, { name: 'G', type: INTEGER }]) },
  { name: 'TS', type: TIMESTAMP },
];
const ROW = [7, 100n, 2.5, dec('10.10'), 'abc', true, null, null, [10, 20, 30], new Map([['k', 1]]), { F: 'x', G: 3 }, 1_000];
const ev = (sql: string) => evaluate(sql, COLS, ROW);

describe('literal typing', () => {
  it('types integer literals as INTEGER or BIGINT by size', () => {
    expect(evaluate('2147483647').type).toEqual(INTEGER);
    expect(evaluate('2147483648')).toMatchObject({ value: 2147483648n, type: BIGINT });
    expect(evaluate('-2147483648')).toMatchObject({ value: -2147483648, type: INTEGER });
  });
  it('types decimal literals with their precision and scale', () => {
    expect(typeOf('1.50')).toBe('DECIMAL(3, 2)');
    expect(typeOf('0.05')).toBe('DECIMAL(3, 2)');
    expect(typeOf('123.4')).toBe('DECIMAL(4, 1)');
    expect(typeOf('1.5E0')).toBe('DOUBLE');
  });
});

describe('arithmetic', () => {
  it('keeps INTEGER arithmetic in 32 bits with Java overflow', () => {
    expect(value('2147483647 + 1')).toBe(-2147483648);
    expect(value('7 / 2')).toBe(3);
    expect(value('-7 / 2')).toBe(-3);
    expect(value('-7 % 3')).toBe(-1);
  });
  it('widens INTEGER to BIGINT to DOUBLE', () => {
    expect(ev('I + L')).toMatchObject({ value: 107n, type: BIGINT });
    expect(ev('I * D')).toMatchObject({ value: 17.5, type: DOUBLE });
    expect(ev('L / D')).toMatchObject({ value: 40, type: DOUBLE });
    expect(value('9223372036854775807 + 1')).toBe(-9223372036854775808n);
  });
  it('computes DECIMAL results with ksqlDB precision and scale', () => {
    expect(typeOf('M + M')).toBe('DECIMAL(5, 2)');
    expect(typeOf('M - I')).toBe('DECIMAL(13, 2)');
    expect(typeOf('M * M')).toBe('DECIMAL(9, 4)');
    expect(typeOf('M / M')).toBe('DECIMAL(11, 7)');
    expect(typeOf('M % M')).toBe('DECIMAL(4, 2)');
    expect((ev('M + M').value as Decimal).toString()).toBe('20.20');
    expect((ev('M * 2').value as Decimal).toString()).toBe('20.20');
    expect((ev('M / 2').value as Decimal).toString()).toBe('5.0500000000000');
    expect((ev('M % 3').value as Decimal).toString()).toBe('1.10');
    expect(ev('M + D')).toMatchObject({ value: 12.6, type: DOUBLE });
  });
  it('returns NULL and logs on division by zero', () => {
    const r = ev('I / 0');
    expect(r.value).toBeNull();
    expect(r.log.entries[0]!.message).toBe('Error computing expression (I / 0): / by zero');
    expect(ev('L % 0').value).toBeNull();
    expect(ev('M / 0').value).toBeNull();
    expect(ev('D / 0').value).toBe(Infinity);
  });
  it('returns NULL for inexact decimal division, like MathContext(UNNECESSARY)', () => {
    const r = evaluate('CAST(1 AS DECIMAL(2, 1)) / CAST(3 AS DECIMAL(2, 1))');
    expect(r.value).toBeNull();
    expect(r.log.entries).toHaveLength(1);
  });
  it('fails on NULL operands, as ksqlDB\'s generated Java does (NULL result, logged)', () => {
    const r = ev('N + 1');
    expect(r.value).toBeNull();
    expect(r.log.entries).toHaveLength(1);
    expect(ev('-N').value).toBeNull();
    // ...so a NULL sum is not seen by null-tolerant functions: the whole expression is NULL.
    expect(ev('IFNULL(N + 1, 0)').value).toBeNull();
    expect(ev('(N + 1) IS NULL').value).toBeNull();
  });
  it('spells NULL as "null" in string +, and skips it in || (which is CONCAT)', () => {
    expect(ev("S + NULL").value).toBe('abcnull');
    expect(ev("S || NULL").value).toBe('abc');
  });
  it('concatenates strings with + and ||', () => {
    expect(ev("S + '-' + S").value).toBe('abc-abc');
    expect(ev("S || 'd'").value).toBe('abcd');
  });
  it('negates', () => {
    expect(ev('-I').value).toBe(-7);
    expect((ev('-M').value as Decimal).toString()).toBe('-10.10');
  });
});

describe('comparison and logic', () => {
  it('compares across numeric types', () => {
    expect(ev('I < L').value).toBe(true);
    expect(ev('M = 10.1').value).toBe(true);
    expect(ev('M > 10').value).toBe(true);
    expect(ev('D >= 2.5').value).toBe(true);
    expect(ev('I = 7.0').value).toBe(true);
  });
  it('compares strings, booleans, structured values and timestamps', () => {
    expect(ev("S > 'abb'").value).toBe(true);
    expect(ev('B = true').value).toBe(true);
    expect(ev('A = ARRAY[10, 20, 30]').value).toBe(true);
    expect(ev("TS = '1970-01-01T00:00:01'").value).toBe(true);
    expect(ev("TS < '1970-01-02'").value).toBe(true);
  });
  it('treats comparisons with NULL as false, as ksqlDB does', () => {
    expect(ev('N = 1').value).toBe(false);
    expect(ev('N <> 1').value).toBe(false);
    expect(ev('NOT (N = 1)').value).toBe(true);
    expect(ev('N BETWEEN 1 AND 2').value).toBe(false);
    expect(ev('N IN (1, NULL)').value).toBe(false);
  });
  it('implements IS [NOT] DISTINCT FROM null-safely', () => {
    expect(ev('N IS DISTINCT FROM 1').value).toBe(true);
    expect(ev('N IS DISTINCT FROM NULL').value).toBe(false);
    expect(ev('N IS NOT DISTINCT FROM NULL').value).toBe(true);
    expect(ev('I IS NOT DISTINCT FROM 7').value).toBe(true);
  });
  it('evaluates AND, OR and NOT as Java short-circuit operators over boxed booleans', () => {
    // ksqlDB generates `a && b`: the left operand decides alone when it can, a NULL that must be
    // read is an error (NULL result + processing log), so there is no three-valued logic.
    expect(ev('false AND NB').value).toBe(false);
    expect(ev('true OR NB').value).toBe(true);
    expect(ev('NB AND false').value).toBeNull();
    expect(ev('NB AND true').value).toBeNull();
    expect(ev('NB OR true').value).toBeNull();
    expect(ev('true AND NB').value).toBeNull();
    expect(ev('NOT NB').value).toBeNull();
    expect(ev("CASE WHEN NB THEN 'y' ELSE 'n' END").value).toBeNull();
    expect(ev('NB IS NULL OR NB').value).toBe(true);
  });
  it('evaluates IS NULL, BETWEEN, IN and LIKE', () => {
    expect(ev('N IS NULL').value).toBe(true);
    expect(ev('I IS NOT NULL').value).toBe(true);
    expect(ev('I BETWEEN 7 AND 8').value).toBe(true);
    expect(ev('I NOT BETWEEN 1 AND 5').value).toBe(true);
    expect(ev('I IN (1, 7)').value).toBe(true);
    expect(ev('L IN (100, 200)').value).toBe(true);
    expect(ev('I NOT IN (1, 2)').value).toBe(true);
    expect(ev("S LIKE 'a%'").value).toBe(true);
    expect(ev("S LIKE '_b_'").value).toBe(true);
    expect(ev("S NOT LIKE 'b%'").value).toBe(true);
    expect(value("'50%' LIKE '50!%' ESCAPE '!'")).toBe(true);
    expect(value("'500' LIKE '50!%' ESCAPE '!'")).toBe(false);
  });
});

describe('CASE, CAST, subscripts and constructors', () => {
  it('evaluates searched and simple CASE with a common result type', () => {
    expect(ev("CASE WHEN I > 5 THEN 'big' WHEN I > 2 THEN 'mid' END").value).toBe('big');
    expect(ev("CASE WHEN I > 50 THEN 'big' END").value).toBeNull();
    expect(ev('CASE I WHEN 7 THEN 1 ELSE 2.5 END')).toMatchObject({ type: decimal(11, 1) });
    expect((ev('CASE I WHEN 7 THEN 1 ELSE 2.5 END').value as Decimal).toString()).toBe('1.0');
  });
  it('casts like Java', () => {
    expect(value('CAST(2.7E0 AS INT)')).toBe(2);
    expect(value('CAST(-2.7E0 AS BIGINT)')).toBe(-2n);
    expect(value("CAST('42' AS INT)")).toBe(42);
    expect(value('CAST(1.0E0 AS STRING)')).toBe('1.0');
    expect(value('CAST(1.0E7 AS STRING)')).toBe('1.0E7');
    expect(value('CAST(12.5 AS STRING)')).toBe('12.5');
    expect(value('CAST(true AS STRING)')).toBe('true');
    expect((value("CAST('1.005' AS DECIMAL(4, 2))") as Decimal).toString()).toBe('1.01');
    expect(value('CAST(3000000000 AS INT)')).toBe(-1294967296);
    expect(value("CAST('2021-03-04T05:06:07.089' AS TIMESTAMP)")).toBe(1614834367089);
    expect(value("CAST(CAST('2021-03-04' AS DATE) AS STRING)")).toBe('2021-03-04');
    expect(value('CAST(ARRAY[1, 2] AS ARRAY<STRING>)')).toEqual(['1', '2']);
  });
  it('returns NULL and logs bad casts', () => {
    const r = evaluate("CAST('abc' AS INT)");
    expect(r.value).toBeNull();
    expect(r.log.entries).toHaveLength(1);
    expect(evaluate('CAST(1000 AS DECIMAL(3, 1))').value).toBeNull();
  });
  it('indexes arrays from 1, negative from the end', () => {
    expect(ev('A[1]').value).toBe(10);
    expect(ev('A[3]').value).toBe(30);
    expect(ev('A[-1]').value).toBe(30);
    expect(ev('A[-3]').value).toBe(10);
    expect(ev('A[0]').value).toBeNull();
    expect(ev('A[4]').value).toBeNull();
  });
  it('looks up maps and struct fields', () => {
    expect(ev("MP['k']").value).toBe(1);
    expect(ev("MP['z']").value).toBeNull();
    expect(ev('ST->F').value).toBe('x');
    expect(ev('ST->G + 1').value).toBe(4);
  });
  it('builds arrays, maps and structs with common types', () => {
    expect(evaluate('ARRAY[1, 2.5]').type).toEqual(array(decimal(11, 1)));
    expect(value("MAP('a' := 1, 'b' := 2)")).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(value("STRUCT(A := 1, B := 'x')")).toEqual({ A: 1, B: 'x' });
  });
  it('evaluates lambdas', () => {
    expect(ev('TRANSFORM(A, x => x + I)').value).toEqual([17, 27, 37]);
    expect(ev('FILTER(A, x => x > 15)').value).toEqual([20, 30]);
    expect(ev('REDUCE(A, 0, (s, x) => s + x)').value).toBe(60);
    expect(ev("TRANSFORM(MP, (k, v) => UCASE(k), (k, v) => v * 10)").value).toEqual(new Map([['K', 10]]));
    expect(ev('TRANSFORM(A, x => TRANSFORM(A, y => x + y))').value).toEqual([
      [20, 30, 40],
      [30, 40, 50],
      [40, 50, 60],
    ]);
  });
});

describe('expression errors', () => {
  const err = (sql: string) => () => evaluate(sql, COLS, ROW);
  it('reports unknown columns and functions', () => {
    expectSqlError(err('NOPE + 1'), "SELECT column 'NOPE' cannot be resolved.", 1, 1);
    expectSqlError(err('FOO(1)'), "Can't find any functions with the name 'FOO'", 1, 1);
    expectSqlError(err('X.I'), "'X' is not a valid stream/table name or alias.", 1, 1);
  });
  it('reports type errors', () => {
    expectSqlError(err("I + 'a'"), 'Unsupported arithmetic types. INTEGER STRING', 1, 1);
    expectSqlError(err("I = 'a'"), "Cannot compare I (INTEGER) to 'a' (STRING) with EQUAL.", 1, 1);
    expectSqlError(err('A > A'), 'Cannot compare A (ARRAY<INTEGER>) to A (ARRAY<INTEGER>) with GREATER_THAN.', 1, 1);
    expectSqlError(err('I AND B'), 'Type error in AND: expected BOOLEAN but got INTEGER: I', 1, 1);
    expectSqlError(err('CAST(A AS INT)'), 'Cast of ARRAY<INTEGER> to INTEGER is not supported', 1, 1);
    expectSqlError(err('ST->NOPE'), "Could not find field 'NOPE' in 'ST'.", 1, 1);
    expectSqlError(err("A['x']"), 'Array index must be an INTEGER, got STRING', 1, 3);
    expectSqlError(err('S[1]'), 'Subscript expression must be an ARRAY or MAP, got STRING', 1, 1);
    expectSqlError(err("CASE WHEN B THEN 1 ELSE 'x' END"), "Invalid Case expression. Type for all 'THEN' clauses should be the same.", 1, 1);
  });
  it('reports wrong argument counts and types', () => {
    expectSqlError(
      err('UCASE(1)'),
      "Function 'UCASE' does not accept parameters (INTEGER).\nValid alternatives are:\nUCASE(STRING)",
      1,
      1,
    );
    expectSqlError(
      err('SUBSTRING(S)'),
      "Function 'SUBSTRING' does not accept parameters (STRING).\nValid alternatives are:\nSUBSTRING(STRING, INTEGER)\nSUBSTRING(STRING, INTEGER, INTEGER)\nSUBSTRING(BYTES, INTEGER)\nSUBSTRING(BYTES, INTEGER, INTEGER)",
      1,
      1,
    );
  });
  it('rejects aggregates and table functions outside their places', () => {
    expectSqlError(() => evaluate('COUNT(I)', COLS, ROW), 'Aggregate functions can not be used in this context: COUNT(I)', 1, 1);
  });
});
