/**
 * Coercion of user-supplied expression lists — `x IN (a, b, ...)`, `ARRAY[...]`, `MAP(k := v, ...)`
 * — to one common type, with ksqlDB's rules (CoercionUtil):
 *
 * - the list is read in order; the first typed member sets the type, NULL literals are skipped;
 * - numbers widen (INT → BIGINT → DECIMAL → DOUBLE), structs take the union of their fields,
 *   array/map/struct constructors are resolved element by element;
 * - literals are coerced leniently: a string literal may become a number or a boolean it spells
 *   ('4.000', 'yes'), and a number, boolean or temporal literal may become a string;
 * - other expressions only widen, and are wrapped in a CAST to the common type;
 * - an incompatible member is an error: `operator does not exist: <target> = <type> (<expr>)`.
 */
import { fail, NO_POS, SqlError } from '../errors.js';
import { castConverter } from '../types/cast.js';
import { widenDecimal } from '../types/coercion.js';
import { Decimal } from '../types/decimal.js';
import { BIGINT, DOUBLE, INTEGER, array, decimal, formatType, isNumeric, map, struct, typeEquals, type SqlType, type StructField } from '../types/sql-type.js';
import type { TExpr } from '../expr/typed-expr.js';

export interface UserListResult {
  /** undefined when every member is a NULL literal (or the list is empty). */
  readonly type: SqlType | undefined;
  readonly exprs: TExpr[];
}

