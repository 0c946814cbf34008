/** ARRAY and MAP scalar functions, including the lambda functions TRANSFORM, FILTER and REDUCE. */
import { valueToString } from '../../types/cast.js';
import { array, INTEGER, map, STRING, struct, type SqlType } from '../../types/sql-type.js';
import { compareValues, valuesEqual } from '../../types/values.js';
import { requireCollectionSize, requireStringLength } from '../limits.js';
import type { FunctionRegistry } from '../registry.js';

const arr = (v: unknown) => v as unknown[];
const mp = (v: unknown) => v as Map<unknown, unknown>;
type Fn = (...args: unknown[]) => unknown;

function indexOfValue(list: readonly unknown[], v: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const x = list[i] ?? null;
    if ((x === null && v === null) || (x !== null && v !== null && valuesEqual(x, v))) return i;
  }
  return -1;
}

/**
 * A set of SQL values with valuesEqual semantics: primitives (strings, numbers, booleans, bigints,
 * NULL) by hash, the rest (DECIMAL, BYTES, structs, arrays, maps) by comparison. Keeps
 * DISTINCT/UNION/INTERSECT/EXCEPT linear on the usual element types.
 */
class ValueSet {
  private readonly primitives = new Set<unknown>();
  private readonly others: unknown[] = [];

  constructor(values: readonly unknown[] = []) {
    for (const v of values) this.add(v ?? null);
  }

  has(v: unknown): boolean {
    return v === null || typeof v !== 'object' ? this.primitives.has(v) : indexOfValue(this.others, v) >= 0;
  }

  add(v: unknown): void {
    if (v === null || typeof v !== 'object') this.primitives.add(v);
    else this.others.push(v);
  }
}

