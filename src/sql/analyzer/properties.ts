/**
 * WITH (...) properties of CREATE statements: names, value types and ksqlDB's validation rules
 * for formats, delimiters, partitions, timestamps and window types.
 */
import { fail, type SourcePos } from '../errors.js';
import type { Expr, Property } from '../parser/ast.js';
import { FORMAT_NAMES, isRegistryFormat, type FormatInfo, type FormatName, type WindowInfo, type WindowType } from './metastore.js';

export type PropertyValue = string | number | boolean | null;

export interface ParsedProperties {
  readonly values: ReadonlyMap<string, { value: PropertyValue; pos: SourcePos }>;
  get(name: string): PropertyValue | undefined;
  pos(name: string): SourcePos | undefined;
}

const KNOWN = new Set([
  'KAFKA_TOPIC',
  'VALUE_FORMAT',
  'KEY_FORMAT',
  'FORMAT',
  'PARTITIONS',
  'REPLICAS',
  'RETENTION_MS',
  'CLEANUP_POLICY',
  'TIMESTAMP',
  'TIMESTAMP_FORMAT',
  'VALUE_DELIMITER',
  'KEY_DELIMITER',
  'WRAP_SINGLE_VALUE',
  'WINDOW_TYPE',
  'WINDOW_SIZE',
  'VALUE_SCHEMA_ID',
  'KEY_SCHEMA_ID',
  'VALUE_SCHEMA_FULL_NAME',
  'KEY_SCHEMA_FULL_NAME',
  'VALUE_AVRO_SCHEMA_FULL_NAME',
  'VALUE_PROTOBUF_NULLABLE_REPRESENTATION',
  'KEY_PROTOBUF_NULLABLE_REPRESENTATION',
  'SOURCE_CONNECTOR',
]);

function literalValue(e: Expr): PropertyValue {
  switch (e.kind) {
    case 'StringLiteral':
      return e.value;
    case 'IntegerLiteral':
    case 'DecimalLiteral':
    case 'DoubleLiteral':
      return Number(e.text);
    case 'BooleanLiteral':
      return e.value;
    case 'NullLiteral':
      return null;
    default:
      return fail('Property values must be literals', e.pos);
  }
}

export function parseProperties(props: readonly Property[], allowed: ReadonlySet<string> = KNOWN): ParsedProperties {
  const values = new Map<string, { value: PropertyValue; pos: SourcePos }>();
  const unknown = props.filter((p) => !allowed.has(p.name));
  if (unknown.length) fail(`Invalid config variable(s) in the WITH clause: ${unknown.map((p) => p.name).join(',')}`, unknown[0]!.pos);
  for (const p of props) {
    if (values.has(p.name)) fail(`Duplicate property: ${p.name}`, p.pos);
    values.set(p.name, { value: literalValue(p.value), pos: p.pos });
  }
  return {
    values,
    get: (n) => values.get(n)?.value,
    pos: (n) => values.get(n)?.pos,
  };
}

export function stringProp(p: ParsedProperties, name: string): string | undefined {
  const v = p.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`Invalid value for property ${name}: expected a string, got ${String(v)}`, p.pos(name));
  return v;
}

export function intProp(p: ParsedProperties, name: string): number | undefined {
  const v = p.get(name);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(`Invalid value for property ${name}: expected an integer, got ${String(v)}`, p.pos(name));
  return n;
}

export function boolProp(p: ParsedProperties, name: string): boolean | undefined {
  const v = p.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return fail(`Property '${name}' is not a boolean value: ${String(v)}`, p.pos(name));
}

function formatName(p: ParsedProperties, prop: string): FormatName | undefined {
  const raw = stringProp(p, prop);
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if ((FORMAT_NAMES as readonly string[]).includes(upper)) return upper as FormatName;
  return fail(`Unknown format: ${raw}`, p.pos(prop));
}

/** Parses a delimiter property: a single character, or TAB / SPACE. */
function delimiter(p: ParsedProperties, prop: string): string | undefined {
  const raw = stringProp(p, prop);
  if (raw === undefined) return undefined;
  if (raw.toUpperCase() === 'TAB') return '\t';
  if (raw.toUpperCase() === 'SPACE') return ' ';
  const invalid = (why: string): never => fail(`Configuration ${prop} is invalid: ${why}\nExample valid value: ';'`, p.pos(prop));
  if (raw.trim() === '') {
    invalid("Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'");
  }
  if (raw.length !== 1 || raw === '\0') invalid(`Invalid delimiter value: '${raw}'. Delimiter must be a single character or TAB,SPACE`);
  return raw;
}

export interface FormatChoice {
  readonly key: FormatName | undefined;
  readonly value: FormatName | undefined;
}

/** KEY_FORMAT / VALUE_FORMAT / FORMAT, with ksqlDB's rule that FORMAT excludes the other two. */
export function chooseFormats(p: ParsedProperties): FormatChoice {
  const both = formatName(p, 'FORMAT');
  const key = formatName(p, 'KEY_FORMAT');
  const value = formatName(p, 'VALUE_FORMAT');
  if (both && key) fail("Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.", p.pos('FORMAT'));
  if (both && value) fail("Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.", p.pos('FORMAT'));
  return { key: both ?? key, value: both ?? value };
}

