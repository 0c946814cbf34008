/**
 * Built-in aggregate functions with ksqlDB's result types and null handling. Every state is
 * immutable: aggregate/undo/merge return new values (arrays are copied, never pushed into).
 * `undo` is provided exactly where ksqlDB supports table aggregation (COUNT, SUM, AVG,
 * COLLECT_LIST, COLLECT_SET); MIN/MAX/TOPK/... have no undo and are rejected on tables.
 */
import { ArithmeticError, Decimal } from '../../types/decimal.js';
import { array, BIGINT, struct, type SqlType, type TypeOf } from '../../types/sql-type.js';
import { compareValues, valuesEqual } from '../../types/values.js';
import { MAX_COLLECTION_SIZE } from '../limits.js';
import type { Aggregator, FactoryContext, FunctionRegistry } from '../registry.js';

/** Default of ksql.functions.collect_list.limit / collect_set.limit. */
export const COLLECT_LIMIT = 1000;

/** COLLECT_LIST/SET keep at most this many values (a session property may lower or raise it, up to MAX_COLLECTION_SIZE). */
function collectLimit(properties: ReadonlyMap<string, string> | undefined, name: string): number {
  const v = properties?.get(name);
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_COLLECTION_SIZE) : COLLECT_LIMIT;
}

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

