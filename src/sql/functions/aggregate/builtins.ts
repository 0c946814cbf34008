/**
 * Built-in aggregate functions with ksqlDB's result types and null handling. Every state is
 * immutable: aggregate/undo/merge return new values (arrays are copied, never pushed into).
 * `undo` is provided exactly where ksqlDB supports table aggregation (COUNT, SUM, AVG,
 * COLLECT_LIST, COLLECT_SET); MIN/MAX/TOPK/... have no undo and are rejected on tables.
 */
import { ArithmeticError, Decimal } from '../../types/decimal.js';
import { array, BIGINT, type SqlType } from '../../types/sqlType.js';
import { compareValues, valuesEqual } from '../../types/values.js';
import type { Aggregator, FunctionRegistry } from '../registry.js';

/** Default of ksql.functions.collect_list.limit / collect_set.limit. */
export const COLLECT_LIMIT = 1000;

/** Source of the monotonically increasing sequence ksqlDB uses for the *_BY_OFFSET functions. */
let offsetSequence = 0;

function indexOf(list: readonly unknown[], v: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if ((x === null && v === null) || (x !== null && v !== null && valuesEqual(x, v))) return i;
  }
  return -1;
}

const first = (types: readonly SqlType[]) => types[0]!;
const arrayOfFirst = (types: readonly SqlType[]) => array(types[0]!);

function countAggregator(countNulls: boolean): Aggregator<bigint> {
  return {
    initialize: () => 0n,
    aggregate: (v, s) => (countNulls || v !== null ? s + 1n : s),
    merge: (a, b) => a + b,
    undo: (v, s) => (countNulls || v !== null ? s - 1n : s),
    result: (s) => s,
  };
}

function sumAggregator(type: SqlType): Aggregator {
  switch (type.base) {
    case 'INTEGER':
      return {
        initialize: () => 0,
        aggregate: (v, s) => (v === null ? s : ((s as number) + (v as number)) | 0),
        merge: (a, b) => ((a as number) + (b as number)) | 0,
        undo: (v, s) => (v === null ? s : ((s as number) - (v as number)) | 0),
        result: (s) => s,
      };
    case 'BIGINT':
      return {
        initialize: () => 0n,
        aggregate: (v, s) => (v === null ? s : BigInt.asIntN(64, (s as bigint) + (v as bigint))),
        merge: (a, b) => BigInt.asIntN(64, (a as bigint) + (b as bigint)),
        undo: (v, s) => (v === null ? s : BigInt.asIntN(64, (s as bigint) - (v as bigint))),
        result: (s) => s,
      };
    case 'DECIMAL': {
      const { precision, scale } = type;
      const check = (d: Decimal): Decimal => {
        if (!d.fitsPrecision(precision, scale)) {
          throw new ArithmeticError(
            `Numeric field overflow: A field with precision ${precision} and scale ${scale} must round to an absolute value less than 10^${precision - scale}. Got ${d.toString()}`,
          );
        }
        return d;
      };
      const zero = new Decimal(0n, scale);
      return {
        initialize: () => zero,
        aggregate: (v, s) => (v === null ? s : check((s as Decimal).add(v as Decimal))),
        merge: (a, b) => check((a as Decimal).add(b as Decimal)),
        undo: (v, s) => (v === null ? s : (s as Decimal).subtract(v as Decimal)),
        result: (s) => s,
      };
    }
    default:
      return {
        initialize: () => 0,
        aggregate: (v, s) => (v === null ? s : (s as number) + (v as number)),
        merge: (a, b) => (a as number) + (b as number),
        undo: (v, s) => (v === null ? s : (s as number) - (v as number)),
        result: (s) => s,
      };
  }
}

interface AvgState {
  readonly sum: number | bigint | Decimal;
  readonly count: number;
}

