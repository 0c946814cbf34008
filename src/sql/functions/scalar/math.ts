/** Numeric scalar functions. INTEGER values are JS numbers, BIGINT bigints, DECIMAL Decimal objects. */
import { Decimal } from '../../types/decimal.js';
import { widenDecimal } from '../../types/coercion.js';
import { decimal, type SqlType } from '../../types/sql-type.js';
import { compareValues } from '../../types/values.js';
import type { FunctionRegistry } from '../registry.js';
import { FunctionError } from '../function-error.js';

const num = (v: unknown) => v as number;
const big = (v: unknown) => v as bigint;
const dec = (v: unknown) => v as Decimal;

/** Java's Math.round(double): floor(x + 0.5) as a long. */
function javaRound(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  const r = Math.floor(d + 0.5);
  if (r >= 9.223372036854776e18) return 2n ** 63n - 1n;
  if (r <= -9.223372036854776e18) return -(2n ** 63n);
  return BigInt(r);
}

/** Rounds a decimal to `places` with half toward positive infinity (ksqlDB's ROUND). */
function roundHalfUpPositive(d: Decimal, places: number): Decimal {
  if (places >= d.scale) return d.setScale(places);
  const down = d.setScale(places, 'FLOOR');
  const diff = d.subtract(down).setScale(d.scale);
  const half = new Decimal(5n, places + 1).setScale(d.scale);
  return diff.compareTo(half) >= 0 ? down.add(new Decimal(1n, places)) : down;
}

const sameType = (types: readonly SqlType[]) => types[0]!;

export function registerMathFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'ABS',
    overloads: [
      { params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => Math.abs(num(x)) | 0 },
      { params: ['BIGINT'], returns: 'BIGINT', impl: ([x]) => BigInt.asIntN(64, big(x) < 0n ? -big(x) : big(x)) },
      { params: ['DOUBLE'], returns: 'DOUBLE', impl: ([x]) => Math.abs(num(x)) },
      { params: ['DECIMAL'], returns: sameType, impl: ([x]) => dec(x).abs() },
    ],
  });
  for (const [name, mode, fn] of [
    ['CEIL', 'CEILING', Math.ceil],
    ['FLOOR', 'FLOOR', Math.floor],
  ] as const) {
    r.registerScalar({
      name,
      overloads: [
        { params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => x },
        { params: ['BIGINT'], returns: 'BIGINT', impl: ([x]) => x },
        { params: ['DOUBLE'], returns: 'DOUBLE', impl: ([x]) => fn(num(x)) },
        { params: ['DECIMAL'], returns: sameType, impl: ([x]) => dec(x).setScale(0, mode).setScale(dec(x).scale) },
      ],
    });
  }
  r.registerScalar({
    name: 'ROUND',
    overloads: [
      { params: ['INTEGER'], returns: 'BIGINT', impl: ([x]) => BigInt(num(x)) },
      { params: ['BIGINT'], returns: 'BIGINT', impl: ([x]) => x },
      { params: ['DOUBLE'], returns: 'BIGINT', impl: ([x]) => javaRound(num(x)) },
      {
        params: ['DOUBLE', 'INTEGER'],
        returns: 'DOUBLE',
        impl: ([x, p]) => (Number.isFinite(num(x)) ? roundHalfUpPositive(Decimal.fromNumber(num(x)), num(p)).toNumber() : x),
      },
      {
        params: ['DECIMAL'],
        returns: (t) => {
          const d = t[0] as Extract<SqlType, { base: 'DECIMAL' }>;
          return decimal(Math.max(1, d.precision - d.scale), 0);
        },
        impl: ([x]) => roundHalfUpPositive(dec(x), 0),
      },
      {
        params: ['DECIMAL', 'INTEGER'],
        returns: sameType,
        impl: ([x, p]) => roundHalfUpPositive(dec(x), num(p)).setScale(dec(x).scale, 'HALF_UP'),
      },
    ],
  });
  const doubleFn = (name: string, f: (x: number) => number) =>
    r.registerScalar({ name, overloads: [{ params: ['DOUBLE'], returns: 'DOUBLE', impl: ([x]) => f(num(x)) }] });
  doubleFn('SQRT', Math.sqrt);
  doubleFn('CBRT', Math.cbrt);
  doubleFn('EXP', Math.exp);
  doubleFn('LN', Math.log);
  doubleFn('SIN', Math.sin);
  doubleFn('COS', Math.cos);
  doubleFn('TAN', Math.tan);
  doubleFn('ASIN', Math.asin);
  doubleFn('ACOS', Math.acos);
  doubleFn('ATAN', Math.atan);
  doubleFn('SINH', Math.sinh);
  doubleFn('COSH', Math.cosh);
  doubleFn('TANH', Math.tanh);
  doubleFn('COT', (x) => 1 / Math.tan(x));
  doubleFn('DEGREES', (x) => (x * 180) / Math.PI);
  doubleFn('RADIANS', (x) => (x * Math.PI) / 180);
  r.registerScalar({
    name: 'LOG',
    overloads: [
      // LOG(x) is the natural logarithm; LOG(base, x) is NaN for a base <= 0 or 1, or x < 0.
      { params: ['DOUBLE'], returns: 'DOUBLE', impl: ([x]) => Math.log(num(x)) },
      {
        params: ['DOUBLE', 'DOUBLE'],
        returns: 'DOUBLE',
        impl: ([b, x]) => (num(b) <= 0 || num(b) === 1 || num(x) < 0 ? NaN : Math.log(num(x)) / Math.log(num(b))),
      },
    ],
  });
  r.registerScalar({ name: 'ATAN2', overloads: [{ params: ['DOUBLE', 'DOUBLE'], returns: 'DOUBLE', impl: ([y, x]) => Math.atan2(num(y), num(x)) }] });
  r.registerScalar({ name: 'POWER', overloads: [{ params: ['DOUBLE', 'DOUBLE'], returns: 'DOUBLE', impl: ([b, e]) => Math.pow(num(b), num(e)) }] });
  r.registerScalar({ name: 'PI', overloads: [{ params: [], returns: 'DOUBLE', impl: () => Math.PI }] });
  r.registerScalar({ name: 'RANDOM', deterministic: false, overloads: [{ params: [], returns: 'DOUBLE', impl: () => Math.random() }] });
  r.registerScalar({
    name: 'SIGN',
    overloads: [
      { params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => Math.sign(num(x)) },
      { params: ['BIGINT'], returns: 'INTEGER', impl: ([x]) => (big(x) > 0n ? 1 : big(x) < 0n ? -1 : 0) },
      { params: ['DOUBLE'], returns: 'INTEGER', impl: ([x]) => (Number.isNaN(num(x)) ? 0 : Math.sign(num(x))) },
      { params: ['DECIMAL'], returns: 'INTEGER', impl: ([x]) => dec(x).signum() },
    ],
  });
  r.registerScalar({
    name: 'TRUNC',
    overloads: [
      { params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => x },
      { params: ['BIGINT'], returns: 'BIGINT', impl: ([x]) => x },
      { params: ['DOUBLE'], returns: 'BIGINT', impl: ([x]) => BigInt(Math.trunc(num(x))) },
      { params: ['DOUBLE', 'INTEGER'], returns: 'DOUBLE', impl: ([x, p]) => truncateDouble(num(x), num(p)) },
    ],
  });
  // One overload per type, each `(val, vals...)`, as ksqlDB's Greatest/Least UDFs: arguments
  // widen to the overload's type by function resolution (a STRING may become DATE/TIME/TIMESTAMP).
  for (const [name, sign] of [
    ['GREATEST', 1],
    ['LEAST', -1],
  ] as const) {
    const pick = (args: unknown[]): unknown => {
      let best: unknown = null;
      for (const a of args) if (a !== null && (best === null || compareValues(a, best) * sign > 0)) best = a;
      return best;
    };
    const simple = ['INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'].map((t) => ({
      params: [t, t],
      variadic: true,
      returns: t,
      nullTolerant: true,
      impl: pick,
    }));
    r.registerScalar({
      name,
      overloads: [
        ...simple,
        {
          params: ['DECIMAL', 'DECIMAL'],
          variadic: true,
          // The widest of the argument decimals (ksqlDB's greatestDecimalProvider).
          returns: (types: readonly SqlType[]) => {
            const nums = types.filter((t) => t.base === 'DECIMAL' || t.base === 'INTEGER' || t.base === 'BIGINT');
            return nums.length === 0 ? decimal(1, 0) : nums.reduce<SqlType>((a, b) => widenDecimal(a, b), nums[0]!);
          },
          nullTolerant: true,
          // The chosen value keeps its own scale (ksqlDB returns the BigDecimal as it is).
          impl: pick,
        },
      ],
    });
  }
}

