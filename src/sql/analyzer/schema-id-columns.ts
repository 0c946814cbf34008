/**
 * CREATE ... AS SELECT with KEY_SCHEMA_ID / VALUE_SCHEMA_ID writes the query's columns with a registered schema:
 * as ksqlDB checks, each of the sink's key (value) columns must be the schema's column at the same position, with
 * the same name and type; the schema may have more columns after them (written as null or their default).
 */
import type { FormatInfo } from '../serde/format-info.js';
import { inferColumns } from '../formats/infer.js';
import { formatType, typeEquals } from '../types/sql-type.js';
import type { Column } from './schema.js';

/** The error message when the columns do not fit the schema, else undefined. */
export function schemaIdColumnsMismatch(format: FormatInfo, topic: string, isKey: boolean, columns: readonly Column[]): string | undefined {
  if (format.schemaId === undefined || columns.length === 0) return undefined;
  const inferred = inferColumns(format, topic, isKey, false)!.columns;
  // an unwrapped key schema is one column, ROWKEY: only its type is the schema's
  const unwrappedKey = isKey && inferred.length === 1 && inferred[0]!.name === 'ROWKEY';
  const fits = (c: Column, i: number): boolean => {
    const s = inferred[i];
    return s !== undefined && (unwrappedKey || s.name === c.name) && typeEquals(s.type, c.type);
  };
  const bad = columns.filter((c, i) => !fits(c, i));
  if (bad.length === 0) return undefined;
  const list = (cs: readonly { name: string; type: Column['type'] }[]) => `[${cs.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', ')}]`;
  return `The following ${isKey ? 'key' : 'value'} columns are changed, missing or reordered: ${list(bad)}. Schema from schema registry is ${list(inferred)}`;
}