export function coerceUserList(exprs: readonly TExpr[]): UserListResult {
  let type: SqlType | undefined;
  for (const e of exprs) type = commonWith(e, type);
  if (type === undefined) return { type, exprs: [...exprs] };
  const target = type;
  return { type, exprs: exprs.map((e) => toCommonType(e, target)) };
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

function commonWith(e: TExpr, acc: SqlType | undefined): SqlType | undefined {
  if (acc === undefined) return e.type ?? undefined;
  if (e.type === null) return acc;
  switch (e.k) {
    case 'array':
      if (acc.base !== 'ARRAY') throw mismatch(e, acc);
      return withCause(e, acc, () => array(structuredCommon(acc.element, e.elements)));
    case 'map': {
      if (acc.base !== 'MAP') throw mismatch(e, acc);
      return withCause(e, acc, () =>
        map(
          structuredCommon(
            acc.key,
            e.entries.map((x) => x.key),
          ),
          structuredCommon(
            acc.value,
            e.entries.map((x) => x.value),
          ),
        ),
      );
    }
    case 'struct': {
      if (acc.base !== 'STRUCT') throw mismatch(e, acc);
      return withCause(e, acc, () => {
        const names = [...new Set([...e.fields.map((f) => f.name), ...acc.fields.map((f) => f.name)])];
        const fields: StructField[] = names.map((name) => {
          const src = e.fields.find((f) => f.name === name);
          const dst = acc.fields.find((f) => f.name === name);
          if (!dst) return { name, type: src!.value.type! };
          if (!src) return dst;
          return { name, type: commonWith(src.value, dst.type)! };
        });
        return struct(fields);
      });
    }
    default:
      break;
  }
  if (e.k === 'literal' && typeof e.value === 'string' && e.type.base === 'STRING') {
    if (isNumeric(acc)) return numericFromString(e, e.value, acc);
    if (acc.base === 'BOOLEAN') {
      if (parseBooleanExact(e.value.trim()) === undefined) invalidSyntax(e, e.value, acc);
      return acc;
    }
  }
  const lax = e.k === 'literal';
  const common = canCoerce(e.type, acc, lax) ?? canCoerce(acc, e.type, lax);
  if (!common) throw mismatch(e, acc);
  return common;
}

/** The common type of a constructor's members against the target's element type. */
function structuredCommon(target: SqlType, members: readonly TExpr[]): SqlType {
  let acc: SqlType | undefined = target;
  for (const m of members) acc = commonWith(m, acc);
  return acc ?? target;
}

/** A member that cannot be coerced; a constructor containing one is reported as a whole. */
class CoercionMismatch extends SqlError {}

function mismatch(e: TExpr, target: SqlType): CoercionMismatch {
  const source = e.type ? formatType(e.type) : 'null';
  const message = `operator does not exist: ${formatType(target)} = ${source} (${e.sql})\nHint: You might need to add explicit type casts.`;
  return new CoercionMismatch(message, e.pos ?? NO_POS);
}

function withCause(e: TExpr, target: SqlType, f: () => SqlType): SqlType {
  try {
    return f();
  } catch (err) {
    if (err instanceof CoercionMismatch) throw mismatch(e, target);
    throw err;
  }
}

function invalidSyntax(e: TExpr, value: string, target: SqlType): never {
  return fail(`invalid input syntax for type ${target.base}: "${value}".`, e.pos);
}

/** The type a string literal takes next to numbers: INT, BIGINT or the DECIMAL it spells. */
function numericFromString(e: TExpr, value: string, target: SqlType): SqlType {
  let d: Decimal;
  try {
    d = Decimal.parse(value.trim());
  } catch {
    return invalidSyntax(e, value, target);
  }
  let source: SqlType;
  const plainInteger = !/[.eE]/.test(value) && d.scale === 0;
  const bi = d.unscaled;
  // ksqlDB's bounds are exclusive at both ends.
  if (plainInteger && bi > INT_MIN && bi < INT_MAX) source = INTEGER;
  else if (plainInteger && bi > LONG_MIN && bi < LONG_MAX) source = BIGINT;
  else source = decimalOfValue(d);
  if (source.base === 'DOUBLE' || target.base === 'DOUBLE') return DOUBLE;
  if (source.base === 'DECIMAL' || target.base === 'DECIMAL') return widenDecimal(source, target);
  return source.base === 'INTEGER' ? target : target.base === 'INTEGER' ? source : target;
}

function decimalOfValue(d: Decimal): SqlType {
  const precision = d.precision() <= d.scale ? d.scale + 1 : d.precision();
  return decimal(precision, Math.max(d.scale, 0));
}

const TO_STRING_LAX = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DECIMAL', 'DOUBLE', 'TIMESTAMP', 'TIME', 'DATE']);
const FROM_STRING_LAX = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DECIMAL', 'DOUBLE']);
const FROM_STRING_STRICT = new Set(['TIMESTAMP', 'TIME', 'DATE', 'BYTES']);

/** The type both can be held in when `from` values coerce to `to` (DefaultSqlValueCoercer.canCoerce). */
function canCoerce(from: SqlType, to: SqlType, lax: boolean): SqlType | undefined {
  const f = from.base;
  const t = to.base;
  if (f === t && ['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'TIMESTAMP', 'TIME', 'DATE', 'BYTES'].includes(f)) return to;
  if ((f === 'INTEGER' || f === 'BIGINT') && (t === 'BIGINT' || t === 'DOUBLE')) return to;
  if ((f === 'INTEGER' || f === 'BIGINT' || f === 'DECIMAL') && t === 'DECIMAL') return widenDecimal(from, to);
  if (f === 'DECIMAL' && t === 'DOUBLE') return to;
  if (f === 'STRING' && FROM_STRING_STRICT.has(t)) return to;
  if (from.base === 'ARRAY' && to.base === 'ARRAY') {
    const el = canCoerce(from.element, to.element, lax);
    return el && array(el);
  }
  if (from.base === 'MAP' && to.base === 'MAP') {
    const k = canCoerce(from.key, to.key, lax);
    const v = k && canCoerce(from.value, to.value, lax);
    return k && v && map(k, v);
  }
  if (from.base === 'STRUCT' && to.base === 'STRUCT') {
    const names = [...new Set([...from.fields.map((x) => x.name), ...to.fields.map((x) => x.name)])];
    const fields: StructField[] = [];
    for (const name of names) {
      const a = from.fields.find((x) => x.name === name);
      const b = to.fields.find((x) => x.name === name);
      if (!a) fields.push(b!);
      else if (!b) fields.push(a);
      else {
        const c = canCoerce(a.type, b.type, lax);
        if (!c) return undefined;
        fields.push({ name, type: c });
      }
    }
    return struct(fields);
  }
  if (lax && t === 'STRING' && TO_STRING_LAX.has(f)) return to;
  if (lax && f === 'STRING' && FROM_STRING_LAX.has(t)) return to;
  return undefined;
}

/** ksqlDB's lenient boolean spelling: any case-insensitive prefix of true/yes/false/no. */
export function parseBooleanExact(s: string): boolean | undefined {
  if (s === '') return undefined;
  const l = s.toLowerCase();
  if ('true'.startsWith(l) || 'yes'.startsWith(l)) return true;
  if ('false'.startsWith(l) || 'no'.startsWith(l)) return false;
  return undefined;
}

function toCommonType(e: TExpr, target: SqlType): TExpr {
  if (e.type === null) return { ...e, type: target };
  if (typeEquals(e.type, target)) return e;
  if (e.k === 'literal') return { ...e, value: coerceLiteral(e, e.type, target), type: target };
  const conv = castConverter(e.type, target);
  if (!conv) throw mismatch(e, target);
  return { k: 'convert', expr: e, conv, explicit: true, type: target, pos: e.pos, sql: e.sql };
}

function coerceLiteral(e: TExpr, from: SqlType, to: SqlType): unknown {
  const v = (e as { value: unknown }).value;
  if (v === null) return null;
  if (from.base === 'STRING' && to.base === 'BOOLEAN') {
    const b = parseBooleanExact((v as string).trim());
    return b ?? invalidSyntax(e, v as string, to);
  }
  if (from.base === 'DECIMAL' && to.base === 'STRING') return (v as Decimal).toString();
  const conv = castConverter(from, to);
  if (!conv) throw mismatch(e, to);
  try {
    return conv(v);
  } catch {
    return invalidSyntax(e, String(v), to);
  }
}

