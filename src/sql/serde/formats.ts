/**
 * ksqlDB's serialization formats as Serdes of rows: a row is the array of column values, in
 * column order (see src/sql/analyzer/schema.ts). A null row is a tombstone (null bytes).
 *
 * - JSON: an object keyed by column name (case-insensitive on read); a single KEY column is the
 *   bare value (keys are unwrapped), several key columns an object. WRAP_SINGLE_VALUE=false makes a
 *   single value column a bare value too.
 * - DELIMITED: one CSV line (RFC 4180 quoting), VALUE_DELIMITER (default ','), empty = NULL.
 * - KAFKA: one column with Kafka's serializer encodings: INTEGER 4-byte big endian, BIGINT 8-byte
 *   big endian, DOUBLE 8-byte IEEE 754 big endian, STRING UTF-8, BYTES raw.
 * - NONE: no columns; serializes to null and ignores the bytes it reads.
 */
import type { FormatInfo } from './format-info.js';
import type { SqlType } from '../types/sql-type.js';
import { SerdeError, type Serde } from '../../serde/serde.js';
import { parseDelimited, readDelimitedField, writeDelimited } from './delimited.js';
import { parseJson, JsonNumber, type JsonValue } from './json-text.js';
import { fieldCaseInsensitive, readJsonValue, writeJsonObject, writeJsonValue } from './json-values.js';
import { readKafka, writeKafka } from './kafka.js';

export type Row = unknown[];

export interface ColumnSpec {
  readonly name: string;
  readonly type: SqlType;
}

function jsonSerde(columns: readonly ColumnSpec[], unwrapped: boolean): Serde<Row> {
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  return {
    name: 'json',
    serialize(row) {
      if (row === null) return null;
      const text = unwrapped ? writeJsonValue(row[0] ?? null, types[0]!) : writeJsonObject(names, types, row);
      return Buffer.from(text, 'utf8');
    },
    deserialize(data, topic) {
      if (data === null) return null;
      let node: JsonValue;
      try {
        node = parseJson(data.toString('utf8'));
      } catch (e) {
        throw new SerdeError(`Failed to deserialize JSON from topic: ${topic ?? '?'}. ${(e as Error).message}`);
      }
      if (unwrapped) return [readJsonValue(node, types[0]!)];
      if (node === null) return null;
      if (typeof node !== 'object' || Array.isArray(node) || node instanceof JsonNumber) {
        throw new SerdeError(`Failed to deserialize JSON from topic: ${topic ?? '?'}. Can't convert type. sourceType: ${Array.isArray(node) ? 'ArrayNode' : typeof node}, requiredType: STRUCT`);
      }
      const obj = node;
      return columns.map((c) => readJsonValue(fieldCaseInsensitive(obj, c.name) ?? null, c.type, c.name));
    },
  };
}

function delimitedSerde(columns: readonly ColumnSpec[], delimiter: string): Serde<Row> {
  return {
    name: 'delimited',
    serialize(row) {
      if (row === null) return null;
      return Buffer.from(writeDelimited(row, columns.map((c) => c.type), delimiter), 'utf8');
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const fields = parseDelimited(data.toString('utf8'), delimiter);
      if (fields.length !== columns.length) {
        throw new SerdeError(`Column count mismatch on deserialization. topic: ${topic ?? '?'}, expected: ${columns.length}, got: ${fields.length}`);
      }
      return fields.map((f, i) => readDelimitedField(f, columns[i]!.type, columns[i]!.name));
    },
  };
}


function kafkaSerde(columns: readonly ColumnSpec[]): Serde<Row> {
  if (columns.length === 0) return noneSerde();
  const type = columns[0]!.type;
  return {
    name: 'kafka',
    serialize(row) {
      if (row === null) return null;
      const v = row[0] ?? null;
      return v === null ? null : writeKafka(v, type);
    },
    deserialize(data) {
      if (data === null) return null;
      return [readKafka(data, type)];
    },
  };
}

function noneSerde(): Serde<Row> {
  return {
    name: 'none',
    serialize: () => null,
    deserialize: () => [],
  };
}

/** Serde for the value columns of a source or sink. */
export function valueSerde(columns: readonly ColumnSpec[], format: FormatInfo): Serde<Row> {
  return rowSerde(columns, format, format.wrapSingleValue === false && columns.length === 1);
}

/** Serde for the key columns: single key columns are unwrapped in every format. */
export function keySerde(columns: readonly ColumnSpec[], format: FormatInfo): Serde<Row> {
  return columns.length === 0 ? noneSerde() : rowSerde(columns, format, columns.length === 1);
}

/** `unwrapped`: a single JSON column is the whole value, not a field of an object. */
function rowSerde(columns: readonly ColumnSpec[], format: FormatInfo, unwrapped: boolean): Serde<Row> {
  switch (format.format) {
    case 'JSON':
      return jsonSerde(columns, unwrapped);
    case 'DELIMITED':
      return delimitedSerde(columns, format.delimiter ?? ',');
    case 'KAFKA':
      return kafkaSerde(columns);
    case 'NONE':
      return noneSerde();
    default:
      throw new Error(`${format.format} rows are built by src/sql/formats`);
  }
}
