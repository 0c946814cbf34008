import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { array, decimal, formatType, INTEGER, STRING } from '../../../src/sql/types/sql-type.js';
import { evaluate, value } from './helpers.js';

const str = (sql: string) => {
  const v = value(sql);
  return v instanceof Decimal ? v.toString() : v;
};

describe('string functions', () => {
  it('changes case, length and trims', () => {
    expect(value("UCASE('aBc')")).toBe('ABC');
    expect(value("LCASE('aBc')")).toBe('abc');
    expect(value("LEN('hello')")).toBe(5);
    expect(value("TRIM('  a b  ')")).toBe('a b');
    expect(value("LTRIM('  a ')")).toBe('a ');
    expect(value("RTRIM('  a ')")).toBe('  a');
    expect(value("INITCAP('hello wORLD  foo')")).toBe('Hello World  Foo');
  });
  it('concatenates, skipping NULLs', () => {
    expect(value("CONCAT('a', 'b', 'c')")).toBe('abc');
    expect(value("CONCAT('a', NULL, 'c')")).toBe('ac');
    expect(value("CONCAT_WS('-', 'a', NULL, 'c')")).toBe('a-c');
    expect(value("CONCAT_WS(NULL, 'a', 'b')")).toBeNull();
  });
  it('takes substrings with 1-based and negative positions', () => {
    expect(value("SUBSTRING('hello', 2)")).toBe('ello');
    expect(value("SUBSTRING('hello', 2, 3)")).toBe('ell');
    expect(value("SUBSTRING('hello', -3)")).toBe('llo');
    expect(value("SUBSTRING('hello', -3, 2)")).toBe('ll');
    expect(value("SUBSTRING('hello', 0, 2)")).toBe('he');
    expect(value("SUBSTRING('hello', 10)")).toBe('');
    expect(value("SUBSTRING('hello', -10, 3)")).toBe('hel');
    expect(value("SUBSTRING('hello', NULL)")).toBeNull();
  });
  it('replaces, splits and finds', () => {
    expect(value("REPLACE('a.b.c', '.', '-')")).toBe('a-b-c');
    expect(value("SPLIT('a,b,,c', ',')")).toEqual(['a', 'b', '', 'c']);
    expect(value("SPLIT('abc', '')")).toEqual(['a', 'b', 'c']);
    expect(value("INSTR('CORPORATE FLOOR', 'OR')")).toBe(2);
    expect(value("INSTR('CORPORATE FLOOR', 'OR', 3)")).toBe(5);
    expect(value("INSTR('CORPORATE FLOOR', 'OR', 3, 2)")).toBe(14);
    expect(value("INSTR('CORPORATE FLOOR', 'OR', -3)")).toBe(5);
    expect(value("INSTR('CORPORATE FLOOR', 'OR', -3, 2)")).toBe(2);
    expect(value("INSTR('CORPORATE FLOOR', 'XX')")).toBe(0);
    expect(value("SPLIT_TO_MAP('a=1;b=2', ';', '=')")).toEqual(new Map([['a', '1'], ['b', '2']]));
  });
  it('pads', () => {
    expect(value("LPAD('ab', 5, 'xy')")).toBe('xyxab');
    expect(value("RPAD('ab', 5, 'xy')")).toBe('abxyx');
    expect(value("LPAD('abcdef', 3, 'x')")).toBe('abc');
    expect(value("RPAD('ab', 5, '')")).toBeNull();
  });
  it('picks with ELT and FIELD', () => {
    expect(value("ELT(2, 'a', 'b', 'c')")).toBe('b');
    expect(value("ELT(4, 'a', 'b', 'c')")).toBeNull();
    expect(value("FIELD('b', 'a', 'b', 'c')")).toBe(2);
    expect(value("FIELD('z', 'a', 'b')")).toBe(0);
  });
  it('works with regular expressions', () => {
    expect(value("REGEXP_EXTRACT('(\\d+)-(\\d+)', 'tel 12-34')")).toBe('12-34');
    expect(value("REGEXP_EXTRACT('(\\d+)-(\\d+)', 'tel 12-34', 2)")).toBe('34');
    expect(value("REGEXP_EXTRACT('x', 'abc')")).toBeNull();
    expect(value("REGEXP_EXTRACT_ALL('\\d+', 'a1b22c333')")).toEqual(['1', '22', '333']);
    expect(value("REGEXP_REPLACE('a1b22', '\\d+', '#')")).toBe('a#b#');
    expect(value("REGEXP_REPLACE('john smith', '(\\w+) (\\w+)', '$2 $1')")).toBe('smith john');
    expect(value("REGEXP_SPLIT_TO_ARRAY('a1b22c', '\\d+')")).toEqual(['a', 'b', 'c']);
    expect(value("REGEXP_EXTRACT('(?i)ABC', 'xabcx')")).toBe('abc');
  });
  it('reads JSON', () => {
    expect(value("EXTRACTJSONFIELD('{\"a\":{\"b\":[1,{\"c\":\"x\"}]}}', '$.a.b[1].c')")).toBe('x');
    expect(value("EXTRACTJSONFIELD('{\"a\":{\"b\":2}}', '$.a')")).toBe('{"b":2}');
    expect(value("EXTRACTJSONFIELD('{\"a\":12345678901234567890}', '$.a')")).toBe('12345678901234567890');
    expect(value("EXTRACTJSONFIELD('{\"a\":1}', '$.z')")).toBeNull();
    expect(value("EXTRACTJSONFIELD('not json', '$.z')")).toBeNull();
    expect(value("EXTRACTJSONFIELD('{\"a\":[1,2]}', '$.a[-1]')")).toBeNull();
    // An invalid constant path is a per-record processing error (NULL), not a rejected statement.
    expect(value("EXTRACTJSONFIELD('{\"a\":1}', 'a')")).toBeNull();
    expect(value("IS_JSON_STRING('[1,2]')")).toBe(true);
    expect(value("IS_JSON_STRING('[1,')")).toBe(false);
    expect(value("JSON_ARRAY_LENGTH('[1,2,3]')")).toBe(3);
    expect(value("JSON_KEYS('{\"a\":1,\"b\":2}')")).toEqual(['a', 'b']);
    expect(value("JSON_RECORDS('{\"a\":1,\"b\":\"x\"}')")).toEqual(new Map([['a', '1'], ['b', 'x']]));
    expect(value("TO_JSON_STRING(STRUCT(A := 1, B := ARRAY['x']))")).toBe('{"A":1,"B":["x"]}');
  });
});

