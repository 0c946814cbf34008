/**
 * Issue 8, part 2: no SQL expression over one record takes unbounded time or memory. Pattern
 * matching is linear (RE2 for regular expressions, a segment matcher for LIKE); functions that
 * build strings, bytes, arrays or maps stop at the limits of functions/limits.ts with NULL and a
 * processing-log entry. Bounds on time are generous for a loaded machine: without the fix each
 * of these runs for minutes, exhausts memory or aborts V8.
 */
import { describe, expect, it } from 'vitest';
import { likeMatcher } from '../../../src/sql/expr/like.js';
import { MAX_COLLECTION_SIZE, MAX_EXPRESSION_WORK, MAX_PATTERN_LENGTH, MAX_STRING_LENGTH } from '../../../src/sql/functions/limits.js';
import { array, INTEGER, STRING } from '../../../src/sql/types/sql-type.js';
import { evaluate, type EvalResult } from './helpers.js';

const COLUMNS = [
  { name: 'V', type: STRING },
  { name: 'N', type: INTEGER },
  { name: 'A', type: array(STRING) },
];
const EVIL = 'a'.repeat(40) + '!';
const BOUND_MS = 5_000;

function timed(sql: string, row: unknown[] = [EVIL, 1, null]): EvalResult & { ms: number } {
  const t0 = performance.now();
  const r = evaluate(sql, COLUMNS, row);
  return { ...r, ms: performance.now() - t0 };
}

function messages(r: EvalResult): string[] {
  return r.log.entries.map((e) => e.message);
}

/** Each expression is NULL, quickly, with one processing-log entry containing its message. */
function expectFunctionErrors(cases: [sql: string, message: string][]): void {
  for (const [sql, message] of cases) {
    const r = timed(sql);
    expect(r.value, sql).toBeNull();
    expect(messages(r), sql).toHaveLength(1);
    expect(messages(r)[0], sql).toContain(message);
    expect(r.ms, sql).toBeLessThan(BOUND_MS);
  }
}

describe('pathological expressions from the issue', () => {
  it('REGEXP_REPLACE with nested quantifiers is linear', () => {
    const r = timed("REGEXP_REPLACE(V, '^(a+)+$', 'x')");
    expect(r.value).toBe(EVIL);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(timed("REGEXP_REPLACE(V, '^(a+)+$', 'x')", ['a'.repeat(40), 1, null]).value).toBe('x');
  });

  it('LIKE with many % never backtracks', () => {
    const pattern = `${'%a'.repeat(20)}%b`;
    const r = timed(`V LIKE '${pattern}'`);
    expect(r.value).toBe(false);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(timed(`V LIKE '${pattern}'`, ['a'.repeat(40) + 'b', 1, null]).value).toBe(true);
    const long = timed(`V LIKE '${pattern}'`, ['a'.repeat(1_000_000), 1, null]);
    expect(long.value).toBe(false);
    expect(long.ms).toBeLessThan(BOUND_MS);
  });

  it('REGEXP_EXTRACT with an ambiguous alternation is linear', () => {
    const r = timed("REGEXP_EXTRACT('(a|aa)+$', V)");
    expect(r.value).toBeNull();
    expect(r.log.entries).toEqual([]);
    expect(r.ms).toBeLessThan(BOUND_MS);
    const big = timed("REGEXP_EXTRACT('(a|aa)+!$', V)", ['a'.repeat(20_000) + '!', 1, null]);
    expect(big.value).toBe('a'.repeat(20_000) + '!');
    expect(big.ms).toBeLessThan(BOUND_MS);
  });

  it('LPAD and RPAD past the string limit are NULL with a processing-log entry', () => {
    const l = timed("LPAD('x', 2000000000, 'y')");
    expect(l.value).toBeNull();
    expect(messages(l)).toEqual([
      `Error computing expression LPAD('x', 2000000000, 'y'): LPAD: the result would have 2000000000 characters; the limit is ${MAX_STRING_LENGTH}`,
    ]);
    const r = timed("RPAD(V, 300000000, 'yz')");
    expect(r.value).toBeNull();
    expect(messages(r)[0]).toContain(`RPAD: the result would have 300000000 characters; the limit is ${MAX_STRING_LENGTH}`);
    expect(l.ms + r.ms).toBeLessThan(BOUND_MS);
    // At the limit itself the function works.
    expect((timed(`RPAD(V, ${MAX_STRING_LENGTH}, 'yz')`).value as string).length).toBe(MAX_STRING_LENGTH);
  });

  it('GENERATE_SERIES past the collection limit is NULL, not a V8 abort', () => {
    const r = timed('ARRAY_LENGTH(GENERATE_SERIES(1, 2000000000))');
    expect(r.value).toBeNull();
    expect(messages(r)).toEqual([
      `Error processing GENERATE_SERIES GENERATE_SERIES(1, 2000000000): GENERATE_SERIES: the result would have 2000000000 elements; the limit is ${MAX_COLLECTION_SIZE}`,
    ]);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(timed('ARRAY_LENGTH(GENERATE_SERIES(5, 1, -2))').value).toBe(3);
  });
});

