/**
 * SQL types of the ksqlDB dialect and their JavaScript value representation:
 *
 * | SQL type      | JS value                                   |
 * | ------------- | ------------------------------------------ |
 * | BOOLEAN       | boolean                                    |
 * | INTEGER       | number (32-bit integer, Java int overflow) |
 * | BIGINT        | bigint (64-bit, Java long overflow)        |
 * | DOUBLE        | number                                     |
 * | DECIMAL(p,s)  | Decimal (exact; unscaled bigint + scale)   |
 * | STRING        | string                                     |
 * | BYTES         | Buffer                                     |
 * | TIMESTAMP     | number: epoch milliseconds (UTC)           |
 * | DATE          | number: days since epoch                   |
 * | TIME          | number: milliseconds of the day            |
 * | ARRAY<T>      | Array                                      |
 * | MAP<K,V>      | Map (insertion ordered)                    |
 * | STRUCT<...>   | Struct: plain object keyed by field name   |
 *
 * SQL NULL is JS `null` everywhere (never undefined).
 */

export type SqlType =
  | { readonly base: 'BOOLEAN' }
  | { readonly base: 'INTEGER' }
  | { readonly base: 'BIGINT' }
  | { readonly base: 'DOUBLE' }
  | { readonly base: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly base: 'STRING' }
  | { readonly base: 'BYTES' }
  | { readonly base: 'TIMESTAMP' }
  | { readonly base: 'DATE' }
  | { readonly base: 'TIME' }
  | { readonly base: 'ARRAY'; readonly element: SqlType }
  | { readonly base: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  | { readonly base: 'STRUCT'; readonly fields: readonly StructField[] };

export interface StructField {
  readonly name: string;
  readonly type: SqlType;
}

export type BaseType = SqlType['base'];
export type TypeOf<B extends BaseType> = Extract<SqlType, { base: B }>;

/** A struct value: field name → value. */
export type Struct = Record<string, unknown>;

export const BOOLEAN: SqlType = Object.freeze({ base: 'BOOLEAN' });
export const INTEGER: SqlType = Object.freeze({ base: 'INTEGER' });
export const BIGINT: SqlType = Object.freeze({ base: 'BIGINT' });
export const DOUBLE: SqlType = Object.freeze({ base: 'DOUBLE' });
export const STRING: SqlType = Object.freeze({ base: 'STRING' });
export const BYTES: SqlType = Object.freeze({ base: 'BYTES' });
export const TIMESTAMP: SqlType = Object.freeze({ base: 'TIMESTAMP' });
export const DATE: SqlType = Object.freeze({ base: 'DATE' });
export const TIME: SqlType = Object.freeze({ base: 'TIME' });

/** The parameterless type names of the dialect (aliases included), upper case. */
export const PRIMITIVE_TYPES: Readonly<Record<string, SqlType>> = {
  BOOLEAN,
  INT: INTEGER,
  INTEGER,
  BIGINT,
  DOUBLE,
  STRING,
  VARCHAR: STRING,
  BYTES,
  TIMESTAMP,
  DATE,
  TIME,
};

export function decimal(precision: number, scale: number): SqlType {
  return { base: 'DECIMAL', precision, scale };
}
export function array(element: SqlType): SqlType {
  return { base: 'ARRAY', element };
}
export function map(key: SqlType, value: SqlType): SqlType {
  return { base: 'MAP', key, value };
}
export function struct(fields: StructField[]): SqlType {
  return { base: 'STRUCT', fields };
}

/** INT and BIGINT when widened to DECIMAL, as ksqlDB's SqlTypes.INT_UPCAST_TO_DECIMAL etc. */
export const INT_AS_DECIMAL = decimal(10, 0);
export const BIGINT_AS_DECIMAL = decimal(19, 0);

export function isNumeric(t: SqlType): boolean {
  return t.base === 'INTEGER' || t.base === 'BIGINT' || t.base === 'DOUBLE' || t.base === 'DECIMAL';
}

export function isTemporal(t: SqlType): boolean {
  return t.base === 'TIMESTAMP' || t.base === 'DATE' || t.base === 'TIME';
}

export function typeEquals(a: SqlType, b: SqlType): boolean {
  if (a.base !== b.base) return false;
  switch (a.base) {
    case 'DECIMAL': {
      const o = b as TypeOf<'DECIMAL'>;
      return a.precision === o.precision && a.scale === o.scale;
    }
    case 'ARRAY':
      return typeEquals(a.element, (b as TypeOf<'ARRAY'>).element);
    case 'MAP': {
      const o = b as TypeOf<'MAP'>;
      return typeEquals(a.key, o.key) && typeEquals(a.value, o.value);
    }
    case 'STRUCT': {
      const o = b as TypeOf<'STRUCT'>;
      return a.fields.length === o.fields.length && a.fields.every((f, i) => f.name === o.fields[i]!.name && typeEquals(f.type, o.fields[i]!.type));
    }
    default:
      return true;
  }
}

/** Whether a name needs backticks when printed (ksqlDB quotes names that are not plain upper case). */
export function needsQuotes(name: string): boolean {
  return !/^[A-Z_][A-Z0-9_]*$/.test(name);
}

/** ksqlDB's rendering of a type, e.g. `DECIMAL(4, 2)`, `MAP<STRING, INTEGER>`, STRUCT<`A` INTEGER>. */
export function formatType(t: SqlType): string {
  switch (t.base) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ARRAY':
      return `ARRAY<${formatType(t.element)}>`;
    case 'MAP':
      return `MAP<${formatType(t.key)}, ${formatType(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>`;
    default:
      return t.base;
  }
}

/** Finds a struct field by exact name. */
export function structField(t: TypeOf<'STRUCT'>, name: string): StructField | undefined {
  return t.fields.find((f) => f.name === name);
}
