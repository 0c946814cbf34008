/**
 * STRUCT types that stand for a union of the schema-registry formats (ksqlDB reads an Avro union of several
 * non-null types, or a JSON Schema oneOf/anyOf of several, as a STRUCT with one optional field per branch; at
 * most one field is set). The mark lets the formats read a branch value into its field and write it back.
 */
import type { SqlType } from './sql-type.js';

const UNIONS = new WeakSet<SqlType>();

export function markUnion<T extends SqlType>(t: T): T {
  UNIONS.add(t);
  return t;
}

export function isUnion(t: SqlType): boolean {
  return UNIONS.has(t);
}

/** Connect's name for the fields of a JSON Schema oneOf/anyOf (JsonSchemaData), numbered over the non-null branches. */
export const JSON_ONE_OF_FIELD = 'io.confluent.connect.json.OneOf.field.';

/**
 * A union STRUCT that JSON_SR writes as the set field's bare value under a oneOf, as ksqlDB does when the fields
 * keep Connect's names (read with a schema id); upper-cased, it is an ordinary STRUCT (a JSON object).
 */
export function isJsonOneOf(t: SqlType): boolean {
  return t.base === 'STRUCT' && t.fields.length > 0 && t.fields.every((f) => f.name.startsWith(JSON_ONE_OF_FIELD));
}

/** Whether a decoded object is the union STRUCT itself (every key one of its fields), not a branch value. */
export function isUnionStructValue(v: unknown, t: Extract<SqlType, { base: 'STRUCT' }>): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Buffer.isBuffer(v) || Array.isArray(v)) return false;
  const names = new Set(t.fields.map((f) => f.name.toUpperCase()));
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => names.has(k.toUpperCase()));
}

/** The union field (in order) that a decoded branch value of this JavaScript kind belongs to. */
export function unionFieldFor(t: Extract<SqlType, { base: 'STRUCT' }>, v: unknown): string | undefined {
  const accepts = (f: SqlType): boolean => {
    switch (typeof v) {
      case 'boolean':
        return f.base === 'BOOLEAN';
      case 'string':
        return f.base === 'STRING';
      case 'bigint':
        return f.base === 'BIGINT';
      case 'number':
        return Number.isInteger(v) ? f.base !== 'BOOLEAN' && f.base !== 'STRING' && f.base !== 'BYTES' && f.base !== 'ARRAY' && f.base !== 'MAP' && f.base !== 'STRUCT' : f.base === 'DOUBLE' || f.base === 'DECIMAL';
      case 'object':
        if (Buffer.isBuffer(v) || v instanceof Uint8Array) return f.base === 'BYTES' || f.base === 'DECIMAL';
        if (Array.isArray(v)) return f.base === 'ARRAY';
        return f.base === 'STRUCT' || f.base === 'MAP';
      default:
        return false;
    }
  };
  return t.fields.find((f) => accepts(f.type))?.name;
}
