/**
 * ksqlDB's mapping between SQL types and Protobuf (proto3): sink schemas as messages `ConnectDefault1`,
 * `ConnectDefault2`, ... (nested STRUCTs get the next number), and SQL types inferred from a message type.
 * TIMESTAMP is google.protobuf.Timestamp; wrapper types (google.protobuf.*Value) read as their value.
 * DECIMAL, DATE and TIME (Confluent's and Google's own message types) are not supported.
 */
import type * as pbjs from 'protobufjs';
import { SerdeError } from '../../serde/serde.js';
import * as T from '../types/sqlType.js';
import type { SqlType } from '../types/sqlType.js';
import { compositeFromPlain, compositeToPlain } from './composite.js';

const SCALARS: Record<string, SqlType> = {
  bool: T.BOOLEAN,
  int32: T.INTEGER,
  sint32: T.INTEGER,
  sfixed32: T.INTEGER,
  uint32: T.BIGINT,
  fixed32: T.BIGINT,
  int64: T.BIGINT,
  sint64: T.BIGINT,
  sfixed64: T.BIGINT,
  uint64: T.BIGINT,
  fixed64: T.BIGINT,
  float: T.DOUBLE,
  double: T.DOUBLE,
  string: T.STRING,
  bytes: T.BYTES,
};

const WRAPPERS: Record<string, SqlType> = {
  '.google.protobuf.BoolValue': T.BOOLEAN,
  '.google.protobuf.Int32Value': T.INTEGER,
  '.google.protobuf.UInt32Value': T.BIGINT,
  '.google.protobuf.Int64Value': T.BIGINT,
  '.google.protobuf.UInt64Value': T.BIGINT,
  '.google.protobuf.FloatValue': T.DOUBLE,
  '.google.protobuf.DoubleValue': T.DOUBLE,
  '.google.protobuf.StringValue': T.STRING,
  '.google.protobuf.BytesValue': T.BYTES,
};

function fieldType(f: pbjs.Field, where: string): SqlType {
  f.resolve();
  let t: SqlType;
  const rt = f.resolvedType;
  if (rt && 'values' in rt) t = T.STRING; // enum
  else if (rt) {
    const full = (rt as pbjs.Type).fullName;
    if (full === '.google.protobuf.Timestamp') t = T.TIMESTAMP;
    else t = WRAPPERS[full] ?? sqlTypeOfMessage(rt as pbjs.Type, `${where}.${f.name}`);
  } else {
    const s = SCALARS[f.type];
    if (!s) throw new SerdeError(`${where}.${f.name}: Protobuf type ${f.type} has no SQL type`);
    t = s;
  }
  if (f.map) {
    const key = SCALARS[(f as unknown as pbjs.MapField).keyType] ?? T.STRING;
    return T.map(key, t);
  }
  return f.repeated ? T.array(t) : t;
}

export function sqlTypeOfMessage(type: pbjs.Type, where: string): SqlType {
  return T.struct(type.fieldsArray.map((f) => ({ name: f.name.toUpperCase(), type: fieldType(f, where) })));
}

/** The proto3 schema text of a row (or struct), ksqlDB's way: `ConnectDefault1` and numbered nested messages. */
export function protoSchemaOf(fields: readonly { name: string; type: SqlType }[], messageName = 'ConnectDefault1'): string {
  let counter = 1;
  const usesTimestamp = { v: false };
  const message = (name: string, fs: readonly { name: string; type: SqlType }[], indent: string): string => {
    const nested: string[] = [];
    const lines = fs.map((f, i) => `${indent}  ${protoField(f.type, f.name, nested, indent + '  ')} ${f.name} = ${i + 1};`);
    return `${indent}message ${name} {\n${lines.join('\n')}${nested.length ? '\n' + nested.join('\n') : ''}\n${indent}}`;
  };
  const scalar = (t: SqlType, nested: string[], indent: string): string => {
    switch (t.base) {
      case 'BOOLEAN':
        return 'bool';
      case 'INTEGER':
        return 'int32';
      case 'BIGINT':
        return 'int64';
      case 'DOUBLE':
        return 'double';
      case 'STRING':
        return 'string';
      case 'BYTES':
        return 'bytes';
      case 'TIMESTAMP':
        usesTimestamp.v = true;
        return 'google.protobuf.Timestamp';
      case 'STRUCT': {
        const name = `ConnectDefault${++counter}`;
        nested.push(message(name, t.fields, indent));
        return name;
      }
      default:
        throw new SerdeError(`PROTOBUF: ${t.base} columns are not supported`);
    }
  };
  const protoField = (t: SqlType, _name: string, nested: string[], indent: string): string => {
    if (t.base === 'ARRAY') return `repeated ${scalar(t.element, nested, indent)}`;
    if (t.base === 'MAP') return `map<${scalar(t.key, nested, indent)}, ${scalar(t.value, nested, indent)}>`;
    return scalar(t, nested, indent);
  };
  const body = message(messageName, fields, '');
  return `syntax = "proto3";\n\n${usesTimestamp.v ? 'import "google/protobuf/timestamp.proto";\n\n' : ''}${body}\n`;
}

/** A SQL value as the plain object protobufjs' fromObject takes. */
export function toProto(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.base) {
    case 'BIGINT':
      return (v as bigint).toString();
    case 'TIMESTAMP': {
      const ms = v as number;
      return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 };
    }
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return compositeToPlain(v, t, toProto);
    default:
      return v;
  }
}

function isWrapper(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v) && 'value' in v;
}

/** A value protobufjs' toObject produced (longs as decimal strings, enums as names) as the SQL value of type t. */
export function fromProto(v: unknown, t: SqlType, where: string): unknown {
  if (v === null || v === undefined) return null;
  // wrapper types (google.protobuf.*Value) arrive as { value }
  if (t.base !== 'STRUCT' && t.base !== 'ARRAY' && t.base !== 'MAP' && isWrapper(v)) return fromProto(v.value, t, where);
  switch (t.base) {
    case 'BIGINT':
      return BigInt(v as number | string);
    case 'TIMESTAMP': {
      if (typeof v === 'number') return v;
      const ts = v as { seconds?: number; nanos?: number };
      return Number(ts.seconds ?? 0) * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6);
    }
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return compositeFromPlain(v, t, where, fromProto);
    default:
      return v;
  }
}
