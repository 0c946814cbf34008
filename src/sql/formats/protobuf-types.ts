/**
 * ksqlDB's mapping between SQL types and Protobuf (proto3): sink schemas as messages `ConnectDefault1`,
 * `ConnectDefault2`, ... (nested STRUCTs get the next number), and SQL types inferred from a message type.
 * TIMESTAMP is google.protobuf.Timestamp, DECIMAL confluent.type.Decimal (precision and scale in the field's
 * `(confluent.field_meta)` params), DATE google.type.Date, TIME google.type.TimeOfDay; wrapper types
 * (google.protobuf.*Value) read as their value.
 */
import type * as pbjs from 'protobufjs';
import { SerdeError } from '../../serde/serde.js';
import * as T from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { Decimal, fitDecimal } from '../types/decimal.js';
import { bytesToUnscaled, unscaledToBytes } from './avro-types.js';
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

/** DECIMAL(precision, scale) of a confluent.type.Decimal field, from its `(confluent.field_meta)` params. */
function decimalOfField(f: pbjs.Field): SqlType {
  const params: Record<string, string> = {};
  for (const o of f.parsedOptions ?? []) {
    const meta = (o as Record<string, { params?: { key?: string; value?: string }[] }>)['(confluent.field_meta)'];
    for (const p of meta?.params ?? []) if (p.key !== undefined && p.value !== undefined) params[p.key] = p.value;
  }
  const precision = Number(params.precision ?? 64);
  const scale = Number(params.scale ?? 0);
  return T.decimal(precision, scale);
}

const MESSAGE_TYPES: Record<string, (f: pbjs.Field) => SqlType> = {
  '.google.protobuf.Timestamp': () => T.TIMESTAMP,
  '.google.type.Date': () => T.DATE,
  '.google.type.TimeOfDay': () => T.TIME,
  '.confluent.type.Decimal': decimalOfField,
};