describe('math functions', () => {
  it('ABS, CEIL, FLOOR keep their argument types', () => {
    expect(value('ABS(-3)')).toBe(3);
    expect(value('ABS(-3000000000)')).toBe(3000000000n);
    expect(str('ABS(-1.25)')).toBe('1.25');
    expect(value('CEIL(1.2E0)')).toBe(2);
    expect(str('CEIL(1.21)')).toBe('2.00');
    expect(str('FLOOR(-1.21)')).toBe('-2.00');
    expect(value('FLOOR(5)')).toBe(5);
  });
  it('ROUND half up (toward positive infinity on ties)', () => {
    expect(value('ROUND(2.5E0)')).toBe(3n);
    expect(value('ROUND(-2.5E0)')).toBe(-2n);
    expect(value('ROUND(1.2345E0, 2)')).toBe(1.23);
    expect(value('ROUND(1.235E0, 2)')).toBe(1.24);
    expect(str('ROUND(1.25)')).toBe('1');
    expect(formatType(evaluate('ROUND(12.345)').type!)).toBe('DECIMAL(2, 0)');
    expect(str('ROUND(12.345, 1)')).toBe('12.300');
    expect(str('ROUND(-12.35, 1)')).toBe('-12.30');
    expect(value('ROUND(7)')).toBe(7n);
  });
  it('computes roots, powers and logs as DOUBLE', () => {
    expect(value('SQRT(16)')).toBe(4);
    expect(value('POWER(2, 10)')).toBe(1024);
    expect(value('EXP(0)')).toBe(1);
    expect(value('LN(1)')).toBe(0);
    expect(value('SIGN(-5)')).toBe(-1);
    expect(value('SIGN(0.0)')).toBe(0);
    expect(typeof value('RANDOM()')).toBe('number');
  });
  it('GREATEST and LEAST ignore NULLs and widen', () => {
    expect(value('GREATEST(1, 5, 3)')).toBe(5);
    expect(value('LEAST(1, NULL, -3)')).toBe(-3);
    expect(value('GREATEST(1, 3000000000)')).toBe(3000000000n);
    expect(value("GREATEST('a', 'c', 'b')")).toBe('c');
  });
});

