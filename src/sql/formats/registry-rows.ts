/**
 * Serdes of rows for the schema-registry formats (AVRO, PROTOBUF, PROTOBUF_NOSR, JSON_SR), as ksqlDB writes and
 * reads them: a sink registers the schema of its columns under `<topic>-key` / `<topic>-value` on its first record
 * (ksqlDB's record names, every field optional), or writes with KEY_SCHEMA_ID / VALUE_SCHEMA_ID; a source decodes
 * each record with the writer schema its id names and takes the columns by name (case-insensitively). A single
 * key column, and a single value column with WRAP_SINGLE_VALUE=false, are written unwrapped (AVRO, JSON_SR).
 */
import type * as pbjs from 'protobufjs';
import type { FormatInfo } from '../serde/format-info.js';
import type { ColumnSpec, Row } from '../serde/formats.js';
import { parseJson } from '../serde/json-text.js';
import { fieldCaseInsensitive, readJsonValue, writeJsonObject, writeJsonValue } from '../serde/json-values.js';
import { AvroSerde } from '../../serde/registry/avro.js';
import { JsonSchemaSerde } from '../../serde/registry/json-schema.js';
import { ProtobufSerde, protoSchema, TO_OBJECT_EXACT_LONGS } from '../../serde/registry/protobuf.js';
import { registryClient } from '../../serde/registry/registry-serde.js';
import type { RegistrySchema } from '../../serde/registry/client.js';
import { HEADER_SIZE, readSchemaId, writeHeader } from '../../serde/registry/wire-format.js';
import { SerdeError, type Serde } from '../../serde/serde.js';
import { avroRecord, avroSchemaOf, fromAvro, KSQL_AVRO_NAME, KSQL_AVRO_NAMESPACE, toAvro } from './avro-types.js';
import { jsonObjectSchema, jsonSchemaOf } from './json-schema-types.js';
import { fromProto, isWrappedColumn, protoSchemaOf, toProto } from './protobuf-types.js';
import { fieldIgnoringCase } from './composite.js';

function requireRegistry(format: FormatInfo): NonNullable<FormatInfo['registry']> {
  if (!format.registry) throw new SerdeError(`the ${format.format} format needs a schema registry: set 'ksql.schema.registry.url' (or schema.registry.url in the config)`);
  return format.registry;
}

export function registryRowSerde(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean): Serde<Row> {
  const unwrapped = isUnwrapped(columns, format, isKey);
  switch (format.format) {
    case 'AVRO':
      return avroRows(columns, format, isKey, unwrapped);
    case 'JSON_SR':
      return jsonSrRows(columns, format, isKey, unwrapped);
    case 'PROTOBUF':
      return protobufRows(columns, format, isKey);
    case 'PROTOBUF_NOSR':
      return protobufNoSrRows(columns, format);
    default:
      throw new Error(`not a schema registry format: ${format.format}`);
  }
}

function isUnwrapped(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean): boolean {
  return columns.length === 1 && (isKey || format.wrapSingleValue === false);
}

/** The schema a sink of these columns registers (ksqlDB's names, optional fields): an object (AVRO, JSON_SR) or .proto text. */
function ownSchema(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean): object | string {
  const unwrapped = isUnwrapped(columns, format, isKey);
  switch (format.format) {
    case 'AVRO': {
      const fullName = format.schemaFullName ?? `${KSQL_AVRO_NAMESPACE}.${KSQL_AVRO_NAME}`;
      return (unwrapped ? ['null', avroSchemaOf(columns[0]!.type, fullName)] : avroRecord(fullName, columns)) as object;
    }
    case 'JSON_SR':
      return unwrapped ? jsonSchemaOf(columns[0]!.type) : jsonObjectSchema(columns);
    default:
      return protoSchemaOf(columns, format.schemaFullName ?? 'ConnectDefault1', format.protobufNullable);
  }
}

/** ownSchema as the registry stores it (what a sink's first record registers). */
export function ownRegistrySchema(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean): RegistrySchema {
  const own = ownSchema(columns, format, isKey);
  const schemaType = format.format === 'AVRO' ? 'AVRO' : format.format === 'JSON_SR' ? 'JSON' : 'PROTOBUF';
  return { schema: typeof own === 'string' ? own : JSON.stringify(own), schemaType, references: [] };
}

function avroRows(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean, unwrapped: boolean): Serde<Row> {
  const registry = requireRegistry(format);
  const own = ownSchema(columns, format, isKey);
  const writer = new AvroSerde({ registry, isKey, longsAsBigInt: true, ...(format.schemaId !== undefined ? { id: format.schemaId, matchFieldCase: true } : { schema: own as never }) });
  const reader = new AvroSerde({ registry, isKey, longsAsBigInt: true });
  const types = columns.map((c) => c.type);
  return {
    name: 'avro',
    serialize(row, topic) {
      if (row === null) return null;
      if (unwrapped) return writer.serialize(toAvro(row[0] ?? null, types[0]!), topic);
      const rec: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) rec[columns[i]!.name] = toAvro(row[i] ?? null, types[i]!);
      return writer.serialize(rec, topic);
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const v = reader.deserialize(data, topic);
      if (v === null) return null;
      if (unwrapped) return [fromAvro(v, types[0]!, columns[0]!.name)];
      if (typeof v !== 'object') throw new SerdeError(`avro: expected a record for ${columns.length} columns, got ${typeof v}`);
      return columns.map((c, i) => fromAvro(fieldIgnoringCase(v as Record<string, unknown>, c.name), types[i]!, c.name));
    },
  };
}

