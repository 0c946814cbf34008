/**
 * Name resolution of column references against a row schema: qualified (`S.X`) or unqualified
 * (`X`) references become row indexes; ambiguity and unknown names are positioned errors.
 */
import { fail, type SourcePos } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { quoteName, type Column, type RowSchema } from './schema.js';

export interface ResolvedColumn {
  readonly index: number;
  readonly column: Column;
}

export class RowScope {
  readonly qualifiers: Set<string>;

  constructor(
    readonly schema: RowSchema,
    /** Aliases that may qualify references in this scope. */
    qualifiers?: Iterable<string>,
  ) {
    this.qualifiers = new Set(qualifiers ?? schema.columns.map((c) => c.qualifier).filter((q): q is string => q !== undefined));
  }

  /** Finds a column or returns undefined (no error) — used to probe before reporting. */
  find(name: string, qualifier?: string): ResolvedColumn[] {
    const out: ResolvedColumn[] = [];
    this.schema.columns.forEach((column, index) => {
      if (column.name !== name) return;
      if (qualifier !== undefined && column.qualifier !== qualifier) return;
      out.push({ index, column });
    });
    return out;
  }

  resolve(name: string, qualifier: string | undefined, pos: SourcePos, clause = ''): ResolvedColumn {
    const display = qualifier ? `${quoteName(qualifier)}.${quoteName(name)}` : quoteName(name);
    if (qualifier !== undefined && !this.qualifiers.has(qualifier)) {
      fail(`'${qualifier}' is not a valid stream/table name or alias.`, pos);
    }
    const found = this.find(name, qualifier);
    if (found.length === 0) fail(`${clause ? `${clause} column` : 'Column'} '${display}' cannot be resolved.`, pos);
    if (found.length > 1) {
      const options = found.map((f) => `${f.column.qualifier ? `${quoteName(f.column.qualifier)}.` : ''}${quoteName(name)}`);
      fail(`Column '${display}' is ambiguous. Could be any of: ${options.join(', ')}`, pos);
    }
    return found[0]!;
  }

  typeOf(index: number): SqlType {
    return this.schema.columns[index]!.type;
  }
}