function distinct(list: readonly unknown[]): unknown[] {
  const seen = new ValueSet();
  const out: unknown[] = [];
  for (const x of list) {
    const v = x ?? null;
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

/** Sort with NULLs last (ascending) as ksqlDB's ARRAY_SORT. */
function sortValues(list: readonly unknown[], descending: boolean): unknown[] {
  const nonNull = list.filter((v) => v !== null && v !== undefined);
  nonNull.sort((a, b) => (descending ? -compareValues(a, b) : compareValues(a, b)));
  return [...nonNull, ...list.filter((v) => v === null || v === undefined).map(() => null)];
}

export function registerCollectionFunctions(r: FunctionRegistry): void {
  r.registerScalar({ name: 'ARRAY_LENGTH', overloads: [{ params: ['ARRAY<T>'], returns: 'INTEGER', impl: ([a]) => arr(a).length }] });
  r.registerScalar({
    name: 'ARRAY_CONTAINS',
    overloads: [{ params: ['ARRAY<T>', 'T'], returns: 'BOOLEAN', nullTolerant: true, impl: ([a, v]) => (a === null ? false : indexOfValue(arr(a), v) >= 0) }],
  });
  r.registerScalar({
    name: 'ARRAY_POSITION',
    overloads: [{ params: ['ARRAY<T>', 'T'], returns: 'INTEGER', nullTolerant: true, impl: ([a, v]) => (a === null ? 0 : indexOfValue(arr(a), v) + 1) }],
  });
  r.registerScalar({ name: 'ARRAY_DISTINCT', overloads: [{ params: ['ARRAY<T>'], returns: 'ARRAY<T>', impl: ([a]) => distinct(arr(a)) }] });
  const join = (a: unknown[], sep: string, t: SqlType) => {
    const parts = a.map((v) => valueToString(v ?? null, t));
    requireStringLength('ARRAY_JOIN', parts.reduce((n, p) => n + p.length, 0) + Math.max(parts.length - 1, 0) * sep.length);
    return parts.join(sep);
  };
  r.registerScalar({
    name: 'ARRAY_JOIN',
    overloads: [
      { params: ['ARRAY<T>'], returns: 'STRING', factory: ({ argTypes }) => ([a]) => join(arr(a), ',', elementType(argTypes[0]!)) },
      {
        params: ['ARRAY<T>', 'STRING'],
        returns: 'STRING',
        nullTolerant: true,
        factory:
          ({ argTypes }) =>
          ([a, s]) =>
            a === null ? null : join(arr(a), s === null ? '' : (s as string), elementType(argTypes[0]!)),
      },
    ],
  });
  for (const [name, sign] of [
    ['ARRAY_MAX', 1],
    ['ARRAY_MIN', -1],
  ] as const) {
    r.registerScalar({
      name,
      overloads: [
        {
          params: ['ARRAY<T>'],
          returns: 'T',
          impl: ([a]) => {
            let best: unknown = null;
            for (const v of arr(a)) if (v !== null && v !== undefined && (best === null || compareValues(v, best) * sign > 0)) best = v;
            return best;
          },
        },
      ],
    });
  }
  r.registerScalar({
    name: 'ARRAY_SORT',
    overloads: [
      { params: ['ARRAY<T>'], returns: 'ARRAY<T>', impl: ([a]) => sortValues(arr(a), false) },
      {
        params: ['ARRAY<T>', 'STRING'],
        returns: 'ARRAY<T>',
        impl: ([a, d]) => {
          const dir = (d as string).toUpperCase();
          if (dir !== 'ASC' && dir !== 'DESC') return null;
          return sortValues(arr(a), dir === 'DESC');
        },
      },
    ],
  });
  r.registerScalar({
    name: 'ARRAY_REMOVE',
    overloads: [
      {
        params: ['ARRAY<T>', 'T'],
        returns: 'ARRAY<T>',
        nullTolerant: true,
        impl: ([a, v]) => (a === null ? null : arr(a).filter((x) => indexOfValue([x ?? null], v) < 0)),
      },
    ],
  });
  r.registerScalar({
    name: 'ARRAY_UNION',
    overloads: [{ params: ['ARRAY<T>', 'ARRAY<T>'], returns: 'ARRAY<T>', impl: ([a, b]) => distinct([...arr(a), ...arr(b)]) }],
  });
  r.registerScalar({
    name: 'ARRAY_INTERSECT',
    overloads: [{ params: ['ARRAY<T>', 'ARRAY<T>'], returns: 'ARRAY<T>', impl: ([a, b]) => {
      const other = new ValueSet(arr(b));
      return distinct(arr(a)).filter((v) => other.has(v));
    } }],
  });
  r.registerScalar({
    name: 'ARRAY_EXCEPT',
    overloads: [{ params: ['ARRAY<T>', 'ARRAY<T>'], returns: 'ARRAY<T>', impl: ([a, b]) => {
      const other = new ValueSet(arr(b));
      return distinct(arr(a)).filter((v) => !other.has(v));
    } }],
  });
  r.registerScalar({
    name: 'ARRAY_CONCAT',
    overloads: [
      {
        params: ['ARRAY<T>', 'ARRAY<T>'],
        returns: 'ARRAY<T>',
        nullTolerant: true,
        impl: ([a, b]) => (a === null && b === null ? null : [...(a === null ? [] : arr(a)), ...(b === null ? [] : arr(b))]),
      },
    ],
  });
  const series = (start: number, end: number, step: number): number[] | null => {
    if (step === 0) return null;
    requireCollectionSize('GENERATE_SERIES', (end - start) / step < 0 ? 0 : Math.floor((end - start) / step) + 1);
    const out: number[] = [];
    if (step > 0) for (let i = start; i <= end; i += step) out.push(i);
    else for (let i = start; i >= end; i += step) out.push(i);
    return out;
  };
  r.registerScalar({
    name: 'GENERATE_SERIES',
    overloads: [
      { params: ['INTEGER', 'INTEGER'], returns: 'ARRAY<INTEGER>', impl: ([a, b]) => series(a as number, b as number, (a as number) <= (b as number) ? 1 : -1) },
      { params: ['INTEGER', 'INTEGER', 'INTEGER'], returns: 'ARRAY<INTEGER>', impl: ([a, b, s]) => series(a as number, b as number, s as number) },
      {
        params: ['BIGINT', 'BIGINT'],
        returns: 'ARRAY<BIGINT>',
        impl: ([a, b]) => series(Number(a), Number(b), (a as bigint) <= (b as bigint) ? 1 : -1)?.map(BigInt) ?? null,
      },
    ],
  });
  r.registerScalar({ name: 'MAP_KEYS', overloads: [{ params: ['MAP<K, V>'], returns: 'ARRAY<K>', impl: ([m]) => [...mp(m).keys()] }] });
  r.registerScalar({ name: 'MAP_VALUES', overloads: [{ params: ['MAP<K, V>'], returns: 'ARRAY<V>', impl: ([m]) => [...mp(m).values()] }] });
  r.registerScalar({
    name: 'MAP_UNION',
    overloads: [
      {
        params: ['MAP<K, V>', 'MAP<K, V>'],
        returns: 'MAP<K, V>',
        nullTolerant: true,
        impl: ([a, b]) => (a === null && b === null ? null : new Map([...(a === null ? [] : mp(a)), ...(b === null ? [] : mp(b))])),
      },
    ],
  });
  r.registerScalar({
    name: 'AS_MAP',
    overloads: [
      {
        params: ['ARRAY<STRING>', 'ARRAY<T>'],
        returns: 'MAP<STRING, T>',
        impl: ([k, v]) => {
          const keys = arr(k);
          const values = arr(v);
          const out = new Map<unknown, unknown>();
          for (let i = 0; i < keys.length; i++) out.set(keys[i] ?? null, i < values.length ? (values[i] ?? null) : null);
          return out;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'ENTRIES',
    overloads: [
      {
        params: ['MAP<STRING, T>', 'BOOLEAN'],
        returns: (types) => array(struct([{ name: 'K', type: STRING }, { name: 'V', type: (types[0] as Extract<SqlType, { base: 'MAP' }>).value }])),
        impl: ([m, sorted]) => {
          const entries = [...mp(m)].map(([K, V]) => ({ K, V }));
          if (sorted) entries.sort((a, b) => compareValues(a.K, b.K));
          return entries;
        },
      },
    ],
  });
  registerLambdaFunctions(r);
  void INTEGER;
  void map;
}

function elementType(t: SqlType): SqlType {
  return t.base === 'ARRAY' ? t.element : STRING;
}

function registerLambdaFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'TRANSFORM',
    overloads: [
      { params: ['ARRAY<T>', 'LAMBDA<T, U>'], returns: 'ARRAY<U>', impl: ([a, f]) => arr(a).map((v) => (f as Fn)(v ?? null)) },
      {
        params: ['MAP<K, V>', 'LAMBDA<K, V, A>', 'LAMBDA<K, V, B>'],
        returns: 'MAP<A, B>',
        impl: ([m, fk, fv]) => {
          const out = new Map<unknown, unknown>();
          for (const [k, v] of mp(m)) out.set((fk as Fn)(k, v), (fv as Fn)(k, v));
          return out;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'FILTER',
    overloads: [
      { params: ['ARRAY<T>', 'LAMBDA<T, BOOLEAN>'], returns: 'ARRAY<T>', impl: ([a, f]) => arr(a).filter((v) => (f as Fn)(v ?? null) === true) },
      {
        params: ['MAP<K, V>', 'LAMBDA<K, V, BOOLEAN>'],
        returns: 'MAP<K, V>',
        impl: ([m, f]) => new Map([...mp(m)].filter(([k, v]) => (f as Fn)(k, v) === true)),
      },
    ],
  });
  r.registerScalar({
    name: 'REDUCE',
    overloads: [
      {
        params: ['ARRAY<T>', 'S', 'LAMBDA<S, T, S>'],
        returns: 'S',
        nullTolerant: true,
        impl: ([a, s, f]) => {
          if (a === null) return s;
          let acc = s;
          for (const v of arr(a)) acc = (f as Fn)(acc, v ?? null);
          return acc;
        },
      },
      {
        params: ['MAP<K, V>', 'S', 'LAMBDA<S, K, V, S>'],
        returns: 'S',
        nullTolerant: true,
        impl: ([m, s, f]) => {
          if (m === null) return s;
          let acc = s;
          for (const [k, v] of mp(m)) acc = (f as Fn)(acc, k, v);
          return acc;
        },
      },
    ],
  });
}

/** SLICE(array, from, to): elements from..to, 1-based and inclusive; NULL bounds are the ends. */
export function registerSliceFunction(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'SLICE',
    overloads: [
      {
        params: ['ARRAY<T>', 'INTEGER', 'INTEGER'],
        returns: 'ARRAY<T>',
        nullTolerant: true,
        impl: ([a, from, to]) => {
          if (a === null) return null;
          const list = a as unknown[];
          const start = from === null ? 0 : (from as number) - 1;
          const end = to === null ? list.length : (to as number);
          if (start < 0 || end > list.length || start > end) return null;
          return list.slice(start, end);
        },
      },
    ],
  });
}
