/**
 * ksqlDB's mapping between SQL types and JSON Schema (JSON_SR): sink schemas with optional fields
 * (`oneOf: [null, T]`) and Connect type hints, and SQL types inferred from a registered JSON Schema.
 */
import { SerdeError } from '../../serde/serde.js';
import * as T from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';

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
      return jsonObjectSchema(t.fields);
  }
}

export function jsonObjectSchema(fields: readonly { name: string; type: SqlType }[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  fields.forEach((f, i) => (properties[f.name] = { ...optional(jsonSchemaOf(f.type)), 'connect.index': i }));
  return { type: 'object', properties };
}

function nonNull(s: JsonSchema, where: string): JsonSchema {
  const alts = (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
  if (alts) {
    const branches = alts.filter((b) => b.type !== 'null');
    if (branches.length !== 1) throw new SerdeError(`${where}: JSON Schema unions other than [null, T] are not supported`);
    return nonNull(branches[0]!, where);
  }
  if (Array.isArray(s.type)) {
    const types = (s.type as string[]).filter((x) => x !== 'null');
    if (types.length !== 1) throw new SerdeError(`${where}: JSON Schema type lists other than [null, T] are not supported`);
    return { ...s, type: types[0] };
  }
  return s;
}

/** The SQL type of a JSON Schema; `$ref`s into `definitions`/`$defs` of the root are followed. */
export function sqlTypeOfJsonSchema(schema: JsonSchema, where: string, root: JsonSchema = schema, original = false): SqlType {
  let s = nonNull(schema, where);
  if (typeof s.$ref === 'string') {
    const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(s.$ref);
    const target = m ? ((root[m[1]!] as Record<string, JsonSchema> | undefined)?.[m[2]!]) : undefined;
    if (!target) throw new SerdeError(`${where}: unsupported $ref ${s.$ref}`);
    s = nonNull(target, where);
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
