/**
 * ksqlDB's mapping between SQL types and Avro, both ways, and between SQL values and the generic values avsc
 * reads and writes (logical types left raw: decimal as two's-complement bytes, date/time/timestamp as numbers).
 *
 * SQL → Avro (sink schemas, as ksqlDB writes them): every column and field is optional, `["null", T]` with
 * default null; STRUCT is a record named `<parent>_<FIELD>`; MAP<STRING, V> an Avro map; DECIMAL bytes with
 * the decimal logical type; DATE int/date, TIME int/time-millis, TIMESTAMP long/timestamp-millis.
 * Avro → SQL (inferred columns): the same back, plus float → DOUBLE, enum → STRING, fixed → BYTES,
 * timestamp-micros (→ TIMESTAMP in millis), `["null", T]` → T, and a union of several types → a STRUCT with one
 * optional field per branch, named by the branch's type (`INT`, `STRING`, ...) or record name.
 */
import { SerdeError } from '../../serde/serde.js';
import { Decimal, fitDecimal } from '../types/decimal.js';
import * as T from '../types/sql-type.js';
import type { SqlType, Struct } from '../types/sql-type.js';
import { compositeFromPlain, compositeToPlain } from './composite.js';
import { isUnion, isUnionStructValue, markUnion, unionFieldFor } from '../types/union.js';

export const KSQL_AVRO_NAMESPACE = 'io.confluent.ksql.avro_schemas';
export const KSQL_AVRO_NAME = 'KsqlDataSourceSchema';

type AvroSchema = string | AvroSchema[] | { type: string | AvroSchema; [k: string]: unknown };

function optional(schema: AvroSchema): AvroSchema {
  return ['null', schema];
}

/** The Avro schema of one SQL type (not wrapped in the null union). */
export function avroSchemaOf(t: SqlType, name: string): AvroSchema {
  switch (t.base) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INTEGER':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'DOUBLE':
      return 'double';
    case 'STRING':
      return 'string';
    case 'BYTES':
      return 'bytes';
    case 'DECIMAL':
      return { type: 'bytes', logicalType: 'decimal', precision: t.precision, scale: t.scale };
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
      return { type: 'long', logicalType: 'timestamp-millis' };
    case 'ARRAY':
      return { type: 'array', items: optional(avroSchemaOf(t.element, name)) };
    case 'MAP':
      if (t.key.base !== 'STRING') throw new SerdeError(`Avro maps have STRING keys; MAP<${t.key.base}, ...> is not supported`);
      return { type: 'map', values: optional(avroSchemaOf(t.value, name)) };
    case 'STRUCT':
      return avroRecord(name, t.fields);
  }
}

/** A record of optional fields, as ksqlDB writes rows and structs. */
export function avroRecord(fullName: string, fields: readonly { name: string; type: SqlType }[]): AvroSchema {
  const dot = fullName.lastIndexOf('.');
  const simple = dot >= 0 ? fullName.slice(dot + 1) : fullName;
  return {
    type: 'record',
    name: simple,
    ...(dot >= 0 ? { namespace: fullName.slice(0, dot) } : {}),
    fields: fields.map((f) => ({ name: f.name, type: optional(avroSchemaOf(f.type, `${fullName}_${f.name}`)), default: null })),
  };
}

// ------------------------------------------------------------ Avro → SQL types

function nonNullBranches(union: AvroSchema[]): AvroSchema[] {
  return union.filter((b) => b !== 'null' && !(typeof b === 'object' && !Array.isArray(b) && b.type === 'null'));
}

/**
 * The field a union branch becomes (as Confluent's AvroData names it): a named type's simple name, else the
 * type's name (`int`, `string`, `array`, ...; a logical type's underlying type).
 */
export function avroUnionFieldName(branch: AvroSchema): string {
  if (typeof branch === 'string') return branch.slice(branch.lastIndexOf('.') + 1);
  if (Array.isArray(branch)) return 'union';
  if (typeof branch.name === 'string' && (branch.type === 'record' || branch.type === 'enum' || branch.type === 'fixed' || branch.type === 'error')) {
    return branch.name.slice(branch.name.lastIndexOf('.') + 1);
  }
  return avroUnionFieldName(branch.type);
}

/**
 * The SQL type of an Avro schema (named types resolved through `named`); `original`: field names as the schema
 * spells them (ksqlDB with a schema id), else upper-cased.
 */
