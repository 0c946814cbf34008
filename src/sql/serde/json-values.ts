/**
 * Conversion between JSON and SQL values for ksqlDB's JSON format: writing typed values as JSON
 * text (exact BIGINT/DECIMAL digits, TIMESTAMP as epoch millis, DATE as days, TIME as millis of
 * day, BYTES as base64) and reading parsed JSON into typed values with ksqlDB's leniency
 * (numbers from strings, case-insensitive struct fields, any JSON as STRING).
 */
import { Decimal, fitDecimal } from '../types/decimal.js';
import { formatDouble } from '../types/values.js';
import type { SqlType, Struct } from '../types/sql-type.js';
import { parseTimestampIso } from '../time/iso-time.js';
import { SerdeError } from '../../serde/serde.js';
import { JsonNumber, stringifyJson, type JsonValue } from './json-text.js';
import { isJsonOneOf, isUnion, isUnionStructValue, unionFieldFor } from '../types/union.js';

// ------------------------------------------------------------ writing

export function writeJsonValue(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.base) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'INTEGER':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return String(v);
    case 'BIGINT':
      return (v as bigint).toString();
    case 'DOUBLE': {
      const d = v as number;
      return Number.isFinite(d) ? formatDouble(d) : JSON.stringify(formatDouble(d));
    }
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'STRING':
      return JSON.stringify(v);
    case 'BYTES':
      return JSON.stringify((v as Buffer).toString('base64'));
    case 'ARRAY':
      return `[${(v as unknown[]).map((e) => writeJsonValue(e ?? null, t.element)).join(',')}]`;
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) {
        const key = typeof k === 'string' ? k : k instanceof Decimal ? k.toString() : String(k);
        parts.push(`${JSON.stringify(key)}:${writeJsonValue(x ?? null, t.value)}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'STRUCT': {
      const s = v as Struct;
      if (isJsonOneOf(t)) {
        const set = t.fields.find((f) => s[f.name] !== null && s[f.name] !== undefined);
        return set ? writeJsonValue(s[set.name], set.type) : 'null';
      }
      return `{${t.fields.map((f) => `${JSON.stringify(f.name)}:${writeJsonValue(s[f.name] ?? null, f.type)}`).join(',')}}`;
    }
  }
}

/** A JSON object with the given names and types, from row values. */
export function writeJsonObject(names: readonly string[], types: readonly SqlType[], values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i) out += ',';
    out += `${JSON.stringify(names[i])}:${writeJsonValue(values[i] ?? null, types[i]!)}`;
  }
  return out + '}';
}

// ------------------------------------------------------------ reading

function bad(path: string, expected: string, got: JsonValue): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'ARRAY' : got instanceof JsonNumber ? 'NUMBER' : typeof got === 'object' ? 'OBJECT' : typeof got;
  throw new SerdeError(`Can't convert type. sourceType: ${kind}, requiredType: ${expected}, path: ${path}`);
}

const isNumber = (n: JsonValue): n is number | JsonNumber => typeof n === 'number' || n instanceof JsonNumber;
const numText = (n: number | JsonNumber): string => (typeof n === 'number' ? String(n) : n.text);

function toBigInt(n: number | JsonNumber | string, path: string): bigint {
  const text = typeof n === 'string' ? n.trim() : numText(n);
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  const d = Number(text);
  if (!Number.isFinite(d)) throw new SerdeError(`Can't convert '${text}' to an integer, path: ${path}`);
  // Jackson's longValue(): truncation toward zero.
  return BigInt(Math.trunc(d));
}

export function readJsonValue(node: JsonValue, t: SqlType, path = '$'): unknown {
  if (node === null) return null;
  switch (t.base) {
    case 'BOOLEAN':
      if (typeof node === 'boolean') return node;
      if (typeof node === 'string' && /^(true|false)$/i.test(node)) return node.toLowerCase() === 'true';
      return bad(path, 'BOOLEAN', node);
    case 'INTEGER':
      if (isNumber(node) || typeof node === 'string') {
        const v = toBigInt(node, path);
        return Number(BigInt.asIntN(32, v));
      }
      return bad(path, 'INTEGER', node);
    case 'BIGINT':
      if (isNumber(node) || typeof node === 'string') return BigInt.asIntN(64, toBigInt(node, path));
      return bad(path, 'BIGINT', node);
    case 'DOUBLE':
      if (typeof node === 'number') return node;
      if (node instanceof JsonNumber) return node.toNumber();
      if (typeof node === 'string' && node.trim() !== '' && !Number.isNaN(Number(node))) return Number(node);
      // Jackson writes non-finite doubles as strings (as ksqlDB's JSON serializer does).
      if (node === 'NaN') return NaN;
      if (node === 'Infinity' || node === '-Infinity') return Number(node);
      return bad(path, 'DOUBLE', node);
    case 'DECIMAL': {
      let d: Decimal;
      if (isNumber(node)) d = Decimal.parse(numText(node));
      else if (typeof node === 'string') {
        try {
          d = Decimal.parse(node);
        } catch {
          return bad(path, 'DECIMAL', node);
        }
      } else return bad(path, 'DECIMAL', node);
      try {
        return fitDecimal(d, t.precision, t.scale);
      } catch (e) {
        throw new SerdeError(`${(e as Error).message}, path: ${path}`);
      }
    }
    case 'STRING':
      if (typeof node === 'string') return node;
      return stringifyJson(node);
    case 'TIMESTAMP':
    case 'TIME':
    case 'DATE':
      if (isNumber(node)) return Number(toBigInt(node, path));
      if (typeof node === 'string' && t.base === 'TIMESTAMP') {
        try {
          return /^-?\d+$/.test(node) ? Number(node) : parseTimestampIso(node);
        } catch {
          return bad(path, t.base, node);
        }
      }
      return bad(path, t.base, node);
    case 'BYTES':
      if (typeof node === 'string') return Buffer.from(node, 'base64');
      return bad(path, 'BYTES', node);
    case 'ARRAY':
      if (!Array.isArray(node)) return bad(path, 'ARRAY', node);
      return node.map((e, i) => readJsonValue(e, t.element, `${path}[${i}]`));
    case 'MAP': {
      if (typeof node !== 'object' || Array.isArray(node) || node instanceof JsonNumber) return bad(path, 'MAP', node);
      const out = new Map<unknown, unknown>();
      for (const [k, v] of Object.entries(node)) {
        out.set(t.key.base === 'STRING' ? k : readJsonValue(k, t.key, `${path}.${k}`), readJsonValue(v, t.value, `${path}.${k}`));
      }
      return out;
    }
    case 'STRUCT': {
      if (isUnion(t)) return readUnion(node, t, path);
      if (typeof node !== 'object' || Array.isArray(node) || node instanceof JsonNumber) return bad(path, 'STRUCT', node);
      const out: Struct = {};
      for (const f of t.fields) out[f.name] = readJsonValue(fieldCaseInsensitive(node, f.name) ?? null, f.type, `${path}.${f.name}`);
      return out;
    }
  }
}

/** A JSON Schema oneOf/anyOf value as its STRUCT: the first alternative of the value's kind gets it. */
function readUnion(node: JsonValue, t: Extract<SqlType, { base: 'STRUCT' }>, path: string): Struct {
  const out: Struct = {};
  for (const f of t.fields) out[f.name] = null;
  // the STRUCT itself (as a sink with upper-cased field names writes it): read as an ordinary STRUCT (an unmarked copy)
  if (isUnionStructValue(node, t)) return readJsonValue(node, { ...t }, path) as Struct;
  const probe = node instanceof JsonNumber ? (/^-?\d+$/.test(node.text) ? 0 : 0.5) : node;
  const name = unionFieldFor(t, probe);
  if (name === undefined) return bad(path, 'STRUCT', node);
  out[name] = readJsonValue(node, t.fields.find((f) => f.name === name)!.type, `${path}.${name}`);
  return out;
}

/** ksqlDB matches JSON fields to columns by exact name, then case-insensitively. */
export function fieldCaseInsensitive(obj: { [k: string]: JsonValue }, name: string): JsonValue | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const upper = name.toUpperCase();
  for (const k of Object.keys(obj)) if (k.toUpperCase() === upper) return obj[k];
  return undefined;
}