describe('null functions', () => {
  it('COALESCE, IFNULL and NULLIF', () => {
    expect(value('COALESCE(NULL, NULL, 3)')).toBe(3);
    expect(value('COALESCE(NULL, 2, 3000000000)')).toBe(2n);
    expect(value("IFNULL(NULL, 'x')")).toBe('x');
    expect(value("IFNULL('y', 'x')")).toBe('y');
    expect(value('NULLIF(1, 1)')).toBeNull();
    expect(value('NULLIF(1, 2)')).toBe(1);
  });
});

describe('collection functions', () => {
  it('inspects and transforms arrays', () => {
    expect(value('ARRAY_LENGTH(ARRAY[1, 2, 3])')).toBe(3);
    expect(value('ARRAY_CONTAINS(ARRAY[1, 2], 2)')).toBe(true);
    expect(value("ARRAY_CONTAINS(ARRAY['a'], 'b')")).toBe(false);
    expect(value('ARRAY_DISTINCT(ARRAY[1, 2, 1, 3, 2])')).toEqual([1, 2, 3]);
    expect(value('ARRAY_JOIN(ARRAY[1, 2, 3])')).toBe('1,2,3');
    expect(value("ARRAY_JOIN(ARRAY['a', 'b'], '|')")).toBe('a|b');
    expect(value('ARRAY_MAX(ARRAY[1, 9, 3])')).toBe(9);
    expect(value('ARRAY_MIN(ARRAY[4, 9, 3])')).toBe(3);
    expect(value('ARRAY_SORT(ARRAY[3, 1, 2])')).toEqual([1, 2, 3]);
    expect(value("ARRAY_SORT(ARRAY[3, 1, 2], 'DESC')")).toEqual([3, 2, 1]);
    expect(value('ARRAY_REMOVE(ARRAY[1, 2, 1], 1)')).toEqual([2]);
    expect(value('ARRAY_UNION(ARRAY[1, 2], ARRAY[2, 3])')).toEqual([1, 2, 3]);
    expect(value('ARRAY_INTERSECT(ARRAY[1, 2], ARRAY[2, 3])')).toEqual([2]);
    expect(value('ARRAY_EXCEPT(ARRAY[1, 2], ARRAY[2, 3])')).toEqual([1]);
    expect(value('GENERATE_SERIES(1, 4)')).toEqual([1, 2, 3, 4]);
    expect(value('GENERATE_SERIES(5, 1, -2)')).toEqual([5, 3, 1]);
  });
  it('inspects and builds maps', () => {
    expect(value("MAP_KEYS(MAP('a' := 1, 'b' := 2))")).toEqual(['a', 'b']);
    expect(value("MAP_VALUES(MAP('a' := 1, 'b' := 2))")).toEqual([1, 2]);
    expect(value("AS_MAP(ARRAY['a', 'b'], ARRAY[1, 2])")).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(evaluate("AS_MAP(ARRAY['a'], ARRAY[1])").type).toEqual({ base: 'MAP', key: STRING, value: INTEGER });
    expect(value("ENTRIES(MAP('b' := 2, 'a' := 1), true)")).toEqual([{ K: 'a', V: 1 }, { K: 'b', V: 2 }]);
  });
  it('returns NULL for NULL inputs', () => {
    expect(value('ARRAY_LENGTH(CAST(NULL AS ARRAY<INT>))')).toBeNull();
    expect(value('ARRAY_CONTAINS(CAST(NULL AS ARRAY<INT>), 1)')).toBe(false);
    expect(evaluate('TRANSFORM(ARRAY[1], x => CAST(x AS STRING))').type).toEqual(array(STRING));
    expect(evaluate('ARRAY[1.5]').type).toEqual(array(decimal(2, 1)));
  });
});