export function sqlTypeOfAvro(schema: AvroSchema, where: string, named: Map<string, AvroSchema> = new Map(), namespace = '', original = false): SqlType {
  if (Array.isArray(schema)) {
    const branches = nonNullBranches(schema);
    if (branches.length === 0) throw new SerdeError(`${where}: an Avro union of null alone has no SQL type`);
    if (branches.length === 1) return sqlTypeOfAvro(branches[0]!, where, named, namespace, original);
    // a union of several types: a STRUCT of one optional field per branch (ksqlDB's reading of Connect's union)
    return markUnion(T.struct(branches.map((b) => {
      const name = avroUnionFieldName(b);
      return { name: original ? name : name.toUpperCase(), type: sqlTypeOfAvro(b, `${where}.${name}`, named, namespace, original) };
    })));
  }
  const s = schema;
  if (typeof s === 'string') {
    switch (s) {
      case 'boolean':
        return T.BOOLEAN;
      case 'int':
        return T.INTEGER;
      case 'long':
        return T.BIGINT;
      case 'float':
      case 'double':
        return T.DOUBLE;
      case 'string':
        return T.STRING;
      case 'bytes':
        return T.BYTES;
      default: {
        const ref = named.get(s) ?? named.get(`${namespace}.${s}`);
        if (!ref) throw new SerdeError(`${where}: unknown Avro type ${s}`);
        return sqlTypeOfAvro(ref, where, named, namespace, original);
      }
    }
  }
  const logical = s.logicalType as string | undefined;
  if (logical === 'decimal') return T.decimal(Number(s.precision), Number(s.scale ?? 0));
  if (logical === 'date') return T.DATE;
  if (logical === 'time-millis' || logical === 'time-micros') return T.TIME;
  if (logical === 'timestamp-millis' || logical === 'timestamp-micros' || logical === 'local-timestamp-millis') return T.TIMESTAMP;
  const ns = typeof s.namespace === 'string' ? s.namespace : namespace;
  if (typeof s.name === 'string') named.set(s.name.includes('.') || !ns ? s.name : `${ns}.${s.name}`, s);
  switch (s.type) {
    case 'record': {
      const fields = s.fields as { name: string; type: AvroSchema }[];
      return T.struct(fields.map((f) => ({ name: original ? f.name : f.name.toUpperCase(), type: sqlTypeOfAvro(f.type, `${where}.${f.name}`, named, ns, original) })));
    }
    case 'array':
      return T.array(sqlTypeOfAvro(s.items as AvroSchema, where, named, ns, original));
    case 'map':
      return T.map(T.STRING, sqlTypeOfAvro(s.values as AvroSchema, where, named, ns, original));
    case 'enum':
      return T.STRING;
    case 'fixed':
      return T.BYTES;
    default:
      return sqlTypeOfAvro(s.type as AvroSchema, where, named, ns, original);
  }
}

// ------------------------------------------------------------ values

/** Big-endian two's complement bytes of an unscaled decimal (Avro's and Confluent's Protobuf decimal encoding). */
export function unscaledToBytes(v: bigint): Buffer {
  // minimal two's complement, big-endian
  const neg = v < 0n;
  let bytes = 1;
  while (neg ? v < -(1n << BigInt(bytes * 8 - 1)) : v >= 1n << BigInt(bytes * 8 - 1)) bytes++;
  const hex = BigInt.asUintN(bytes * 8, v).toString(16).padStart(bytes * 2, '0');
  return Buffer.from(hex, 'hex');
}

export function bytesToUnscaled(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  return BigInt.asIntN(b.length * 8, BigInt(`0x${b.toString('hex')}`));
}

/** A SQL value as avsc writes it for the Avro schema avroSchemaOf(t). */
export function toAvro(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.base) {
    case 'DECIMAL':
      return unscaledToBytes(fitDecimal(v as Decimal, t.precision, t.scale).unscaled);
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return compositeToPlain(v, t, toAvro);
    default:
      return v;
  }
}

/** A generic value avsc read (with logical types raw) as the SQL value of type t. */
export function fromAvro(v: unknown, t: SqlType, where: string): unknown {
  if (v === null || v === undefined) return null;
  switch (t.base) {
    case 'BOOLEAN':
    case 'STRING':
    case 'DOUBLE':
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      if (typeof v === 'bigint') return t.base === 'STRING' ? String(v) : Number(v);
      return typeof v === 'object' && !Buffer.isBuffer(v) ? unionBranch(v, t, where) : t.base === 'STRING' && typeof v !== 'string' ? String(v) : v;
    case 'BIGINT':
      return typeof v === 'object' ? unionBranch(v, t, where) : BigInt(v as number | bigint);
    case 'BYTES':
      return v;
    case 'DECIMAL':
      return Buffer.isBuffer(v) ? fitDecimal(new Decimal(bytesToUnscaled(v), t.scale), t.precision, t.scale) : fitDecimal(Decimal.parse(String(v)), t.precision, t.scale);
    case 'STRUCT':
      return isUnion(t) ? unionFromAvro(v, t, where) : compositeFromPlain(v, t, where, fromAvro);
    case 'ARRAY':
    case 'MAP':
      return compositeFromPlain(v, t, where, fromAvro);
  }
}

/**
 * A union value as its STRUCT: avsc gives a branch wrapped as `{ <branch name>: value }` (ambiguous unions, a
 * named type by its full name) or the bare value, whose kind picks the branch.
 */
function unionFromAvro(v: unknown, t: Extract<SqlType, { base: 'STRUCT' }>, where: string): Struct {
  // written as the STRUCT itself (a record of the branch fields, as ksqlDB's sinks write a union column)
  if (isUnionStructValue(v, t)) return compositeFromPlain(v, t, where, fromAvro) as Struct;
  const out: Struct = {};
  for (const f of t.fields) out[f.name] = null;
  let name: string | undefined;
  let value = v;
  const keys = typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v) ? Object.keys(v) : [];
  if (keys.length === 1) {
    const branch = keys[0]!.slice(keys[0]!.lastIndexOf('.') + 1).toUpperCase();
    name = t.fields.find((f) => f.name.toUpperCase() === branch)?.name;
    if (name !== undefined) value = (v as Record<string, unknown>)[keys[0]!];
  }
  name ??= unionFieldFor(t, v);
  if (name === undefined) throw new SerdeError(`${where}: the value matches no branch of the union ${JSON.stringify(t.fields.map((f) => f.name))}`);
  out[name] = fromAvro(value, t.fields.find((f) => f.name === name)!.type, `${where}.${name}`);
  return out;
}

/** avsc wraps some union values as `{ type: value }`. */
function unionBranch(v: object, t: SqlType, where: string): unknown {
  const values = Object.values(v);
  if (values.length === 1) return fromAvro(values[0], t, where);
  throw new SerdeError(`${where}: cannot read ${JSON.stringify(v)} as ${t.base}`);
}