function avgAggregator(type: SqlType): Aggregator<AvgState> {
  const sum = sumAggregator(type);
  const toDouble = (v: unknown): number => (v instanceof Decimal ? v.toNumber() : Number(v as number | bigint));
  return {
    initialize: () => ({ sum: sum.initialize() as AvgState['sum'], count: 0 }),
    aggregate: (v, s) => (v === null ? s : { sum: sum.aggregate(v, s.sum) as AvgState['sum'], count: s.count + 1 }),
    merge: (a, b) => ({ sum: sum.merge!(a.sum, b.sum) as AvgState['sum'], count: a.count + b.count }),
    undo: (v, s) => (v === null ? s : { sum: sum.undo!(v, s.sum) as AvgState['sum'], count: s.count - 1 }),
    result: (s) => (s.count === 0 ? 0 : toDouble(s.sum) / s.count),
  };
}

function comparableAggregator(sign: 1 | -1): Aggregator {
  const pick = (a: unknown, b: unknown) => (a === null ? b : b === null ? a : compareValues(a, b) * sign >= 0 ? a : b);
  return {
    initialize: () => null,
    aggregate: (v, s) => pick(s, v),
    merge: (a, b) => pick(a, b),
    result: (s) => s,
  };
}

function collectList(limit: number): Aggregator<readonly unknown[]> {
  return {
    initialize: () => [],
    aggregate: (v, s) => (s.length < limit ? [...s, v] : s),
    merge: (a, b) => [...a, ...b.slice(0, Math.max(0, limit - a.length))],
    undo: (v, s) => {
      let i = -1;
      for (let j = s.length - 1; j >= 0; j--) {
        if (indexOf([s[j]], v) === 0) {
          i = j;
          break;
        }
      }
      return i < 0 ? s : [...s.slice(0, i), ...s.slice(i + 1)];
    },
    result: (s) => s,
  };
}

function collectSet(limit: number): Aggregator<readonly unknown[]> {
  return {
    initialize: () => [],
    aggregate: (v, s) => (s.length < limit && indexOf(s, v) < 0 ? [...s, v] : s),
    merge: (a, b) => {
      const out = [...a];
      for (const v of b) if (out.length < limit && indexOf(out, v) < 0) out.push(v);
      return out;
    },
    undo: (v, s) => {
      const i = indexOf(s, v);
      return i < 0 ? s : [...s.slice(0, i), ...s.slice(i + 1)];
    },
    result: (s) => s,
  };
}

function topK(k: number, distinct: boolean): Aggregator<readonly unknown[]> {
  const insert = (s: readonly unknown[], v: unknown): readonly unknown[] => {
    if (v === null) return s;
    if (distinct && indexOf(s, v) >= 0) return s;
    if (s.length === k && compareValues(v, s[s.length - 1]) <= 0) return s;
    const out = [...s, v].sort((a, b) => -compareValues(a, b));
    return out.length > k ? out.slice(0, k) : out;
  };
  return {
    initialize: () => [],
    aggregate: (v, s) => insert(s, v),
    merge: (a, b) => b.reduce<readonly unknown[]>((acc, v) => insert(acc, v), a),
    result: (s) => s,
  };
}

function countDistinct(): Aggregator<readonly unknown[]> {
  return {
    initialize: () => [],
    aggregate: (v, s) => (v === null || indexOf(s, v) >= 0 ? s : [...s, v]),
    merge: (a, b) => b.reduce<readonly unknown[]>((acc, v) => (indexOf(acc, v) >= 0 ? acc : [...acc, v]), a),
    result: (s) => BigInt(s.length),
  };
}

interface Seq {
  readonly seq: number;
  readonly val: unknown;
}

function byOffset(latest: boolean, ignoreNulls: boolean): Aggregator<Seq | null> {
  return {
    initialize: () => null,
    aggregate: (v, s) => {
      if (v === null && ignoreNulls) return s;
      if (!latest && s !== null) return s;
      return { seq: offsetSequence++, val: v };
    },
    merge: (a, b) => {
      if (a === null) return b;
      if (b === null) return a;
      return latest === a.seq > b.seq ? a : b;
    },
    result: (s) => (s === null ? null : s.val),
  };
}