describe('date and time functions', () => {
  it('formats and parses epoch-millis timestamps with Java patterns', () => {
    expect(value("TIMESTAMPTOSTRING(1613503749145, 'yyyy-MM-dd HH:mm:ss.SSS')")).toBe('2021-02-16 19:29:09.145');
    expect(value("TIMESTAMPTOSTRING(1613503749145, 'yyyy-MM-dd HH:mm:ss.SSS', 'America/Los_Angeles')")).toBe('2021-02-16 11:29:09.145');
    expect(value("TIMESTAMPTOSTRING(1613503749145, 'dd/MM/yyyy HH:mm XXX', '+05:30')")).toBe('17/02/2021 00:59 +05:30');
    expect(value("TIMESTAMPTOSTRING(0, 'EEE, d MMM yyyy hh:mm a')")).toBe('Thu, 1 Jan 1970 12:00 AM');
    expect(value("STRINGTOTIMESTAMP('2021-02-16 19:29:09.145', 'yyyy-MM-dd HH:mm:ss.SSS')")).toBe(1613503749145n);
    expect(value("STRINGTOTIMESTAMP('2021-02-16 11:29:09', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles')")).toBe(1613503749000n);
    expect(value("STRINGTOTIMESTAMP('2021-02-16T19:29:09Z', 'yyyy-MM-dd''T''HH:mm:ssX')")).toBe(1613503749000n);
  });
  it('returns NULL for text that does not match the pattern', () => {
    const r = evaluate("STRINGTOTIMESTAMP('16/02/2021', 'yyyy-MM-dd')");
    expect(r.value).toBeNull();
    expect(r.log.entries).toHaveLength(1);
  });
  it('handles TIMESTAMP, DATE and TIME values', () => {
    expect(value("FORMAT_TIMESTAMP(FROM_UNIXTIME(1613503749145), 'yyyy-MM-dd')")).toBe('2021-02-16');
    expect(value("PARSE_TIMESTAMP('2021-02-16 19:29', 'yyyy-MM-dd HH:mm')")).toBe(1613503740000);
    expect(value("UNIX_TIMESTAMP(PARSE_TIMESTAMP('1970-01-01 00:00:01', 'yyyy-MM-dd HH:mm:ss'))")).toBe(1000n);
    expect(value("FORMAT_DATE(PARSE_DATE('2021-02-16', 'yyyy-MM-dd'), 'dd.MM.yyyy')")).toBe('16.02.2021');
    expect(value("UNIX_DATE(PARSE_DATE('1970-01-11', 'yyyy-MM-dd'))")).toBe(10);
    expect(value("DATETOSTRING(18674, 'yyyy-MM-dd')")).toBe('2021-02-16');
    expect(value("STRINGTODATE('2021-02-16', 'yyyy-MM-dd')")).toBe(18674);
    expect(value("FORMAT_TIME(PARSE_TIME('10:11:12', 'HH:mm:ss'), 'HH.mm')")).toBe('10.11');
    expect(value("CONVERT_TZ(FROM_UNIXTIME(0), 'UTC', '+02:00')")).toBe(7_200_000);
    expect(value('FROM_DAYS(3)')).toBe(3);
  });
});