export function formatInfo(format: FormatName, p: ParsedProperties, isKey: boolean): FormatInfo {
  const delimProp = isKey ? 'KEY_DELIMITER' : 'VALUE_DELIMITER';
  const delim = delimiter(p, delimProp);
  if (delim !== undefined && format !== 'DELIMITED') fail(`${format} does not support the following configs: [delimiter]`, p.pos(delimProp));
  const wrap = isKey ? undefined : boolProp(p, 'WRAP_SINGLE_VALUE');
  // KAFKA and DELIMITED only write unwrapped single values (`false` is allowed, `true` is not); Protobuf only wrapped.
  if ((wrap === true && !(format === 'JSON' || format === 'AVRO' || format === 'JSON_SR' || format === 'PROTOBUF' || format === 'PROTOBUF_NOSR')) || (wrap === false && (format === 'PROTOBUF' || format === 'PROTOBUF_NOSR'))) {
    fail(`Format '${format}' does not support '${'WRAP_SINGLE_VALUE'}' set to '${wrap}'.`, p.pos('WRAP_SINGLE_VALUE'));
  }
  const idProp = isKey ? 'KEY_SCHEMA_ID' : 'VALUE_SCHEMA_ID';
  const nameProp = isKey ? 'KEY_SCHEMA_FULL_NAME' : p.get('VALUE_AVRO_SCHEMA_FULL_NAME') !== undefined ? 'VALUE_AVRO_SCHEMA_FULL_NAME' : 'VALUE_SCHEMA_FULL_NAME';
  const schemaId = intProp(p, idProp);
  const fullName = stringProp(p, nameProp);
  for (const [prop, v] of [[idProp, schemaId], [nameProp, fullName]] as const) {
    if (v !== undefined && !isRegistryFormat(format)) fail(`${format} does not support the following configs: [${prop === idProp ? 'schemaId' : 'fullSchemaName'}]`, p.pos(prop));
  }
  if (fullName !== undefined && fullName.trim() === '') fail(`fullSchemaName cannot be empty. Format configuration: {fullSchemaName=}`, p.pos(nameProp));
  if (nameProp === 'VALUE_AVRO_SCHEMA_FULL_NAME' && fullName !== undefined && format !== 'AVRO') fail(`${format} does not support the following configs: [fullSchemaName]`, p.pos(nameProp));
  const nullableProp = isKey ? 'KEY_PROTOBUF_NULLABLE_REPRESENTATION' : 'VALUE_PROTOBUF_NULLABLE_REPRESENTATION';
  const nullable = stringProp(p, nullableProp)?.trim().toUpperCase();
  if (nullable !== undefined && format !== 'PROTOBUF' && format !== 'PROTOBUF_NOSR') fail(`${format} does not support the following configs: [nullableRepresentation]`, p.pos(nullableProp));
  if (nullable !== undefined && nullable !== 'OPTIONAL' && nullable !== 'WRAPPER') {
    fail(`Invalid value for '${nullableProp}': '${nullable}'. Valid values are: OPTIONAL, WRAPPER`, p.pos(nullableProp));
  }
  return {
    format,
    ...(nullable !== undefined ? { protobufNullable: nullable as 'OPTIONAL' | 'WRAPPER' } : {}),
    ...(delim !== undefined ? { delimiter: delim } : {}),
    ...(wrap !== undefined ? { wrapSingleValue: wrap } : {}),
    ...(schemaId !== undefined ? { schemaId } : {}),
    ...(fullName !== undefined ? { schemaFullName: fullName } : {}),
  };
}

const WINDOW_UNITS: Record<string, number> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** WINDOW_TYPE / WINDOW_SIZE of windowed sources (CREATE TABLE over a windowed topic). */
export function windowInfo(p: ParsedProperties): WindowInfo | undefined {
  const type = stringProp(p, 'WINDOW_TYPE');
  const size = stringProp(p, 'WINDOW_SIZE');
  if (type === undefined) {
    if (size !== undefined) fail("'WINDOW_SIZE' should not be set without 'WINDOW_TYPE'.", p.pos('WINDOW_SIZE'));
    return undefined;
  }
  const t = type.toUpperCase();
  if (t !== 'TUMBLING' && t !== 'HOPPING' && t !== 'SESSION') fail(`Invalid WINDOW_TYPE: ${type}. Valid values are TUMBLING, HOPPING and SESSION.`, p.pos('WINDOW_TYPE'));
  if (t === 'SESSION') {
    if (size !== undefined) fail("'WINDOW_SIZE' should not be set for SESSION windows.", p.pos('WINDOW_SIZE'));
    return { type: 'SESSION' };
  }
  if (size === undefined) fail(`${t} windows require 'WINDOW_SIZE' to be provided in the WITH clause. For example: 'WINDOW_SIZE'='10 SECONDS'`, p.pos('WINDOW_TYPE'));
  const m = /^\s*(\d+)\s+([A-Za-z]+?)S?\s*$/i.exec(size);
  const unit = m ? WINDOW_UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined) fail(`Invalid WINDOW_SIZE property: '${size}'. Expected '<number> <TIME_UNIT>', e.g. '10 SECONDS'`, p.pos('WINDOW_SIZE'));
  return { type: t as WindowType, sizeMs: Number(m[1]) * unit };
}