function byOffsetN(latest: boolean, n: number, ignoreNulls: boolean): Aggregator<readonly Seq[]> {
  return {
    initialize: () => [],
    aggregate: (v, s) => {
      if (v === null && ignoreNulls) return s;
      if (!latest) return s.length < n ? [...s, { seq: offsetSequence++, val: v }] : s;
      const out = [...s, { seq: offsetSequence++, val: v }];
      return out.length > n ? out.slice(out.length - n) : out;
    },
    merge: (a, b) => {
      const all = [...a, ...b].sort((x, y) => x.seq - y.seq);
      return latest ? all.slice(Math.max(0, all.length - n)) : all.slice(0, n);
    },
    result: (s) => s.map((e) => e.val),
  };
}

function positiveLimit(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
  return n;
}

export function registerAggregateFunctions(r: FunctionRegistry): void {
  r.registerAggregate({
    name: 'COUNT',
    overloads: [
      { params: [], returns: 'BIGINT', create: () => countAggregator(true) },
      { params: ['T'], returns: 'BIGINT', create: () => countAggregator(false) },
    ],
  });
  r.registerAggregate({
    name: 'SUM',
    overloads: ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL'].map((t) => ({
      params: [t],
      returns: first,
      create: ({ argTypes }) => sumAggregator(argTypes[0]!),
    })),
  });
  r.registerAggregate({
    name: 'AVG',
    overloads: ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL'].map((t) => ({
      params: [t],
      returns: 'DOUBLE',
      create: ({ argTypes }) => avgAggregator(argTypes[0]!),
    })),
  });
  const comparable = ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'TIMESTAMP', 'DATE', 'TIME', 'BYTES'];
  r.registerAggregate({
    name: 'MAX',
    overloads: comparable.map((t) => ({ params: [t], returns: first, create: () => comparableAggregator(1) })),
  });
  r.registerAggregate({
    name: 'MIN',
    overloads: comparable.map((t) => ({ params: [t], returns: first, create: () => comparableAggregator(-1) })),
  });
  r.registerAggregate({ name: 'COUNT_DISTINCT', overloads: [{ params: ['T'], returns: 'BIGINT', create: () => countDistinct() }] });
  r.registerAggregate({ name: 'COLLECT_LIST', overloads: [{ params: ['T'], returns: arrayOfFirst, create: () => collectList(COLLECT_LIMIT) }] });
  r.registerAggregate({ name: 'COLLECT_SET', overloads: [{ params: ['T'], returns: arrayOfFirst, create: () => collectSet(COLLECT_LIMIT) }] });
  const ordered = ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'TIMESTAMP', 'DATE', 'TIME', 'BYTES'];
  r.registerAggregate({
    name: 'TOPK',
    overloads: ordered.map((t) => ({
      params: [t],
      literals: ['INTEGER'],
      returns: arrayOfFirst,
      create: ({ constants }) => topK(positiveLimit(constants[1], 'TOPK k'), false),
    })),
  });
  r.registerAggregate({
    name: 'TOPKDISTINCT',
    overloads: ordered.map((t) => ({
      params: [t],
      literals: ['INTEGER'],
      returns: arrayOfFirst,
      create: ({ constants }) => topK(positiveLimit(constants[1], 'TOPKDISTINCT k'), true),
    })),
  });
  for (const [name, latest] of [
    ['EARLIEST_BY_OFFSET', false],
    ['LATEST_BY_OFFSET', true],
  ] as const) {
    r.registerAggregate({
      name,
      overloads: [
        { params: ['T'], returns: first, create: () => byOffset(latest, true) },
        { params: ['T'], literals: ['BOOLEAN'], returns: first, create: ({ constants }) => byOffset(latest, constants[1] !== false) },
        {
          params: ['T'],
          literals: ['INTEGER'],
          returns: arrayOfFirst,
          create: ({ constants }) => byOffsetN(latest, positiveLimit(constants[1], `${name} N`), true),
        },
        {
          params: ['T'],
          literals: ['INTEGER', 'BOOLEAN'],
          returns: arrayOfFirst,
          create: ({ constants }) => byOffsetN(latest, positiveLimit(constants[1], `${name} N`), constants[2] !== false),
        },
      ],
    });
  }
  void BIGINT;
}
