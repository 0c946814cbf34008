/**
 * Columns of a source read from the schema registry when CREATE STREAM/TABLE omits them (ksqlDB's schema
 * inference): the latest schema of `<topic>-value` / `<topic>-key`, or the one KEY_SCHEMA_ID / VALUE_SCHEMA_ID
 * names. As ksqlDB: a key (AVRO, JSON_SR: keys are unwrapped) and a value with WRAP_SINGLE_VALUE=false are one
 * column, ROWKEY / ROWVAL, of the whole schema's type; otherwise a record (message, object) gives one column per
 * field, upper-cased, and any other schema one ROWVAL column (unwrapped).
 */
import type { FormatInfo } from '../serde/format-info.js';
import { protoSchema } from '../../serde/registry/protobuf.js';
import { registryClient } from '../../serde/registry/registry-serde.js';
import { SchemaRegistryError, type RegistrySchema } from '../../serde/registry/client.js';
import { SerdeError } from '../../serde/serde.js';
import type { SqlType, StructField } from '../types/sql-type.js';
import { sqlTypeOfAvro } from './avro-types.js';
import { sqlTypeOfJsonSchema } from './json-schema-types.js';
import { sqlTypeOfMessage } from './protobuf-types.js';

export interface InferredColumns {
  readonly columns: readonly StructField[];
  readonly schemaId: number;
}

function schemaType(format: FormatInfo['format']): RegistrySchema['schemaType'] {
  return format === 'AVRO' ? 'AVRO' : format === 'PROTOBUF' ? 'PROTOBUF' : 'JSON';
}

/** The SQL type of a registered schema; `original`: field names as the schema spells them, else upper-cased. */
function sqlTypeOf(schema: RegistrySchema, where: string, format: FormatInfo, original: boolean): SqlType {
  switch (schema.schemaType) {
    case 'AVRO':
      return sqlTypeOfAvro(JSON.parse(schema.schema), where, new Map(), '', original);
    case 'JSON':
      return sqlTypeOfJsonSchema(JSON.parse(schema.schema) as Record<string, unknown>, where, undefined, original);
    case 'PROTOBUF': {
      const parsed = protoSchema(schema.schema, registryClient(format.registry!), schema);
      let type = parsed.first;
      if (format.schemaFullName) {
        const named = [...parsed.pathOf.keys()].find((t) => t.name === format.schemaFullName || t.fullName === `.${format.schemaFullName}`);
        if (!named) throw new SerdeError(`${where}: the schema has no message ${format.schemaFullName}`);
        type = named;
      }
      return sqlTypeOfMessage(type, where, original);
    }
  }
}

/**
 * The columns of `<topic>-key|value` in the registry; undefined when the subject does not exist and `optional`.
 * Throws a one-line error naming the subject otherwise.
 */
export function inferColumns(format: FormatInfo, topic: string, isKey: boolean, optional: boolean): InferredColumns | undefined {
  const client = registryClient(format.registry!);
  const subject = `${topic}-${isKey ? 'key' : 'value'}`;
  const what = isKey ? 'keys' : 'values';
  let schema: RegistrySchema;
  let id: number;
  try {
    if (format.schemaId !== undefined) {
      id = format.schemaId;
      schema = client.schemaById(id);
    } else {
      const v = client.version(subject, 'latest');
      id = v.id;
      schema = v;
    }
  } catch (e) {
    if (e instanceof SchemaRegistryError && (e.errorCode === 40401 || e.errorCode === 40402) && optional) return undefined;
    if (e instanceof SchemaRegistryError && (e.errorCode === 40401 || e.errorCode === 40402)) {
      throw new SerdeError(`Schema for message ${what} on topic '${topic}' does not exist in the Schema Registry. Subject: ${subject}`);
    }
    throw e;
  }
  if (schema.schemaType !== schemaType(format.format)) {
    throw new SerdeError(`the schema of ${subject} (id ${id}) is a ${schema.schemaType} schema, which the ${format.format} format cannot read`);
  }
  // with a schema id, ksqlDB keeps the schema's own spelling of the field names (else upper-cases them)
  const type = sqlTypeOf(schema, subject, format, format.schemaId !== undefined);
  const unwrapped = isKey ? format.format !== 'PROTOBUF' : format.wrapSingleValue === false;
  const columns = type.base === 'STRUCT' && !unwrapped ? type.fields : [{ name: isKey ? 'ROWKEY' : 'ROWVAL', type }];
  return { columns, schemaId: id };
}