describe('other builders stop at the limits', () => {
  it('checks sizes before building', () => {
    expectFunctionErrors([
      ["REPLACE(LPAD('', 1000000, 'a'), 'a', LPAD('', 1000, 'b'))", 'REPLACE: the result would have 1000000000 characters'],
      ["CONCAT(LPAD('', 6000000, 'a'), LPAD('', 6000000, 'b'))", 'CONCAT: the result would have 12000000 characters'],
      ["CONCAT_WS(LPAD('', 6000000, 'a'), 'x', 'y', 'z')", 'CONCAT_WS: the result would have 12000003 characters'],
      ["LPAD('', 6000000, 'a') || LPAD('', 6000000, 'b')", '||: the result would have 12000000 characters'],
      ["ARRAY_JOIN(GENERATE_SERIES(1, 3), LPAD('', 6000000, 'a'))", 'ARRAY_JOIN: the result would have 12000003 characters'],
      ["LPAD(TO_BYTES('ab', 'utf8'), 2000000000, TO_BYTES('c', 'utf8'))", 'LPAD: the result would have 2000000000 bytes'],
      ['ARRAY_CONCAT(GENERATE_SERIES(1, 600000), GENERATE_SERIES(1, 600000))', 'ARRAY_CONCAT: the result would have 1200000 elements'],
    ]);
  });

  it('bounds the total work of one evaluation (nested builders multiply the per-value limits)', () => {
    // Each element would be a 10M-character string: 100 of them is 2 GB.
    const r = timed("ARRAY_LENGTH(TRANSFORM(GENERATE_SERIES(1, 100), x => LPAD('', 10000000, 'x')))");
    expect(r.value).toBeNull();
    expect(messages(r).join('\n')).toContain(`the expression exceeded its work limit of ${MAX_EXPRESSION_WORK}`);
    expect(r.ms).toBeLessThan(BOUND_MS * 2);
    // The budget is per evaluation: the next record starts afresh.
    expect(timed("ARRAY_LENGTH(TRANSFORM(GENERATE_SERIES(1, 3), x => LPAD('', 10000000, 'x')))").value).toBe(3);
  });

  it('keeps the quadratic helpers linear', () => {
    const distinct = timed('ARRAY_LENGTH(ARRAY_DISTINCT(ARRAY_CONCAT(GENERATE_SERIES(1, 200000), GENERATE_SERIES(1, 200000))))');
    expect(distinct.value).toBe(200_000);
    const except = timed('ARRAY_LENGTH(ARRAY_EXCEPT(GENERATE_SERIES(1, 200000), GENERATE_SERIES(2, 200000, 2)))');
    expect(except.value).toBe(100_000);
    const spaces = timed("LEN(RTRIM(CONCAT(LPAD('', 1000000, ' '), 'a', LPAD('', 1000000, ' '))))");
    expect(spaces.value).toBe(1_000_001);
    expect(timed("INSTR('abc', '', 1, 2000000000)").value).toBe(4);
    expect(distinct.ms + except.ms + spaces.ms).toBeLessThan(BOUND_MS * 2);
  });

  it('rejects patterns past the pattern limit', () => {
    const pattern = 'a'.repeat(MAX_PATTERN_LENGTH + 1);
    const r = timed(`REGEXP_EXTRACT('${pattern}', V)`);
    expect(r.value).toBeNull();
    expect(messages(r)[0]).toContain(`REGEXP_EXTRACT: the pattern has ${MAX_PATTERN_LENGTH + 1} characters; the limit is ${MAX_PATTERN_LENGTH}`);
  });
});