function jsonSrRows(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean, unwrapped: boolean): Serde<Row> {
  const registry = requireRegistry(format);
  const own = ownSchema(columns, format, isKey) as object;
  const writer = new JsonSchemaSerde({ registry, isKey, validateOnWrite: false, ...(format.schemaId !== undefined ? { id: format.schemaId } : { schema: own }) });
  const client = registryClient(registry);
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  return {
    name: 'json_sr',
    serialize(row, topic) {
      if (row === null) return null;
      const text = unwrapped ? writeJsonValue(row[0] ?? null, types[0]!) : writeJsonObject(names, types, row);
      return writeHeader(writer.writerFor(topic ?? '').id, Buffer.from(text, 'utf8'));
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const id = readSchemaId(data, 'json_sr');
      if (client.schemaById(id).schemaType !== 'JSON') throw new SerdeError(`json_sr: schema id ${id} is not a JSON schema`);
      let node;
      try {
        node = parseJson(data.toString('utf8', HEADER_SIZE));
      } catch (e) {
        throw new SerdeError(`Failed to deserialize JSON_SR from topic: ${topic ?? '?'}. ${(e as Error).message}`);
      }
      if (unwrapped) return [readJsonValue(node, types[0]!)];
      if (node === null) return null;
      if (typeof node !== 'object' || Array.isArray(node)) throw new SerdeError(`json_sr: expected a JSON object in topic ${topic ?? '?'}`);
      return columns.map((c) => readJsonValue(fieldCaseInsensitive(node as never, c.name) ?? null, c.type, c.name));
    },
  };
}

function protoRowCodec(columns: readonly ColumnSpec[], format: FormatInfo): { toMessage(row: Row): Record<string, unknown>; fromMessage(obj: Record<string, unknown>): Row } {
  const types = columns.map((c) => c.type);
  const wrapped = types.map((t) => isWrappedColumn(t, format.protobufNullable));
  return {
    toMessage(row) {
      const rec: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const v = toProto(row[i] ?? null, types[i]!);
        if (v !== null) rec[columns[i]!.name] = wrapped[i] ? { value: v } : v;
      }
      return rec;
    },
    fromMessage(obj) {
      return columns.map((c, i) => fromProto(fieldIgnoringCase(obj, c.name), types[i]!, c.name));
    },
  };
}

function protobufRows(columns: readonly ColumnSpec[], format: FormatInfo, isKey: boolean): Serde<Row> {
  const registry = requireRegistry(format);
  const messageName = format.schemaFullName ?? 'ConnectDefault1';
  const schema = ownSchema(columns, format, isKey) as string;
  const writer = new ProtobufSerde({ registry, isKey, ...(format.schemaId !== undefined ? { id: format.schemaId, matchFieldCase: true, ...(format.schemaFullName ? { messageName: format.schemaFullName } : {}) } : { schema, messageName }) });
  const reader = new ProtobufSerde({ registry, isKey, longsAsStrings: true });
  const codec = protoRowCodec(columns, format);
  return {
    name: 'protobuf',
    serialize(row, topic) {
      return row === null ? null : writer.serialize(codec.toMessage(row), topic);
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const v = reader.deserialize(data, topic);
      return v === null ? null : codec.fromMessage(v);
    },
  };
}

/** PROTOBUF_NOSR: plain Protobuf bytes of the columns' message, no header and no registry. */
function protobufNoSrRows(columns: readonly ColumnSpec[], format: FormatInfo): Serde<Row> {
  const parsed = protoSchema(protoSchemaOf(columns, format.schemaFullName ?? 'ConnectDefault1', format.protobufNullable));
  const type: pbjs.Type = parsed.first;
  const codec = protoRowCodec(columns, format);
  return {
    name: 'protobuf_nosr',
    serialize(row) {
      if (row === null) return null;
      try {
        return Buffer.from(type.encode(type.fromObject(codec.toMessage(row))).finish());
      } catch (e) {
        throw new SerdeError(`protobuf_nosr: cannot write the row: ${(e as Error).message}`);
      }
    },
    deserialize(data) {
      if (data === null) return null;
      try {
        return codec.fromMessage(type.toObject(type.decode(data), TO_OBJECT_EXACT_LONGS));
      } catch (e) {
        throw new SerdeError(`protobuf_nosr: cannot read the record: ${(e as Error).message}`);
      }
    },
  };
}
