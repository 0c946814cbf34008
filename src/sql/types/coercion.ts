/**
 * Implicit type coercion as ksqlDB defines it (docs: "Type Coercion and Casting"): numbers widen
 * INT → BIGINT → DECIMAL → DOUBLE; ARRAY/MAP/STRUCT coerce element-wise; expression lists (IN,
 * CASE, ARRAY[...], COALESCE) take the common type of their non-null members.
 */
import {
  BIGINT,
  BIGINT_AS_DECIMAL,
  DOUBLE,
  INT_AS_DECIMAL,
  INTEGER,
  array,
  decimal,
  isNumeric,
  map,
  struct,
  typeEquals,
  type SqlType,
  type StructField,
  type TypeOf,
} from './sql-type.js';

const NUMERIC_RANK: Record<string, number> = { INTEGER: 0, BIGINT: 1, DECIMAL: 2, DOUBLE: 3 };

export function toDecimalType(t: SqlType): TypeOf<'DECIMAL'> {
  if (t.base === 'DECIMAL') return t;
  if (t.base === 'INTEGER') return INT_AS_DECIMAL as TypeOf<'DECIMAL'>;
  if (t.base === 'BIGINT') return BIGINT_AS_DECIMAL as TypeOf<'DECIMAL'>;
  throw new Error(`internal: cannot convert ${t.base} to DECIMAL`);
}

/** DECIMAL wide enough for both, as DecimalUtil.widen. */
export function widenDecimal(a: SqlType, b: SqlType): SqlType {
  const l = toDecimalType(a);
  const r = toDecimalType(b);
  const whole = Math.max(l.precision - l.scale, r.precision - r.scale);
  const scale = Math.max(l.scale, r.scale);
  return decimal(whole + scale, scale);
}

/** Whether a value of `from` may be used where `to` is expected without an explicit CAST. */
export function canImplicitlyCast(from: SqlType, to: SqlType): boolean {
  if (typeEquals(from, to)) return true;
  if (isNumeric(from) && isNumeric(to)) {
    if (from.base === 'DECIMAL' && to.base === 'DECIMAL') {
      return from.scale <= to.scale && from.precision - from.scale <= to.precision - to.scale;
    }
    if (to.base === 'DECIMAL') {
      if (from.base === 'DOUBLE') return false;
      const f = toDecimalType(from);
      return f.precision - f.scale <= to.precision - to.scale;
    }
    return NUMERIC_RANK[from.base]! < NUMERIC_RANK[to.base]!;
  }
  if (from.base === 'ARRAY' && to.base === 'ARRAY') return canImplicitlyCast(from.element, to.element);
  if (from.base === 'MAP' && to.base === 'MAP') return canImplicitlyCast(from.key, to.key) && canImplicitlyCast(from.value, to.value);
  if (from.base === 'STRUCT' && to.base === 'STRUCT') {
    return from.fields.every((f) => {
      const t = to.fields.find((x) => x.name === f.name);
      return t === undefined || canImplicitlyCast(f.type, t.type);
    });
  }
  return false;
}

/** The wider of two numeric types. */
export function widerNumeric(a: SqlType, b: SqlType): SqlType {
  if (a.base === 'DOUBLE' || b.base === 'DOUBLE') return DOUBLE;
  if (a.base === 'DECIMAL' || b.base === 'DECIMAL') return widenDecimal(a, b);
  if (a.base === 'BIGINT' || b.base === 'BIGINT') return BIGINT;
  return INTEGER;
}

/**
 * Common type of an expression list, or undefined when the members cannot be coerced to one.
 * `null` entries stand for NULL literals (typeless); all-null lists have no type (undefined).
 */
export function commonType(types: readonly (SqlType | null)[]): SqlType | undefined | 'none' {
  let acc: SqlType | undefined;
  for (const t of types) {
    if (t === null) continue;
    if (acc === undefined) {
      acc = t;
      continue;
    }
    const next = commonPair(acc, t);
    if (next === undefined) return 'none';
    acc = next;
  }
  return acc;
}

function commonPair(a: SqlType, b: SqlType): SqlType | undefined {
  if (typeEquals(a, b)) return a;
  if (isNumeric(a) && isNumeric(b)) return widerNumeric(a, b);
  if (a.base === 'ARRAY' && b.base === 'ARRAY') {
    const e = commonPair(a.element, b.element);
    return e && array(e);
  }
  if (a.base === 'MAP' && b.base === 'MAP') {
    const k = commonPair(a.key, b.key);
    const v = commonPair(a.value, b.value);
    return k && v && map(k, v);
  }
  if (a.base === 'STRUCT' && b.base === 'STRUCT') {
    const fields: StructField[] = [...a.fields];
    for (const f of b.fields) {
      const i = fields.findIndex((x) => x.name === f.name);
      if (i < 0) fields.push(f);
      else {
        const t = commonPair(fields[i]!.type, f.type);
        if (!t) return undefined;
        fields[i] = { name: f.name, type: t };
      }
    }
    return struct(fields);
  }
  return undefined;
}

/** Result type of a binary arithmetic operator on numeric operands (ksqlDB's rules). */
export function arithmeticResultType(op: '+' | '-' | '*' | '/' | '%', a: SqlType, b: SqlType): SqlType {
  if (a.base === 'DOUBLE' || b.base === 'DOUBLE') return DOUBLE;
  if (a.base === 'DECIMAL' || b.base === 'DECIMAL') {
    const l = toDecimalType(a);
    const r = toDecimalType(b);
    switch (op) {
      case '+':
      case '-': {
        const scale = Math.max(l.scale, r.scale);
        return decimal(scale + Math.max(l.precision - l.scale, r.precision - r.scale) + 1, scale);
      }
      case '*':
        return decimal(l.precision + r.precision + 1, l.scale + r.scale);
      case '/': {
        const scale = Math.max(6, l.scale + r.precision + 1);
        return decimal(l.precision - l.scale + r.scale + scale, scale);
      }
      case '%': {
        const scale = Math.max(l.scale, r.scale);
        return decimal(Math.min(l.precision - l.scale, r.precision - r.scale) + scale, scale);
      }
    }
  }
  if (a.base === 'BIGINT' || b.base === 'BIGINT') return BIGINT;
  return INTEGER;
}