const EARTH_RADIUS_KM = 6371;
const EARTH_RADIUS_MILES = 3959;
const MILES = ['mi', 'mile', 'miles'];
const KMS = ['km', 'kilometer', 'kilometers', 'kilometre', 'kilometres'];

function geoDistance(lat1: number, lon1: number, lat2: number, lon2: number, units: string): number {
  if (lat1 < -90 || lat2 < -90 || lat1 > 90 || lat2 > 90) {
    throw new FunctionError('valid latitude values for GeoDistance function are in the range of -90 to 90 decimal degrees');
  }
  if (lon1 < -180 || lon2 < -180 || lon1 > 180 || lon2 > 180) {
    throw new FunctionError('valid longitude values for GeoDistance function are in the range of -180 to +180 decimal degrees');
  }
  const u = units.toLowerCase();
  const radius = MILES.includes(u) ? EARTH_RADIUS_MILES : KMS.includes(u) ? EARTH_RADIUS_KM : undefined;
  if (radius === undefined) throw new FunctionError(`GeoDistance function units parameter must be one of ${[...MILES, ...KMS].join(', ')}. Values are case-insensitive.`);
  const rad = (d: number) => (d * Math.PI) / 180;
  const haversin = (x: number) => Math.pow(Math.sin(x / 2), 2);
  const a = haversin(rad(lat2 - lat1)) + haversin(rad(lon2 - lon1)) * Math.cos(rad(lat1)) * Math.cos(rad(lat2));
  return 2 * Math.asin(Math.sqrt(a)) * radius;
}

/** GEO_DISTANCE(lat1, lon1, lat2, lon2 [, unit]): great-circle (haversine) distance, KM by default. */
export function registerGeoFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'GEO_DISTANCE',
    overloads: [
      { params: ['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE'], returns: 'DOUBLE', impl: ([a, b, c, d]) => geoDistance(a as number, b as number, c as number, d as number, 'km') },
      {
        params: ['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'STRING'],
        returns: 'DOUBLE',
        nullTolerant: true,
        impl: ([a, b, c, d, u]) => {
          if (a === null || b === null || c === null || d === null) throw new FunctionError('GEO_DISTANCE needs four coordinates');
          // A NULL unit means kilometers.
          return geoDistance(a as number, b as number, c as number, d as number, u === null ? 'km' : (u as string));
        },
      },
    ],
  });
}

/** TRUNC(x, d): x truncated to d decimal places; a negative d truncates left of the point. */
function truncateDouble(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits >= 0) return Decimal.fromNumber(x).setScale(digits, 'DOWN').toNumber();
  const f = Math.pow(10, -digits);
  return Math.trunc(x / f) * f;
}
