/**
 * Operations on runtime values of SQL types (see sql-type.ts for the representation): implicit
 * conversion between types, equality and ordering, and Java-compatible text rendering (ksqlDB's
 * CAST(x AS STRING) and string concatenation print values the way Java does).
 */
import { Decimal } from './decimal.js';
import { toDecimalType } from './coercion.js';
import { typeEquals, type SqlType, type Struct } from './sql-type.js';

export type Converter = (v: unknown) => unknown;

const identity: Converter = (v) => v;

/** Converter for an implicit (widening) cast; callers check canImplicitlyCast first. */
export function implicitConverter(from: SqlType, to: SqlType): Converter {
  if (typeEquals(from, to)) return identity;
  switch (to.base) {
    case 'BIGINT':
      return from.base === 'INTEGER' ? (v) => (v === null ? null : BigInt(v as number)) : identity;
    case 'DOUBLE':
      if (from.base === 'INTEGER') return identity;
      if (from.base === 'BIGINT') return (v) => (v === null ? null : Number(v as bigint));
      if (from.base === 'DECIMAL') return (v) => (v === null ? null : (v as Decimal).toNumber());
      return identity;
    case 'DECIMAL': {
      const scale = to.scale;
      if (from.base === 'INTEGER' || from.base === 'BIGINT') {
        return (v) => (v === null ? null : new Decimal(BigInt(v as number | bigint), 0).setScale(scale));
      }
      if (from.base === 'DECIMAL') return (v) => (v === null ? null : (v as Decimal).setScale(scale, 'HALF_UP'));
      return identity;
    }
    case 'ARRAY': {
      if (from.base !== 'ARRAY') return identity;
      const el = implicitConverter(from.element, to.element);
      if (el === identity) return identity;
      return (v) => (v === null ? null : (v as unknown[]).map(el));
    }
    case 'MAP': {
      if (from.base !== 'MAP') return identity;
      const k = implicitConverter(from.key, to.key);
      const val = implicitConverter(from.value, to.value);
      if (k === identity && val === identity) return identity;
      return (v) => {
        if (v === null) return null;
        const out = new Map<unknown, unknown>();
        for (const [mk, mv] of v as Map<unknown, unknown>) out.set(k(mk), val(mv));
        return out;
      };
    }
    case 'STRUCT': {
      if (from.base !== 'STRUCT') return identity;
      const convs = to.fields.map((f) => {
        const src = from.fields.find((x) => x.name === f.name);
        return { name: f.name, present: src !== undefined, conv: src ? implicitConverter(src.type, f.type) : identity };
      });
      return (v) => {
        if (v === null) return null;
        const s = v as Struct;
        const out: Struct = {};
        for (const c of convs) out[c.name] = c.present ? c.conv(s[c.name] ?? null) : null;
        return out;
      };
    }
    default:
      return identity;
  }
}

/** Converts an INT/BIGINT/DECIMAL value to Decimal (for mixed DECIMAL arithmetic). */
export function toDecimalValue(v: unknown, from: SqlType): Decimal {
  if (from.base === 'DECIMAL') return v as Decimal;
  return new Decimal(BigInt(v as number | bigint), 0).setScale(toDecimalType(from).scale);
}

/** SQL equality of two non-null values of the same (already unified) type. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof Decimal) return b instanceof Decimal && a.compareTo(b) === 0;
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b);
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i] ?? null, b[i] ?? null) && !(a[i] === null && b[i] === null)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k)) return false;
      const w = b.get(k);
      if (!(v === null && w === null) && !valuesEqual(v, w)) return false;
    }
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      const x = (a as Struct)[k] ?? null;
      const y = (b as Struct)[k] ?? null;
      if (!(x === null && y === null) && !valuesEqual(x, y)) return false;
    }
    return true;
  }
  return false;
}

/** Ordering of two non-null comparable values of the same type (numbers, strings, decimals, bytes...). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Decimal && b instanceof Decimal) return a.compareTo(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return 0;
}

/** Java's String.compareTo: lexicographic by UTF-16 code unit. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Java's Double.toString: "1.0", "0.001", "1.0E7", "1.234E-5", "NaN", "Infinity". */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  // Scientific: shortest digits, mantissa with at least one fraction digit.
  const [mantissa, exp] = d.toExponential().split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
