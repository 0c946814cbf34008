/**
 * Test-file values of topics in the schema-registry formats, read as ksqlDB's test runner reads them: it converts
 * a test file's JSON to the topic's Connect schema leniently (a number's text for INT32/INT64, so a DATE or TIME
 * may be given as "6"), where the JSON format's own reader takes what ksqlDB's JSON deserializer takes.
 */
import { JsonNumber, type JsonValue } from '../serde/json-text.js';
import { fieldCaseInsensitive, readJsonValue } from '../serde/json-values.js';
import type { SqlType, Struct } from '../types/sql-type.js';
import { isUnion } from '../types/union.js';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

function isObject(node: JsonValue): node is { [k: string]: JsonValue } {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof JsonNumber);
}

export function readSpecValue(node: JsonValue, t: SqlType, path = '$'): unknown {
  if (node === null) return null;
  switch (t.base) {
    case 'DATE':
    case 'TIME':
      return typeof node === 'string' && INTEGER_TEXT.test(node) ? Number(node) : readJsonValue(node, t, path);
    case 'ARRAY':
      return Array.isArray(node) ? node.map((e, i) => readSpecValue(e, t.element, `${path}[${i}]`)) : readJsonValue(node, t, path);
    case 'MAP': {
      if (!isObject(node) || t.key.base !== 'STRING') return readJsonValue(node, t, path);
      const out = new Map<unknown, unknown>();
      for (const [k, v] of Object.entries(node)) out.set(k, readSpecValue(v, t.value, `${path}.${k}`));
      return out;
    }
    case 'STRUCT': {
      if (!isObject(node) || isUnion(t)) return readJsonValue(node, t, path);
      const out: Struct = {};
      for (const f of t.fields) out[f.name] = readSpecValue(fieldCaseInsensitive(node, f.name) ?? null, f.type, `${path}.${f.name}`);
      return out;
    }
    default:
      return readJsonValue(node, t, path);
  }
}