describe('regular expressions (RE2 semantics, Java syntax)', () => {
  it('gives a function error for Java syntax that RE2 cannot run in linear time', () => {
    expectFunctionErrors([
      ["REGEXP_REPLACE(V, '(a)\\1', 'x')", 'The backreference \\1 is not supported'],
      ["REGEXP_EXTRACT('(?<n>a)\\k<n>', V)", 'The backreference \\k is not supported'],
      ["REGEXP_EXTRACT('a(?=b)', V)", 'The lookaround (?= is not supported'],
      ["REGEXP_EXTRACT('a(?!b)', V)", 'The lookaround (?! is not supported'],
      ["REGEXP_EXTRACT('(?<=b)a', V)", 'The lookaround (?<= is not supported'],
      ["REGEXP_EXTRACT_ALL('(?<!b)a', V)", 'The lookaround (?<! is not supported'],
      ["REGEXP_SPLIT_TO_ARRAY(V, '(?>a)')", 'The atomic group (?> is not supported'],
      ["REGEXP_EXTRACT('a++', V)", 'The possessive quantifier ++ is not supported'],
      ["REGEXP_EXTRACT('a{2}+', V)", 'The possessive quantifier }+ is not supported'],
      ["REGEXP_EXTRACT('[a', V)", 'Invalid regular expression pattern: [a.'],
    ]);
  });

  it('keeps Java features RE2 shares', () => {
    const cases: [string, unknown][] = [
      ["REGEXP_EXTRACT('\\p{Alpha}+', 'ab1')", 'ab'],
      ["REGEXP_EXTRACT('[\\p{Digit}x]+', 'ax12b')", 'x12'],
      ["REGEXP_EXTRACT('\\P{Digit}+', '12ab3')", 'ab'],
      ["REGEXP_EXTRACT('(?i)AB', 'xab1')", 'ab'],
      ["REGEXP_EXTRACT('(?<word>\\w+)!', 'hi!')", 'hi!'],
      ["REGEXP_EXTRACT('a+?', 'aaa')", 'a'],
      ["REGEXP_EXTRACT('\\Q+*\\E', 'a+*b')", '+*'],
      ["REGEXP_EXTRACT('(a)|(b)', 'b', 1)", null],
      ["REGEXP_REPLACE('a.b', '\\.', '\\$')", 'a$b'],
      ["REGEXP_REPLACE('abc', 'x*', '-')", '-a-b-c-'],
      ["REGEXP_EXTRACT_ALL('x*', 'abc')", ['', '', '', '']],
      ["REGEXP_SPLIT_TO_ARRAY('a1b22c3', '\\d')", ['a', 'b', '', 'c', '']],
      ["REGEXP_SPLIT_TO_ARRAY('a😀b', '')", ['a', '😀', 'b']],
    ];
    for (const [sql, expected] of cases) {
      const r = timed(sql);
      expect(r.value, sql).toEqual(expected);
      expect(r.log.entries, sql).toEqual([]);
    }
  });

  it('is NULL with a log entry for a group that does not exist, only when something matched', () => {
    expect(timed("REGEXP_EXTRACT('(a)', 'b', 3)").log.entries).toEqual([]);
    const r = timed("REGEXP_EXTRACT('(a)', 'a', 3)");
    expect(r.value).toBeNull();
    expect(messages(r)[0]).toContain('No group 3');
  });

  it('matches per-record patterns through the bounded cache (more patterns than it holds)', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [`p${i}+`, i, null]);
    const t0 = performance.now();
    for (const row of rows) expect(evaluate("REGEXP_EXTRACT(V, 'xp1pp')", COLUMNS, row).log.entries).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS * 4);
    expect(evaluate("REGEXP_EXTRACT(V, 'xp1pp')", COLUMNS, ['p1+', 0, null]).value).toBe('p1');
  });
});

/** The old LIKE: an anchored RegExp (a correct oracle on small inputs, exponential on big ones). */
function likeOracle(pattern: string, escape: string | undefined, input: string): boolean {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) src += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'u').test(input);
}

describe('LIKE', () => {
  it('matches %, _ and escapes like the regular-expression oracle on random small cases', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const patternChars = ['a', 'b', '%', '_', '!', '😀'];
    const inputChars = ['a', 'b', '!', '%', '😀'];
    for (let k = 0; k < 5000; k++) {
      const pattern = Array.from({ length: rand(7) }, () => patternChars[rand(patternChars.length)]).join('');
      const input = Array.from({ length: rand(8) }, () => inputChars[rand(inputChars.length)]).join('');
      const escape = rand(2) === 0 ? '!' : undefined;
      expect(likeMatcher(pattern, escape).test(input), `'${input}' LIKE '${pattern}'${escape ? ` ESCAPE '${escape}'` : ''}`).toBe(likeOracle(pattern, escape, input));
    }
  });

  it('handles the usual shapes', () => {
    const cases: [string, string, boolean][] = [
      ['abc', 'abc', true],
      ['abc', 'ab', false],
      ['abc', 'a%', true],
      ['abc', '%c', true],
      ['abc', '%b%', true],
      ['abc', '_b_', true],
      ['abc', '__', false],
      ['', '%', true],
      ['', '', true],
      ['a', '', false],
      ['aXbXc', 'a%b%c', true],
      ['acb', 'a%b%c', false],
      ['😀', '_', true],
      ['😀x', '%_x', true],
      ['50%', '50!%', true],
    ];
    for (const [input, pattern, expected] of cases) expect(likeMatcher(pattern, '!').test(input), `'${input}' LIKE '${pattern}'`).toBe(expected);
  });
});
