/**
 * ksqlDB's mapping between SQL types and JSON Schema (JSON_SR): sink schemas with optional fields
 * (`oneOf: [null, T]`) and Connect type hints, and SQL types inferred from a registered JSON Schema (a oneOf /
 * anyOf of several types → a STRUCT with one optional field per alternative, as ksqlDB reads them).
 */
import { SerdeError } from '../../serde/serde.js';
import * as T from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { isJsonOneOf, JSON_ONE_OF_FIELD, markUnion } from '../types/union.js';

type JsonSchema = { [k: string]: unknown };

function optional(s: JsonSchema): JsonSchema {
  return { oneOf: [{ type: 'null' }, s] };
}

export function jsonSchemaOf(t: SqlType): JsonSchema {
  switch (t.base) {
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'INTEGER':
      return { type: 'integer', 'connect.type': 'int32' };
    case 'BIGINT':
      return { type: 'integer', 'connect.type': 'int64' };
    case 'DOUBLE':
      return { type: 'number', 'connect.type': 'float64' };
    case 'DECIMAL':
      return { type: 'number', title: 'org.apache.kafka.connect.data.Decimal', 'connect.parameters': { scale: String(t.scale), 'connect.decimal.precision': String(t.precision) } };
    case 'STRING':
      return { type: 'string' };
    case 'BYTES':
      return { type: 'string', 'connect.type': 'bytes' };
    case 'DATE':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Date', 'connect.type': 'int32' };
    case 'TIME':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Time', 'connect.type': 'int32' };
    case 'TIMESTAMP':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Timestamp', 'connect.type': 'int64' };
    case 'ARRAY':
      return { type: 'array', items: optional(jsonSchemaOf(t.element)) };
    case 'MAP':
      return { type: 'object', additionalProperties: optional(jsonSchemaOf(t.value)), 'connect.type': 'map' };
    case 'STRUCT':
      return isJsonOneOf(t) ? { oneOf: t.fields.map((f) => jsonSchemaOf(f.type)) } : jsonObjectSchema(t.fields);
  }
}

export function jsonObjectSchema(fields: readonly { name: string; type: SqlType }[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  fields.forEach((f, i) => (properties[f.name] = { ...optional(jsonSchemaOf(f.type)), 'connect.index': i }));
  return { type: 'object', properties };
}

/** The non-null alternatives of a oneOf / anyOf / type list; undefined for any other schema. */
function alternatives(s: JsonSchema): JsonSchema[] | undefined {
  const alts = (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
  if (alts) return alts.filter((b) => b.type !== 'null');
  if (Array.isArray(s.type)) return (s.type as string[]).filter((x) => x !== 'null').map((x) => ({ ...s, type: x }));
  return undefined;
}

/** The SQL type of a JSON Schema; `$ref`s into `definitions`/`$defs` of the root are followed. */
export function sqlTypeOfJsonSchema(schema: JsonSchema, where: string, root: JsonSchema = schema, original = false): SqlType {
  const alts = alternatives(schema);
  if (alts) {
    if (alts.length === 0) throw new SerdeError(`${where}: a JSON Schema of null alone has no SQL type`);
    if (alts.length === 1) return sqlTypeOfJsonSchema(alts[0]!, where, root, original);
    // several alternatives: a STRUCT of one optional field per alternative, as ksqlDB reads Connect's OneOf
    return markUnion(T.struct(alts.map((a, i) => {
      const name = `${JSON_ONE_OF_FIELD}${i}`;
      return { name: original ? name : name.toUpperCase(), type: sqlTypeOfJsonSchema(a, `${where}.${name}`, root, original) };
    })));
  }
  let s = schema;
  if (typeof s.$ref === 'string') {
    const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(s.$ref);
    const target = m ? ((root[m[1]!] as Record<string, JsonSchema> | undefined)?.[m[2]!]) : undefined;
    if (!target) throw new SerdeError(`${where}: unsupported $ref ${s.$ref}`);
    return sqlTypeOfJsonSchema(target, where, root, original);
  }
  const title = s.title;
  if (title === 'org.apache.kafka.connect.data.Decimal') {
    const p = (s['connect.parameters'] ?? {}) as Record<string, string>;
    return T.decimal(Number(p['connect.decimal.precision'] ?? 64), Number(p.scale ?? 0));
  }
  if (title === 'org.apache.kafka.connect.data.Date') return T.DATE;
  if (title === 'org.apache.kafka.connect.data.Time') return T.TIME;
  if (title === 'org.apache.kafka.connect.data.Timestamp') return T.TIMESTAMP;
  switch (s.type) {
    case 'boolean':
      return T.BOOLEAN;
    case 'integer':
      return s['connect.type'] === 'int32' || s['connect.type'] === 'int16' || s['connect.type'] === 'int8' ? T.INTEGER : T.BIGINT;
    case 'number':
      return T.DOUBLE;
    case 'string':
      return s['connect.type'] === 'bytes' ? T.BYTES : T.STRING;
    case 'array':
      return T.array(sqlTypeOfJsonSchema((s.items ?? {}) as JsonSchema, where, root, original));
    case 'object': {
      if (s.properties === undefined && s.additionalProperties && typeof s.additionalProperties === 'object') {
        return T.map(T.STRING, sqlTypeOfJsonSchema(s.additionalProperties as JsonSchema, where, root, original));
      }
      const props = Object.entries((s.properties ?? {}) as Record<string, JsonSchema>);
      return T.struct(props.map(([name, p]) => ({ name: original ? name : name.toUpperCase(), type: sqlTypeOfJsonSchema(p, `${where}.${name}`, root, original) })));
    }
    default:
      throw new SerdeError(`${where}: JSON Schema type ${JSON.stringify(s.type)} has no SQL type`);
  }
}
