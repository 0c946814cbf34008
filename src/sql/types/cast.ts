/**
 * Explicit CAST(x AS T) conversions with ksqlDB's (Java's) semantics. `castConverter` returns
 * undefined when ksqlDB rejects the cast at analysis time; a returned converter may throw
 * CastError/ArithmeticError for a bad value, which the evaluator reports as null + processing log.
 */
import { formatDateIso, formatTimeIso, formatTimestampIso, parseDateIso, parseTimeIso, parseTimestampIso, timestampToDate, timestampToTime, DAY_MS } from '../time/iso-time.js';
import { ArithmeticError, Decimal, fitDecimal } from './decimal.js';
import { isNumeric, typeEquals, type SqlType, type Struct } from './sql-type.js';
import { formatDouble, type Converter } from './values.js';

export class CastError extends Error {
  override readonly name = 'CastError';
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Java's (int) of a double: truncation, NaN → 0, saturation. */
export function doubleToInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d <= INT_MIN) return INT_MIN;
  if (d >= INT_MAX) return INT_MAX;
  return Math.trunc(d);
}

/** Java's (long) of a double. */
export function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d <= -9.223372036854776e18) return LONG_MIN;
  if (d >= 9.223372036854776e18) return LONG_MAX;
  return BigInt(Math.trunc(d));
}

/** Java's (int) of a long: keeps the low 32 bits. */
export function longToInt(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** Renders a value as Java/ksqlDB would when converting it to STRING. */
export function valueToString(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.base) {
    case 'DOUBLE':
      return formatDouble(v as number);
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'TIMESTAMP':
      return formatTimestampIso(v as number);
    case 'DATE':
      return formatDateIso(v as number);
    case 'TIME':
      return formatTimeIso(v as number);
    case 'BYTES':
      return (v as Buffer).toString('base64');
    case 'ARRAY':
      return `[${(v as unknown[]).map((e) => valueToString(e ?? null, t.element)).join(', ')}]`;
    case 'MAP':
      return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${valueToString(k, t.key)}=${valueToString(x ?? null, t.value)}`).join(', ')}}`;
    case 'STRUCT': {
      const s = v as Struct;
      const parts = t.fields.filter((f) => s[f.name] !== null && s[f.name] !== undefined).map((f) => `${f.name}=${valueToString(s[f.name], f.type)}`);
      return `Struct{${parts.join(',')}}`;
    }
    default:
      return String(v);
  }
}

function parseIntStrict(s: string): number {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new CastError(`For input string: "${s}"`);
  const n = Number(t);
  if (n < INT_MIN || n > INT_MAX) throw new CastError(`For input string: "${s}"`);
  return n;
}

function parseLongStrict(s: string): bigint {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new CastError(`For input string: "${s}"`);
  const n = BigInt(t);
  if (n < LONG_MIN || n > LONG_MAX) throw new CastError(`For input string: "${s}"`);
  return n;
}

/** Java's Double.parseDouble (accepts NaN, Infinity, exponents, surrounding blanks). */
export function parseDoubleStrict(s: string): number {
  const t = s.trim().replace(/[dDfF]$/, '');
  if (/^[+-]?(NaN|Infinity)$/.test(t)) return Number(t);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new CastError(`For input string: "${s}"`);
  return Number(t);
}

function numberToDecimal(d: number, precision: number, scale: number): Decimal {
  if (!Number.isFinite(d)) throw new ArithmeticError(`Cannot cast ${d} to DECIMAL`);
  // new BigDecimal(double, MathContext(precision)): the double rounded to `precision` digits.
  const rounded = Decimal.parse(d.toPrecision(Math.min(100, Math.max(1, precision))));
  return fitDecimal(rounded, precision, scale);
}