/** SUM_LIST: the running sum of every non-null element of every list (ksqlDB's ListSumUdaf). */
function sumListAggregator(element: SqlType): Aggregator {
  const sum = sumAggregator(element);
  const total = (list: unknown[]): unknown => {
    let t = sum.initialize();
    for (const v of list) if (v !== null && v !== undefined) t = sum.aggregate(v, t);
    return t;
  };
  return {
    initialize: sum.initialize,
    aggregate: (v, s) => (v === null ? s : sum.merge!(s, total(v as unknown[]))),
    merge: (a, b) => sum.merge!(a, b),
    undo: (v, s) => (v === null || !sum.undo ? s : sum.undo(total(v as unknown[]), s)),
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

/**
 * TOPK over rows: the aggregator receives [sort, other...]; the state holds the k rows with the
 * highest sort values as structs, ties in arrival order (ksqlDB's stable sort), NULL sorts skipped.
 */
function topKRows(k: number, others: number): Aggregator<readonly Record<string, unknown>[]> {
  const toStruct = (v: readonly unknown[]): Record<string, unknown> => {
    const st: Record<string, unknown> = { sort_col: v[0] };
    for (let i = 0; i < others; i++) st[`col${i}`] = v[i + 1] ?? null;
    return st;
  };
  return {
    initialize: () => [],
    aggregate: (v, s) => {
      const row = v as readonly unknown[];
      if (row[0] === null || row[0] === undefined) return s;
      if (s.length === k && compareValues(row[0], s[s.length - 1]!.sort_col) <= 0) return s;
      const next = s.length === k ? [...s.slice(0, -1), toStruct(row)] : [...s, toStruct(row)];
      // Array.prototype.sort is stable, as Java's List.sort.
      return next.sort((a, b) => -compareValues(a.sort_col, b.sort_col));
    },
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

interface Corr {
  readonly sx: number;
  readonly sy: number;
  readonly sxx: number;
  readonly syy: number;
  readonly sxy: number;
  readonly n: number;
}

/** CORRELATION(x, y): Pearson's coefficient with the single-pass formula (ksqlDB's CorrelationUdaf). */
function correlation(): Aggregator<Corr> {
  const step = (v: unknown, s: Corr, sign: 1 | -1): Corr => {
    const [a, b] = v as [unknown, unknown];
    if (a === null || b === null) return s;
    const x = Number(a as number | bigint);
    const y = Number(b as number | bigint);
    return { sx: s.sx + sign * x, sy: s.sy + sign * y, sxx: s.sxx + sign * x * x, syy: s.syy + sign * y * y, sxy: s.sxy + sign * x * y, n: s.n + sign };
  };
  return {
    initialize: () => ({ sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, n: 0 }),
    aggregate: (v, s) => step(v, s, 1),
    undo: (v, s) => step(v, s, -1),
    merge: (a, b) => ({ sx: a.sx + b.sx, sy: a.sy + b.sy, sxx: a.sxx + b.sxx, syy: a.syy + b.syy, sxy: a.sxy + b.sxy, n: a.n + b.n }),
    result: (s) => (s.n * s.sxy - s.sx * s.sy) / Math.sqrt((s.n * s.sxx - s.sx * s.sx) * (s.n * s.syy - s.sy * s.sy)),
  };
}

interface Dev {
  readonly sum: number;
  readonly n: number;
  readonly m2: number;
}

/**
 * STDDEV_SAMP / STDDEV_SAMPLE as ksqlDB computes it (StandardDeviationSampUdaf, Welford-style
 * updates): STDDEV_SAMPLE is sqrt(M2 / (n - 1)); STDDEV_SAMP, as ksqlDB's implementation does,
 * M2 / (n - 1) (the sample variance); both 0 below two values.
 */
function stddevSample(sqrt: boolean): Aggregator<Dev> {
  return {
    initialize: () => ({ sum: 0, n: 0, m2: 0 }),
    aggregate: (v, s) => {
      if (v === null) return s;
      const x = Number(v as number | bigint);
      const n = s.n + 1;
      const delta = x * n - (s.sum + x);
      return { sum: s.sum + x, n, m2: s.m2 + (n - 1 > 0 ? (delta * delta) / (n * (n - 1)) : 0) };
    },
    undo: (v, s) => {
      if (v === null) return s;
      const x = Number(v as number | bigint);
      const n = s.n - 1;
      const delta = x * (s.n + 1) - (s.sum + x);
      return { sum: s.sum - x, n, m2: s.m2 - (n > 0 ? (delta * delta) / (n * (n + 1)) : 0) };
    },
    merge: (a, b) => {
      const n = a.n + b.n;
      if (a.n === 0 || b.n === 0) return { sum: a.sum + b.sum, n, m2: a.m2 + b.m2 };
      const inner = a.sum / a.n - b.sum / b.n;
      return { sum: a.sum + b.sum, n, m2: a.m2 + b.m2 + (a.n * b.n * inner * inner) / n };
    },
    result: (s) => (s.n < 2 ? 0 : sqrt ? Math.sqrt(s.m2 / (s.n - 1)) : s.m2 / (s.n - 1)),
  };
}

/** HISTOGRAM(string): value → count, at most 1000 distinct values. */
function histogram(): Aggregator<ReadonlyMap<unknown, bigint>> {
  const LIMIT = 1000;
  return {
    initialize: () => new Map(),
    aggregate: (v, s) => {
      if (s.size >= LIMIT && !s.has(v)) return s;
      const out = new Map(s);
      out.set(v, (s.get(v) ?? 0n) + 1n);
      return out;
    },
    undo: (v, s) => {
      const out = new Map(s);
      const n = (s.get(v) ?? 0n) - 1n;
      if (n < 1n) out.delete(v);
      else out.set(v, n);
      return out;
    },
    merge: (a, b) => {
      const out = new Map(a);
      for (const [k, n] of b) if (out.size < LIMIT || out.has(k)) out.set(k, (out.get(k) ?? 0n) + n);
      return out;
    },
    result: (s) => new Map(s),
  };
}

export function registerAggregateFunctions(r: FunctionRegistry): void {
  r.registerAggregate({
    name: 'CORRELATION',
    overloads: ['DOUBLE', 'INTEGER', 'BIGINT'].map((t) => ({ params: [t, t], returns: 'DOUBLE', create: () => correlation() })),
  });
  for (const [name, sqrt] of [['STDDEV_SAMP', false], ['STDDEV_SAMPLE', true]] as const) {
    r.registerAggregate({ name, overloads: ['INTEGER', 'BIGINT', 'DOUBLE'].map((t) => ({ params: [t], returns: 'DOUBLE', create: () => stddevSample(sqrt) })) });
  }
  r.registerAggregate({ name: 'HISTOGRAM', overloads: [{ params: ['STRING'], returns: 'MAP<STRING, BIGINT>', create: () => histogram() }] });
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
    name: 'SUM_LIST',
    overloads: ['INTEGER', 'BIGINT', 'DOUBLE'].map((t) => ({
      params: [`ARRAY<${t}>`],
      returns: (types: readonly SqlType[]) => (types[0] as TypeOf<'ARRAY'>).element,
      create: ({ argTypes }) => sumListAggregator((argTypes[0] as TypeOf<'ARRAY'>).element),
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
  r.registerAggregate({
    name: 'COLLECT_LIST',
    overloads: [{ params: ['T'], returns: arrayOfFirst, create: ({ properties }) => collectList(collectLimit(properties, 'ksql.functions.collect_list.limit')) }],
  });
  r.registerAggregate({
    name: 'COLLECT_SET',
    overloads: [{ params: ['T'], returns: arrayOfFirst, create: ({ properties }) => collectSet(collectLimit(properties, 'ksql.functions.collect_set.limit')) }],
  });
  const ordered = ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'TIMESTAMP', 'DATE', 'TIME', 'BYTES'];
  // TOPK(sort, k), and TOPK(sort, other1, ..., k): structs {sort_col, col0, ...} of the top rows.
  const otherColumnVars = ['A', 'B', 'U', 'V', 'K'];
  r.registerAggregate({
    name: 'TOPK',
    overloads: ordered.flatMap((t) => [
      {
        params: [t],
        literals: ['INTEGER'],
        returns: arrayOfFirst,
        create: ({ constants }: FactoryContext) => topK(positiveLimit(constants[1], 'TOPK k'), false),
      },
      ...otherColumnVars.map((_, i) => {
        const others = otherColumnVars.slice(0, i + 1);
        return {
          params: [t, ...others],
          literals: ['INTEGER'],
          returns: (types: readonly SqlType[]) =>
            array(struct([{ name: 'sort_col', type: types[0]! }, ...others.map((_v, j) => ({ name: `col${j}`, type: types[j + 1]! }))])),
          create: ({ constants }: FactoryContext) => topKRows(positiveLimit(constants[others.length + 1], 'TOPK k'), others.length),
        };
      }),
    ]),
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
