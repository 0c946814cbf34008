/**
 * Which schemas each format can carry (ksqlDB's Format.supportsKeyType / schema checks):
 * KAFKA: one column of INT, BIGINT, DOUBLE, STRING or BYTES; DELIMITED: no ARRAY/MAP/STRUCT;
 * NONE: no columns; JSON: anything.
 */
import { fail, type SourcePos } from '../errors.js';
import { formatType, type SqlType } from '../types/sqlType.js';
import type { FormatInfo } from './metastore.js';
import type { Column, LogicalSchema } from './schema.js';

function kafkaType(t: SqlType): boolean {
  return t.base === 'INTEGER' || t.base === 'BIGINT' || t.base === 'DOUBLE' || t.base === 'STRING' || t.base === 'BYTES';
}

function describe(columns: readonly Column[], key: boolean): string {
  return `[${columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${key ? ' KEY' : ''}`).join(', ')}]`;
}

function check(columns: readonly Column[], f: FormatInfo, key: boolean, pos: SourcePos): void {
  const side = key ? 'key' : 'value';
  switch (f.format) {
    case 'KAFKA':
      if (columns.length > 1) fail(`The 'KAFKA' format only supports a single field. Got: ${describe(columns, key)}`, pos);
      for (const c of columns) {
        if (!kafkaType(c.type)) fail(`The 'KAFKA' format does not support type '${c.type.base}', column: \`${c.name}\``, pos);
      }
      break;
    case 'DELIMITED':
      for (const c of columns) {
        if (c.type.base === 'ARRAY' || c.type.base === 'MAP' || c.type.base === 'STRUCT') {
          fail(`The 'DELIMITED' format does not support type '${c.type.base}', column: \`${c.name}\``, pos);
        }
      }
      break;
    case 'NONE':
      if (columns.length > 0) fail(`The 'NONE' format can only be used when no columns are defined. Got: ${describe(columns, key)}`, pos);
      break;
    case 'JSON':
      if (!key && f.wrapSingleValue === false && columns.length !== 1) {
        fail(`'WRAP_SINGLE_VALUE' is only valid for single-field value schemas`, pos);
      }
      break;
  }
  void side;
}

export function validateFormats(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, pos: SourcePos): void {
  check(schema.key, keyFormat, true, pos);
  check(schema.value, valueFormat, false, pos);
}