/** Converter for CAST(from AS to), or undefined if ksqlDB does not support that cast. */
export function castConverter(from: SqlType, to: SqlType): Converter | undefined {
  if (typeEquals(from, to)) return (v) => v;
  const nn = (f: (v: unknown) => unknown): Converter => (v) => (v === null ? null : f(v));
  if (to.base === 'STRING') return nn((v) => valueToString(v, from));
  switch (to.base) {
    case 'INTEGER':
      switch (from.base) {
        case 'BIGINT':
          return nn((v) => longToInt(v as bigint));
        case 'DOUBLE':
          return nn((v) => doubleToInt(v as number));
        case 'DECIMAL':
          return nn((v) => longToInt((v as Decimal).toBigInt()));
        case 'STRING':
          return nn((v) => parseIntStrict(v as string));
      }
      return undefined;
    case 'BIGINT':
      switch (from.base) {
        case 'INTEGER':
          return nn((v) => BigInt(v as number));
        case 'DOUBLE':
          return nn((v) => doubleToLong(v as number));
        case 'DECIMAL':
          return nn((v) => BigInt.asIntN(64, (v as Decimal).toBigInt()));
        case 'STRING':
          return nn((v) => parseLongStrict(v as string));
      }
      return undefined;
    case 'DOUBLE':
      switch (from.base) {
        case 'INTEGER':
          return (v) => v;
        case 'BIGINT':
          return nn((v) => Number(v as bigint));
        case 'DECIMAL':
          return nn((v) => (v as Decimal).toNumber());
        case 'STRING':
          return nn((v) => parseDoubleStrict(v as string));
      }
      return undefined;
    case 'DECIMAL': {
      const { precision, scale } = to;
      switch (from.base) {
        case 'INTEGER':
        case 'BIGINT':
          return nn((v) => {
            const d = new Decimal(BigInt(v as number | bigint), 0);
            if (d.precision() > precision) fitDecimal(d, precision, scale);
            return fitDecimal(d, precision, scale);
          });
        case 'DOUBLE':
          return nn((v) => numberToDecimal(v as number, precision, scale));
        case 'DECIMAL':
          return nn((v) => fitDecimal(v as Decimal, precision, scale));
        case 'STRING':
          return nn((v) => {
            let d: Decimal;
            try {
              d = Decimal.parse(v as string);
            } catch {
              throw new CastError(`Cannot cast '${v as string}' to DECIMAL`);
            }
            return fitDecimal(d, precision, scale);
          });
      }
      return undefined;
    }
    case 'BOOLEAN':
      if (from.base === 'STRING') {
        return nn((v) => {
          const s = (v as string).trim().toLowerCase();
          if (s === 'true') return true;
          if (s === 'false') return false;
          throw new CastError(`Cannot cast '${v as string}' to BOOLEAN`);
        });
      }
      return undefined;
    case 'TIMESTAMP':
      if (from.base === 'STRING') return nn((v) => parseTimestampIso(v as string));
      if (from.base === 'DATE') return nn((v) => (v as number) * DAY_MS);
      return undefined;
    case 'DATE':
      if (from.base === 'STRING') return nn((v) => parseDateIso(v as string));
      if (from.base === 'TIMESTAMP') return nn((v) => timestampToDate(v as number));
      return undefined;
    case 'TIME':
      if (from.base === 'STRING') return nn((v) => parseTimeIso(v as string));
      if (from.base === 'TIMESTAMP') return nn((v) => timestampToTime(v as number));
      return undefined;
    case 'BYTES':
      return undefined;
    case 'ARRAY': {
      if (from.base !== 'ARRAY') return undefined;
      const el = castConverter(from.element, to.element);
      return el && nn((v) => (v as unknown[]).map((e) => (e === null || e === undefined ? null : el(e))));
    }
    case 'MAP': {
      if (from.base !== 'MAP') return undefined;
      const k = castConverter(from.key, to.key);
      const val = castConverter(from.value, to.value);
      if (!k || !val) return undefined;
      return nn((v) => {
        const out = new Map<unknown, unknown>();
        for (const [mk, mv] of v as Map<unknown, unknown>) out.set(k(mk), mv === null ? null : val(mv));
        return out;
      });
    }
    case 'STRUCT': {
      if (from.base !== 'STRUCT') return undefined;
      const convs: { name: string; conv: Converter | undefined }[] = [];
      for (const f of to.fields) {
        const src = from.fields.find((x) => x.name === f.name);
        if (!src) {
          convs.push({ name: f.name, conv: undefined });
          continue;
        }
        const c = castConverter(src.type, f.type);
        if (!c) return undefined;
        convs.push({ name: f.name, conv: c });
      }
      return nn((v) => {
        const s = v as Struct;
        const out: Struct = {};
        for (const c of convs) out[c.name] = c.conv ? c.conv(s[c.name] ?? null) : null;
        return out;
      });
    }
  }
  if (isNumeric(from) && isNumeric(to)) return undefined;
  return undefined;
}
