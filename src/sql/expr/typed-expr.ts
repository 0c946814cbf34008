/**
 * Typed, resolved expressions: the analyzer's output for every SQL expression and the compiler's
 * input. Column references are row indexes, functions are resolved implementations, implicit
 * conversions are explicit `convert` nodes, so compiling needs no further lookups.
 */
import type { SourcePos } from '../errors.js';
import type { ScalarImpl } from '../functions/registry.js';
import type { ComparisonOp, ArithmeticOp } from '../parser/ast.js';
import type { SqlType } from '../types/sql-type.js';
import type { Converter } from '../types/values.js';

/** How arithmetic is carried out: by the common operand type. */
export type NumericMode = 'int' | 'bigint' | 'double' | 'decimal';

/** How a comparison compares its (converted) operands. */
export type CompareMode = 'number' | 'bigint' | 'string' | 'decimal' | 'boolean' | 'bytes' | 'structural';

interface Base {
  /** null only for an untyped NULL literal. */
  readonly type: SqlType | null;
  readonly pos: SourcePos;
  /** ksqlDB-style text of the expression, used in names and messages. */
  readonly sql: string;
}

export type TExpr = Base &
  (
    | { k: 'literal'; value: unknown }
    | { k: 'column'; index: number; name: string }
    | { k: 'lambdaVar'; slot: number }
    | { k: 'deref'; base: TExpr; field: string }
    | { k: 'arrayIndex'; base: TExpr; index: TExpr }
    | { k: 'mapLookup'; base: TExpr; key: TExpr }
    | { k: 'call'; name: string; impl: ScalarImpl; args: TExpr[]; nullTolerant: boolean; deterministic: boolean }
    | { k: 'lambda'; slots: number[]; body: TExpr }
    | { k: 'arith'; op: ArithmeticOp; mode: NumericMode; left: TExpr; right: TExpr }
    /** `||` skips NULLs (it is CONCAT); string `+` spells them "null" (Java). */
    | { k: 'concat'; left: TExpr; right: TExpr; nulls: 'skip' | 'text' }
    | { k: 'negate'; mode: NumericMode; operand: TExpr }
    | { k: 'not'; operand: TExpr }
    | { k: 'logical'; op: 'AND' | 'OR'; left: TExpr; right: TExpr }
    | { k: 'compare'; op: ComparisonOp; mode: CompareMode; left: TExpr; right: TExpr }
    | { k: 'in'; value: TExpr; list: TExpr[]; mode: CompareMode }
    | { k: 'like'; value: TExpr; pattern: TExpr; escape?: string }
    | { k: 'isNull'; value: TExpr; negated: boolean }
    | { k: 'case'; whens: { condition: TExpr; result: TExpr }[]; otherwise?: TExpr }
    | { k: 'convert'; expr: TExpr; conv: Converter; explicit: boolean }
    | { k: 'array'; elements: TExpr[] }
    | { k: 'map'; entries: { key: TExpr; value: TExpr }[] }
    | { k: 'struct'; fields: { name: string; value: TExpr }[] }
  );

export type TExprOf<K extends TExpr['k']> = Extract<TExpr, { k: K }>;

/** True when the expression has no column references (it can be evaluated without a row). */
export function isConstant(e: TExpr): boolean {
  switch (e.k) {
    case 'literal':
      return true;
    case 'column':
    case 'lambdaVar':
      return false;
    case 'call':
      return e.deterministic && e.args.every(isConstant);
    default:
      return children(e).every(isConstant);
  }
}

export function children(e: TExpr): TExpr[] {
  switch (e.k) {
    case 'literal':
    case 'column':
    case 'lambdaVar':
      return [];
    case 'deref':
      return [e.base];
    case 'arrayIndex':
      return [e.base, e.index];
    case 'mapLookup':
      return [e.base, e.key];
    case 'call':
      return e.args;
    case 'lambda':
      return [e.body];
    case 'arith':
    case 'concat':
    case 'logical':
    case 'compare':
      return [e.left, e.right];
    case 'negate':
    case 'not':
      return [e.operand];
    case 'in':
      return [e.value, ...e.list];
    case 'like':
      return [e.value, e.pattern];
    case 'isNull':
      return [e.value];
    case 'case':
      return [...e.whens.flatMap((w) => [w.condition, w.result]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'convert':
      return [e.expr];
    case 'array':
      return e.elements;
    case 'map':
      return e.entries.flatMap((x) => [x.key, x.value]);
    case 'struct':
      return e.fields.map((f) => f.value);
  }
}

/** Indexes of the row columns an expression reads. */
export function referencedColumns(e: TExpr, out = new Set<number>()): Set<number> {
  if (e.k === 'column') out.add(e.index);
  for (const c of children(e)) referencedColumns(c, out);
  return out;
}
