import { describe, expect, it } from 'vitest';
import type { Aggregator } from '../../../src/sql/functions/registry.js';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { BIGINT, decimal, DOUBLE, formatType, INTEGER, STRING, type SqlType } from '../../../src/sql/types/sql-type.js';
import { registry } from './helpers.js';

function aggregator(name: string, types: SqlType[]): { agg: Aggregator; returnType: string } {
  const r = registry.resolveAggregate(name, types.map((type) => ({ kind: 'value' as const, type })));
  const agg = r.overload.create({ argTypes: r.paramTypes as SqlType[], returnType: r.returnType, constants: types.map(() => undefined) });
  return { agg, returnType: formatType(r.returnType) };
}

function run(agg: Aggregator, values: unknown[]): unknown {
  let s = agg.initialize();
  for (const v of values) s = agg.aggregate(v, s);
  return agg.result(s);
}

describe('aggregate functions', () => {
  it('COUNT counts rows or non-null values, and undoes', () => {
    const star = aggregator('COUNT', []);
    expect(star.returnType).toBe('BIGINT');
    expect(run(star.agg, [1, null, 2])).toBe(3n);
    const col = aggregator('COUNT', [STRING]);
    expect(run(col.agg, ['a', null, 'b'])).toBe(2n);
    expect(col.agg.undo!('a', 2n)).toBe(1n);
    expect(col.agg.merge!(2n, 3n)).toBe(5n);
  });

  it('SUM keeps the argument type, ignores NULLs and starts at zero', () => {
    expect(aggregator('SUM', [INTEGER]).returnType).toBe('INTEGER');
    expect(run(aggregator('SUM', [INTEGER]).agg, [1, null, 2])).toBe(3);
    expect(run(aggregator('SUM', [INTEGER]).agg, [null])).toBe(0);
    expect(run(aggregator('SUM', [BIGINT]).agg, [1n, 2n])).toBe(3n);
    expect(run(aggregator('SUM', [DOUBLE]).agg, [0.5, 0.25])).toBe(0.75);
    const d = aggregator('SUM', [decimal(4, 2)]);
    expect(d.returnType).toBe('DECIMAL(4, 2)');
    expect((run(d.agg, [Decimal.parse('1.10'), Decimal.parse('2.05')]) as Decimal).toString()).toBe('3.15');
    expect(() => run(d.agg, [Decimal.parse('99.99'), Decimal.parse('1.00')])).toThrow(/Numeric field overflow/);
    const s = aggregator('SUM', [INTEGER]).agg;
    expect(s.undo!(2, 5)).toBe(3);
  });

  it('AVG returns DOUBLE and 0 for no values', () => {
    const a = aggregator('AVG', [INTEGER]);
    expect(a.returnType).toBe('DOUBLE');
    expect(run(a.agg, [1, 2, null, 6])).toBe(3);
    expect(run(a.agg, [])).toBe(0);
    let s = a.agg.initialize();
    s = a.agg.aggregate(4, s);
    s = a.agg.aggregate(8, s);
    expect(a.agg.result(a.agg.undo!(8, s))).toBe(4);
  });

  it('MIN and MAX ignore NULLs and cannot undo', () => {
    const max = aggregator('MAX', [INTEGER]);
    expect(max.returnType).toBe('INTEGER');
    expect(run(max.agg, [3, null, 9, 1])).toBe(9);
    expect(run(aggregator('MIN', [STRING]).agg, ['b', 'a', null])).toBe('a');
    expect(run(aggregator('MIN', [INTEGER]).agg, [null])).toBeNull();
    expect(max.agg.undo).toBeUndefined();
  });

  it('COUNT_DISTINCT, COLLECT_LIST and COLLECT_SET', () => {
    expect(run(aggregator('COUNT_DISTINCT', [STRING]).agg, ['a', 'b', 'a', null])).toBe(2n);
    const list = aggregator('COLLECT_LIST', [INTEGER]);
    expect(list.returnType).toBe('ARRAY<INTEGER>');
    expect(run(list.agg, [1, null, 1, 2])).toEqual([1, null, 1, 2]);
    expect(list.agg.undo!(1, [1, 2, 1, 3])).toEqual([1, 2, 3]);
    expect(list.agg.merge!([1], [2, 3])).toEqual([1, 2, 3]);
    const set = aggregator('COLLECT_SET', [STRING]);
    expect(run(set.agg, ['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(set.agg.undo!('a', ['a', 'b'])).toEqual(['b']);
  });

  it('TOPK and TOPKDISTINCT keep the k largest, descending', () => {
    const topk = registry.resolveAggregate('TOPK', [{ kind: 'value', type: INTEGER }, { kind: 'value', type: INTEGER }]);
    const agg = topk.overload.create({ argTypes: [INTEGER, INTEGER], returnType: topk.returnType, constants: [undefined, 2] });
    expect(formatType(topk.returnType)).toBe('ARRAY<INTEGER>');
    expect(run(agg, [5, 1, 9, 9, null, 3])).toEqual([9, 9]);
    const td = registry.resolveAggregate('TOPKDISTINCT', [{ kind: 'value', type: INTEGER }, { kind: 'value', type: INTEGER }]);
    const dagg = td.overload.create({ argTypes: [INTEGER, INTEGER], returnType: td.returnType, constants: [undefined, 2] });
    expect(run(dagg, [5, 1, 9, 9, 3])).toEqual([9, 5]);
  });

  it('EARLIEST_BY_OFFSET and LATEST_BY_OFFSET, with N and ignoreNulls', () => {
    expect(run(aggregator('EARLIEST_BY_OFFSET', [STRING]).agg, [null, 'a', 'b'])).toBe('a');
    expect(run(aggregator('LATEST_BY_OFFSET', [STRING]).agg, ['a', 'b', null])).toBe('b');
    const latestWithNulls = registry.resolveAggregate('LATEST_BY_OFFSET', [{ kind: 'value', type: STRING }, { kind: 'value', type: { base: 'BOOLEAN' } }]);
    const a = latestWithNulls.overload.create({ argTypes: [STRING, { base: 'BOOLEAN' }], returnType: STRING, constants: [undefined, false] });
    expect(run(a, ['a', null])).toBeNull();
    const n = registry.resolveAggregate('LATEST_BY_OFFSET', [{ kind: 'value', type: INTEGER }, { kind: 'value', type: INTEGER }]);
    expect(formatType(n.returnType)).toBe('ARRAY<INTEGER>');
    const an = n.overload.create({ argTypes: [INTEGER, INTEGER], returnType: n.returnType, constants: [undefined, 2] });
    expect(run(an, [1, 2, 3])).toEqual([2, 3]);
    const e = registry.resolveAggregate('EARLIEST_BY_OFFSET', [{ kind: 'value', type: INTEGER }, { kind: 'value', type: INTEGER }]);
    const en = e.overload.create({ argTypes: [INTEGER, INTEGER], returnType: e.returnType, constants: [undefined, 2] });
    expect(run(en, [1, 2, 3])).toEqual([1, 2]);
  });

  it('never mutates the previous state', () => {
    const names: [string, SqlType[]][] = [
      ['COLLECT_LIST', [INTEGER]],
      ['COLLECT_SET', [INTEGER]],
      ['COUNT_DISTINCT', [INTEGER]],
      ['AVG', [INTEGER]],
    ];
    for (const [name, types] of names) {
      const { agg } = aggregator(name, types);
      const s0 = agg.initialize();
      const s1 = agg.aggregate(1, s0);
      const snapshot = JSON.stringify(s1, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      const s2 = agg.aggregate(2, s1);
      expect(s2).not.toBe(s1);
      expect(JSON.stringify(s1, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(snapshot);
      if (agg.undo) {
        agg.undo(1, s2);
        expect(JSON.stringify(s1, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(snapshot);
      }
    }
  });
});

describe('table functions', () => {
  it('EXPLODE returns the elements of an array', () => {
    const r = registry.resolveTable('EXPLODE', [{ kind: 'value', type: { base: 'ARRAY', element: STRING } }]);
    expect(formatType(r.returnType)).toBe('STRING');
    expect(r.overload.impl([['a', 'b']])).toEqual(['a', 'b']);
  });
  it('CUBE_EXPLODE returns all combinations, all-nulls first, without duplicates for NULL columns', () => {
    const r = registry.resolveTable('CUBE_EXPLODE', [{ kind: 'value', type: { base: 'ARRAY', element: INTEGER } }]);
    expect(r.overload.impl([[1, 2]])).toEqual([
      [null, null],
      [null, 2],
      [1, null],
      [1, 2],
    ]);
    expect(r.overload.impl([[1, null]])).toEqual([
      [null, null],
      [1, null],
    ]);
  });
});

describe('user-defined functions', () => {
  it('registers scalar, aggregate and table functions from TypeScript', async () => {
    const { createFunctionRegistry } = await import('../../../src/sql/functions/builtins.js');
    const { analyzeSql } = await import('../../../src/sql/session.js');
    const r = createFunctionRegistry();
    r.registerScalar({ name: 'TWICE', overloads: [{ params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => (x as number) * 2 }] });
    r.registerAggregate({
      name: 'PRODUCT',
      overloads: [{ params: ['BIGINT'], returns: 'BIGINT', create: () => ({ initialize: () => 1n, aggregate: (v, s) => (v === null ? s : (s as bigint) * (v as bigint)), result: (s) => s }) }],
    });
    r.registerTable({ name: 'CHARS', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => [...(s as string)] }] });
    expect(() => r.registerScalar({ name: 'twice', overloads: [] })).toThrow('A function named TWICE is already registered');
    const out = analyzeSql(
      `CREATE STREAM s (k INT KEY, v BIGINT, t STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
       CREATE TABLE p AS SELECT k, PRODUCT(v) AS prod, TWICE(k) AS tw FROM s GROUP BY k;
       CREATE STREAM c AS SELECT k, CHARS(t) AS ch FROM s;`,
      'udf.sql',
      { registry: r },
    );
    expect(out.filter((x) => x.kind === 'query')).toHaveLength(2);
  });
});
