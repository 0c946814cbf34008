/**
 * Logical schemas: named, typed columns, split into key and value columns as ksqlDB's
 * LogicalSchema is, plus the row layouts the compiled expressions read.
 *
 * Row representation (the contract with the planner and runtime): a row is a plain JS array,
 * `row[i]` holding the value of `columns[i]` of the RowSchema the expression was compiled
 * against. Arrays are chosen over objects keyed by name because every column reference is
 * resolved to an index once, at analysis time; reading `row[3]` is a monomorphic array load,
 * with no hashing or hidden-class transitions per record, and rows can be built without
 * allocating property names. The layout of a source row is:
 *
 *   [ ...key columns, ...value columns, ROWTIME, ROWPARTITION, ROWOFFSET, (WINDOWSTART, WINDOWEND) ]
 *
 * (window bounds only for windowed sources). A joined row is the concatenation of the joined
 * rows (left then right), followed by the synthetic key column when the join has one.
 */
import { BIGINT, formatType, INTEGER, needsQuotes, type SqlType } from '../types/sql-type.js';

export type ColumnRole = 'KEY' | 'VALUE' | 'PSEUDO' | 'WINDOW' | 'SYNTHETIC_KEY' | 'AGGREGATE';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly role: ColumnRole;
  /** The source alias this column belongs to (for qualified references), if any. */
  readonly qualifier?: string;
}

/** Columns ksqlDB reserves: pseudo columns and window bounds. */
export const ROWTIME = 'ROWTIME';
export const ROWPARTITION = 'ROWPARTITION';
export const ROWOFFSET = 'ROWOFFSET';
export const WINDOWSTART = 'WINDOWSTART';
export const WINDOWEND = 'WINDOWEND';

export const PSEUDO_COLUMNS: readonly { name: string; type: SqlType }[] = [
  { name: ROWTIME, type: BIGINT },
  { name: ROWPARTITION, type: INTEGER },
  { name: ROWOFFSET, type: BIGINT },
];

export const WINDOW_COLUMNS: readonly { name: string; type: SqlType }[] = [
  { name: WINDOWSTART, type: BIGINT },
  { name: WINDOWEND, type: BIGINT },
];

export const RESERVED_COLUMN_NAMES = new Set([ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND]);

/** A persisted schema (of a stream or table): key columns then value columns. */
export interface LogicalSchema {
  readonly key: readonly Column[];
  readonly value: readonly Column[];
}

/** The columns of a row, in row order. */
export interface RowSchema {
  readonly columns: readonly Column[];
}

export function quoteName(name: string): string {
  return needsQuotes(name) ? `\`${name}\`` : name;
}

/** ksqlDB's rendering of a schema, e.g. `ID` INTEGER KEY, `NAME` STRING. */
export function formatSchema(schema: LogicalSchema): string {
  const col = (c: Column, key: boolean) => `\`${c.name}\` ${formatType(c.type)}${key ? ' KEY' : ''}`;
  return [...schema.key.map((c) => col(c, true)), ...schema.value.map((c) => col(c, false))].join(', ');
}

/** The row layout of a source: keys, values, pseudo columns, and window bounds if windowed. */
export function sourceRowSchema(schema: LogicalSchema, qualifier: string, windowed: boolean): RowSchema {
  const columns: Column[] = [
    ...schema.key.map((c) => ({ ...c, role: 'KEY' as const, qualifier })),
    ...schema.value.map((c) => ({ ...c, role: 'VALUE' as const, qualifier })),
    ...PSEUDO_COLUMNS.map((c) => ({ ...c, role: 'PSEUDO' as const, qualifier })),
    ...(windowed ? WINDOW_COLUMNS.map((c) => ({ ...c, role: 'WINDOW' as const, qualifier })) : []),
  ];
  return { columns };
}
