/**
 * ARRAY, MAP and STRUCT values between SQL (Array, Map, Struct) and the plain arrays and objects the format
 * libraries read and write, element by element with a format's own scalar conversion.
 */
import type { SqlType, Struct } from '../types/sql-type.js';

type Composite = Extract<SqlType, { base: 'ARRAY' | 'MAP' | 'STRUCT' }>;

/** A field of a decoded record or message, matched case-insensitively (SQL names are upper case). */
export function fieldIgnoringCase(obj: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const upper = name.toUpperCase();
  for (const k of Object.keys(obj)) if (k.toUpperCase() === upper) return obj[k];
  return null;
}

export function compositeToPlain(v: unknown, t: Composite, convert: (v: unknown, t: SqlType) => unknown): unknown {
  switch (t.base) {
    case 'ARRAY':
      return (v as unknown[]).map((e) => convert(e, t.element));
    case 'MAP': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) out[String(k)] = convert(x, t.value);
      return out;
    }
    case 'STRUCT': {
      const s = v as Struct;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = convert(s[f.name] ?? null, f.type);
      return out;
    }
  }
}

function mapKey(k: string, t: SqlType): unknown {
  return t.base === 'STRING' ? k : t.base === 'BIGINT' ? BigInt(k) : Number(k);
}

export function compositeFromPlain(v: unknown, t: Composite, where: string, convert: (v: unknown, t: SqlType, where: string) => unknown): unknown {
  switch (t.base) {
    case 'ARRAY':
      return (v as unknown[]).map((e) => convert(e, t.element, where));
    case 'MAP': {
      const out = new Map<unknown, unknown>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.set(mapKey(k, t.key), convert(x, t.value, where));
      return out;
    }
    case 'STRUCT': {
      const obj = v as Record<string, unknown>;
      const out: Struct = {};
      for (const f of t.fields) out[f.name] = convert(fieldIgnoringCase(obj, f.name), f.type, `${where}.${f.name}`);
      return out;
    }
  }
}