function fieldType(f: pbjs.Field, where: string, original: boolean): SqlType {
  f.resolve();
  let t: SqlType;
  const rt = f.resolvedType;
  if (rt && 'values' in rt) t = T.STRING; // enum
  else if (rt) {
    const full = (rt as pbjs.Type).fullName;
    const known = MESSAGE_TYPES[full];
    t = known ? known(f) : WRAPPERS[full] ?? sqlTypeOfMessage(rt as pbjs.Type, `${where}.${f.name}`, original);
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

/** `original`: field names as the schema spells them (ksqlDB with a schema id), else upper-cased. */
export function sqlTypeOfMessage(type: pbjs.Type, where: string, original = false): SqlType {
  return T.struct(type.fieldsArray.map((f) => ({ name: original ? f.name : f.name.toUpperCase(), type: fieldType(f, where, original) })));
}

/** The message types (and the files they are imported from) of the SQL types Protobuf has no scalar for. */
const MESSAGE_TYPE_OF = {
  TIMESTAMP: { name: 'google.protobuf.Timestamp', imports: ['google/protobuf/timestamp.proto'] },
  DATE: { name: 'google.type.Date', imports: ['google/type/date.proto'] },
  TIME: { name: 'google.type.TimeOfDay', imports: ['google/type/timeofday.proto'] },
  DECIMAL: { name: 'confluent.type.Decimal', imports: ['confluent/type/decimal.proto', 'confluent/meta.proto'] },
} as const;

/** The wrapper message of each scalar SQL type (a nullable column with the WRAPPER representation). */
const WRAPPER_OF: Partial<Record<SqlType['base'], string>> = {
  BOOLEAN: 'google.protobuf.BoolValue',
  INTEGER: 'google.protobuf.Int32Value',
  BIGINT: 'google.protobuf.Int64Value',
  DOUBLE: 'google.protobuf.DoubleValue',
  STRING: 'google.protobuf.StringValue',
  BYTES: 'google.protobuf.BytesValue',
};

/** Whether a column is written in a google.protobuf.*Value wrapper (WRAPPER representation, top-level scalars). */
export function isWrappedColumn(t: SqlType, nullable: 'OPTIONAL' | 'WRAPPER' | undefined): boolean {
  return nullable === 'WRAPPER' && WRAPPER_OF[t.base] !== undefined;
}

/**
 * The proto3 schema text of a row (or struct), ksqlDB's way: `ConnectDefault1` and numbered nested messages; with
 * a nullable representation, the row's scalar columns are `optional` fields or google.protobuf.*Value wrappers.
 */
export function protoSchemaOf(fields: readonly { name: string; type: SqlType }[], messageName = 'ConnectDefault1', nullable?: 'OPTIONAL' | 'WRAPPER'): string {
  let counter = 1;
  const imports = new Set<string>();
  const message = (name: string, fs: readonly { name: string; type: SqlType }[], indent: string, top = false): string => {
    const nested: string[] = [];
    const lines = fs.map((f, i) => {
      let type = protoField(f.type, f.name, nested, indent + '  ');
      if (top && isWrappedColumn(f.type, nullable)) {
        imports.add('google/protobuf/wrappers.proto');
        type = WRAPPER_OF[f.type.base]!;
      } else if (top && nullable === 'OPTIONAL' && WRAPPER_OF[f.type.base] !== undefined) {
        type = `optional ${type}`;
      }
      return `${indent}  ${type} ${f.name} = ${i + 1}${decimalMeta(f.type)};`;
    });
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
      case 'DATE':
      case 'TIME':
      case 'DECIMAL': {
        const known = MESSAGE_TYPE_OF[t.base];
        for (const i of known.imports) imports.add(i);
        return known.name;
      }
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
  const body = message(messageName, fields, '', true);
  const header = [...imports].sort().map((i) => `import "${i}";\n`).join('');
  return `syntax = "proto3";\n\n${header ? `${header}\n` : ''}${body}\n`;
}

/** The field options that carry a DECIMAL's precision and scale (of the field, or of its elements or values). */
function decimalMeta(t: SqlType): string {
  const d = t.base === 'ARRAY' ? t.element : t.base === 'MAP' ? t.value : t;
  if (d.base !== 'DECIMAL') return '';
  return ` [(confluent.field_meta) = { params: [{ key: "precision", value: "${d.precision}" }, { key: "scale", value: "${d.scale}" }] }]`;
}

const DAY_MS = 86_400_000;

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
    case 'DECIMAL':
      return { value: unscaledToBytes(fitDecimal(v as Decimal, t.precision, t.scale).unscaled), precision: t.precision, scale: t.scale };
    case 'DATE': {
      const d = new Date((v as number) * DAY_MS);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    }
    case 'TIME': {
      const ms = v as number;
      return { hours: Math.floor(ms / 3_600_000), minutes: Math.floor(ms / 60_000) % 60, seconds: Math.floor(ms / 1000) % 60, nanos: (ms % 1000) * 1e6 };
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
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v) && 'value' in v && Object.keys(v).length === 1;
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
    case 'DECIMAL': {
      const d = v as { value?: Buffer; scale?: number };
      const bytes = d.value ?? Buffer.alloc(0);
      return fitDecimal(new Decimal(bytes.length === 0 ? 0n : bytesToUnscaled(bytes), Number(d.scale ?? t.scale)), t.precision, t.scale);
    }
    case 'DATE': {
      const d = v as { year?: number; month?: number; day?: number };
      return Math.floor(Date.UTC(Number(d.year ?? 0), Number(d.month ?? 1) - 1, Number(d.day ?? 1)) / DAY_MS);
    }
    case 'TIME': {
      const d = v as { hours?: number; minutes?: number; seconds?: number; nanos?: number };
      return Number(d.hours ?? 0) * 3_600_000 + Number(d.minutes ?? 0) * 60_000 + Number(d.seconds ?? 0) * 1000 + Math.floor(Number(d.nanos ?? 0) / 1e6);
    }
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return compositeFromPlain(v, t, where, fromProto);
    default:
      return v;
  }
}
