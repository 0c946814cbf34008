/**
 * Which schemas each format can carry (ksqlDB's Format.supportsKeyType / schema checks):
 * KAFKA: one column of INT, BIGINT, DOUBLE, STRING or BYTES; DELIMITED: no ARRAY/MAP/STRUCT;
 * NONE: no columns; JSON: anything.
 */
import { fail, type SourcePos } from '../errors.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import type { FormatInfo } from './metastore.js';
import type { Column, LogicalSchema } from './schema.js';

function kafkaType(t: SqlType): boolean {
  return t.base === 'INTEGER' || t.base === 'BIGINT' || t.base === 'DOUBLE' || t.base === 'STRING' || t.base === 'BYTES';
}

function describe(columns: readonly Column[], key: boolean): string {
  return `[${columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${key ? ' KEY' : ''}`).join(', ')}]`;
}

function containsMap(t: SqlType): boolean {
  switch (t.base) {
    case 'MAP':
      return true;
    case 'ARRAY':
      return containsMap(t.element);
    case 'STRUCT':
      return t.fields.some((f) => containsMap(f.type));
    default:
      return false;
  }
}

function hasNonStringMapKey(t: SqlType): boolean {
  switch (t.base) {
    case 'MAP':
      return t.key.base !== 'STRING' || hasNonStringMapKey(t.value);
    case 'ARRAY':
      return hasNonStringMapKey(t.element);
    case 'STRUCT':
      return t.fields.some((f) => hasNonStringMapKey(f.type));
    default:
      return false;
  }
}

/** Why a name cannot be an Avro record or field name (Avro's own messages), or undefined. */
function avroNameProblem(name: string): string | undefined {
  if (!/^[\p{L}_]/u.test(name)) return `Illegal initial character: ${name}`;
  if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name)) return `Illegal character in: ${name}`;
  return undefined;
}

/** The first column or nested STRUCT field whose name Avro rejects (a single unwrapped column's name is not written). */
function avroNamesProblem(columns: readonly Column[], unwrapped: boolean): string | undefined {
  const inType = (t: SqlType): string | undefined => {
    switch (t.base) {
      case 'ARRAY':
        return inType(t.element);
      case 'MAP':
        return inType(t.value);
      case 'STRUCT':
        for (const f of t.fields) {
          const p = avroNameProblem(f.name) ?? inType(f.type);
          if (p) return p;
        }
        return undefined;
      default:
        return undefined;
    }
  };
  for (const c of columns) {
    const p = (unwrapped ? undefined : avroNameProblem(c.name)) ?? inType(c.type);
    if (p) return `Schema is not compatible with Avro: ${p}`;
  }
  return undefined;
}

/** Why a format cannot carry these columns, or undefined (ksqlDB's Format schema checks). */
function reason(columns: readonly Column[], f: FormatInfo, key: boolean): string | undefined {
  switch (f.format) {
    case 'KAFKA':
      if (columns.length > 1) return `The 'KAFKA' format only supports a single field. Got: ${describe(columns, key)}`;
      for (const c of columns) if (!kafkaType(c.type)) return `The 'KAFKA' format does not support type '${c.type.base}'`;
      return undefined;
    case 'DELIMITED':
      for (const c of columns) {
        if (c.type.base === 'ARRAY' || c.type.base === 'MAP' || c.type.base === 'STRUCT') {
          return `The 'DELIMITED' format does not support type '${c.type.base}', column: \`${c.name}\``;
        }
      }
      return undefined;
    case 'NONE':
      return columns.length > 0 ? `The 'NONE' format can only be used when no columns are defined. Got: ${describe(columns, key)}` : undefined;
    case 'JSON':
      return undefined;
    case 'AVRO':
    case 'JSON_SR':
      if (columns.some((c) => hasNonStringMapKey(c.type))) return `${f.format} only supports MAP types with STRING keys`;
      return f.format === 'AVRO' ? avroNamesProblem(columns, columns.length === 1 && (key || f.wrapSingleValue === false)) : undefined;
    case 'PROTOBUF':
    case 'PROTOBUF_NOSR':
      return columns.some((c) => hasNonStringMapKey(c.type)) ? `PROTOBUF format only supports MAP types with STRING keys` : undefined;
  }
}

function check(columns: readonly Column[], f: FormatInfo, key: boolean, pos: SourcePos): void {
  if (key) {
    // Kafka Streams keys must serialize the same way every time: ksqlDB rejects maps in keys.
    for (const c of columns) {
      if (containsMap(c.type)) {
        fail(
          `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${c.name}\`. Column type: ${formatType(c.type)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
          pos,
        );
      }
    }
  }
  if (f.format === 'JSON' && columns.some((c) => hasNonStringMapKey(c.type))) fail('JSON only supports MAP types with STRING keys', pos);
  const why = reason(columns, f, key);
  if (why === undefined) return;
  if (!key) fail(why, pos);
  fail(`Key format does not support schema.\nformat: ${f.format}\nschema: Persistence{columns=${describe(columns, true)}, features=[]}\nreason: ${why}`, pos);
}

export function validateFormats(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, pos: SourcePos): void {
  check(schema.key, keyFormat, true, pos);
  check(schema.value, valueFormat, false, pos);
}
