/**
 * Compiles typed expressions into plain JS closures, once per query. A compiled expression is
 * `(row) => value`; evaluating it allocates nothing beyond what the SQL itself produces (call
 * sites reuse one argument array; lambda variables live in a per-expression frame).
 *
 * Errors (division by zero, bad casts, function failures) follow ksqlDB: the whole expression
 * evaluates to NULL and an entry goes to the processing log; nothing is thrown to the engine.
 */
import type { TExpr } from './typed-expr.js';
import { ArithmeticError, Decimal } from '../types/decimal.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { compareValues, toDecimalValue, valuesEqual } from '../types/values.js';
import { valueToString } from '../types/cast.js';
import { checkResultSize, chargeExpressionWork, requireStringLength, resetExpressionWork } from '../functions/limits.js';
import { likeMatcher } from './like.js';

export type Row = unknown[];
export type Evaluator = (row: Row) => unknown;

/** Where evaluation errors go; ksqlDB writes them to its processing log stream. */
export interface ProcessingLogger {
  error(entry: ProcessingLogEntry): void;
}

export interface ProcessingLogEntry {
  readonly message: string;
  /** The SQL text of the expression that failed. */
  readonly expression: string;
  readonly error: unknown;
}

/** Collects entries in memory (the default; tests read it, the runtime can forward it). */
export class MemoryProcessingLog implements ProcessingLogger {
  readonly entries: ProcessingLogEntry[] = [];
  error(entry: ProcessingLogEntry): void {
    if (this.entries.length < 10_000) this.entries.push(entry);
  }
}

/** Per-query context: compiled expressions log through it; the runtime may swap the logger. */
export class QueryContext {
  constructor(
    public logger: ProcessingLogger = new MemoryProcessingLog(),
    /** Session properties (SET) in force when the query was created, e.g. function limits. */
    readonly properties: ReadonlyMap<string, string> = new Map(),
  ) {}
}

export interface CompiledExpression {
  readonly sql: string;
  readonly type: SqlType | null;
  readonly evaluate: Evaluator;
}

/**
 * Compiles an expression for evaluation over rows of the schema it was analyzed against.
 * The returned closure catches evaluation errors, logs them and yields `onError` (null).
 */
export function compileExpression(e: TExpr, ctx: QueryContext, onError: unknown = null): CompiledExpression {
  const frame: Frame = Object.assign([] as unknown[], { ctx });
  const inner = compile(e, frame);
  const sql = e.sql;
  const evaluate: Evaluator = (row) => {
    resetExpressionWork();
    try {
      return inner(row);
    } catch (error) {
      ctx.logger.error({ message: `Error computing expression ${sql}: ${(error as Error)?.message ?? String(error)}`, expression: sql, error });
      return onError;
    }
  };
  return { sql, type: e.type, evaluate };
}

/** A WHERE/HAVING predicate: true only when the expression is TRUE (NULL and errors filter out). */
export function compilePredicate(e: TExpr, ctx: QueryContext): (row: Row) => boolean {
  const c = compileExpression(e, ctx, false);
  return (row) => c.evaluate(row) === true;
}

const INT_DIV_ZERO = '/ by zero';

/** A function argument that ksqlDB evaluates on its own (through implicit conversions). */
function nestedCallOrDeref(a: TExpr): boolean {
  const inner = a.k === 'convert' && !a.explicit ? a.expr : a;
  return inner.k === 'call' || inner.k === 'deref';
}

function nestedName(a: TExpr): string {
  const inner = a.k === 'convert' && !a.explicit ? a.expr : a;
  return inner.k === 'call' ? inner.name : inner.k === 'deref' ? inner.field : a.sql;
}

function formatTypeName(t: SqlType | null): string {
  return t === null ? 'NULL' : formatType(t);
}

/**
 * ksqlDB evaluates operators as Java over boxed values: arithmetic, NOT, AND/OR and CASE
 * conditions unbox their operands, so a NULL operand throws. The error surfaces like any other:
 * the enclosing expression (or nested function argument / constructor member) is NULL and the
 * processing log gets an entry.
 */
export class NullOperandError extends Error {
  override readonly name = 'NullPointerException';
}

function nonNull(v: unknown, sql: string): unknown {
  if (v === null) throw new NullOperandError(`${sql} is null`);
  return v;
}

/** Lambda variable slots, plus the query context for errors caught below the top level. */
type Frame = unknown[] & { readonly ctx: QueryContext };

/**
 * A constructor member (array item, map key or value, struct field) that fails is NULL on its
 * own, as in ksqlDB: the error is logged and the rest of the constructed value survives.
 */
function orNull(f: Evaluator, sql: string, what: string, frame: Frame): Evaluator {
  return (row) => {
    try {
      return f(row);
    } catch (error) {
      frame.ctx.logger.error({ message: `Error processing ${what} ${sql}: ${(error as Error)?.message ?? String(error)}`, expression: sql, error });
      return null;
    }
  };
}

function compile(e: TExpr, frame: Frame): Evaluator {
  switch (e.k) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'column': {
      const i = e.index;
      return (row) => row[i] ?? null;
    }
    case 'lambdaVar': {
      const slot = e.slot;
      return () => frame[slot] ?? null;
    }
    case 'deref': {
      const base = compile(e.base, frame);
      const field = e.field;
      return (row) => {
        const s = base(row) as Record<string, unknown> | null;
        return s === null ? null : (s[field] ?? null);
      };
    }
    case 'arrayIndex': {
      const base = compile(e.base, frame);
      const index = compile(e.index, frame);
      // ksqlDB arrays are 1-based; negative indexes count from the end; out of range is NULL.
      return (row) => {
        const a = base(row) as unknown[] | null;
        const i = index(row) as number | null;
        if (a === null || i === null) return null;
        const n = i > 0 ? i - 1 : a.length + i;
        return n >= 0 && n < a.length ? (a[n] ?? null) : null;
      };
    }
    case 'mapLookup': {
      const base = compile(e.base, frame);
      const key = compile(e.key, frame);
      return (row) => {
        const m = base(row) as Map<unknown, unknown> | null;
        const k = key(row);
        if (m === null || k === null) return null;
        if (m.has(k)) return m.get(k) ?? null;
        if (typeof k === 'object') for (const [mk, mv] of m) if (valuesEqual(mk, k)) return mv ?? null;
        return null;
      };
    }
    case 'call':
      return compileCall(e, frame);
    case 'lambda': {
      const body = compile(e.body, frame);
      const slots = e.slots;
      // The lambda value handed to the function: binds its parameters in the frame, then evaluates.
      // Each call counts as work, so nested lambdas over large arrays stay bounded.
      return (row) => {
        if (slots.length === 1) {
          const s0 = slots[0]!;
          return (a: unknown) => {
            chargeExpressionWork(1, 'lambda');
            frame[s0] = a;
            return body(row);
          };
        }
        return (...args: unknown[]) => {
          chargeExpressionWork(1, 'lambda');
          for (let i = 0; i < slots.length; i++) frame[slots[i]!] = args[i] ?? null;
          return body(row);
        };
      };
    }
    case 'arith':
    case 'concat':
    case 'logical':
      return compileChain(e, frame);
    case 'negate': {
      const o = compile(e.operand, frame);
      const sql = e.operand.sql;
      switch (e.mode) {
        case 'int':
          return (row) => -(nonNull(o(row), sql) as number) | 0;
        case 'bigint':
          return (row) => BigInt.asIntN(64, -(nonNull(o(row), sql) as bigint));
        case 'decimal':
          return (row) => (nonNull(o(row), sql) as Decimal).negate();
        default:
          return (row) => -(nonNull(o(row), sql) as number);
      }
    }
    case 'not': {
      const o = compile(e.operand, frame);
      const sql = e.operand.sql;
      return (row) => !nonNull(o(row), sql);
    }
    case 'compare':
      return compileComparison(e, frame);
    case 'in': {
      const v = compile(e.value, frame);
      const list = e.list.map((x) => compile(x, frame));
      const eq = equality(e.mode);
      return (row) => {
        const x = v(row);
        if (x === null) return false;
        for (const item of list) {
          const y = item(row);
          if (y !== null && eq(x, y)) return true;
        }
        return false;
      };
    }
    case 'like': {
      const v = compile(e.value, frame);
      const escape = e.escape;
      if (e.pattern.k === 'literal' && typeof e.pattern.value === 'string') {
        const re = likeMatcher(e.pattern.value, escape);
        return (row) => {
          const x = v(row) as string | null;
          return x === null ? false : re.test(x);
        };
      }
      const p = compile(e.pattern, frame);
      return (row) => {
        const x = v(row) as string | null;
        const pat = p(row) as string | null;
        return x === null || pat === null ? false : likeMatcher(pat, escape).test(x);
      };
    }
    case 'isNull': {
      const v = compile(e.value, frame);
      return e.negated ? (row) => v(row) !== null : (row) => v(row) === null;
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ c: compile(w.condition, frame), r: compile(w.result, frame) }));
      const otherwise = e.otherwise ? compile(e.otherwise, frame) : () => null;
      const sqls = e.whens.map((w) => w.condition.sql);
      return (row) => {
        for (let i = 0; i < whens.length; i++) {
          const w = whens[i]!;
          if (nonNull(w.c(row), sqls[i]!) === true) return w.r(row);
        }
        return otherwise(row);
      };
    }
    case 'convert': {
      if (!e.explicit) return compileChain(e, frame);
      const inner = compile(e.expr, frame);
      const conv = e.conv;
      const converted: Evaluator = (row) => {
        const v = inner(row);
        return v === null ? null : conv(v);
      };
      // An explicit CAST that fails is NULL on its own (ksql.nested.error.set.null).
      return orNull(converted, e.sql, formatTypeName(e.type), frame);
    }
    case 'array': {
      const els = e.elements.map((x) => orNull(compile(x, frame), x.sql, 'array item', frame));
      return (row) => els.map((f) => f(row));
    }
    case 'map': {
      const entries = e.entries.map((x) => ({ k: orNull(compile(x.key, frame), x.key.sql, 'map key', frame), v: orNull(compile(x.value, frame), x.value.sql, 'map value', frame) }));
      return (row) => {
        const m = new Map<unknown, unknown>();
        for (const en of entries) m.set(en.k(row), en.v(row));
        return m;
      };
    }
    case 'struct': {
      const fields = e.fields.map((f) => ({ name: f.name, v: orNull(compile(f.value, frame), f.value.sql, 'struct field', frame) }));
      return (row) => {
        const s: Record<string, unknown> = {};
        for (const f of fields) s[f.name] = f.v(row);
        return s;
      };
    }
  }
}

function compileCall(e: Extract<TExpr, { k: 'call' }>, frame: Frame): Evaluator {
  // A failing nested function call or field access is a NULL argument (ksql.nested.error.set.null).
  const args = e.args.map((a) => (nestedCallOrDeref(a) ? orNull(compile(a, frame), a.sql, nestedName(a), frame) : compile(a, frame)));
  const impl = sizeChecked(e);
  const n = args.length;
  if (n === 0) return () => impl([]);
  const buf: unknown[] = new Array(n);
  if (e.nullTolerant) {
    return (row) => {
      for (let i = 0; i < n; i++) buf[i] = args[i]!(row);
      const r = impl(buf);
      return r === undefined ? null : r;
    };
  }
  return (row) => {
    for (let i = 0; i < n; i++) {
      const v = args[i]!(row);
      if (v === null) return null;
      buf[i] = v;
    }
    const r = impl(buf);
    return r === undefined ? null : r;
  };
}

/** Functions that return strings, bytes, arrays or maps have their result checked against the limits. */
function sizeChecked(e: Extract<TExpr, { k: 'call' }>): (args: unknown[]) => unknown {
  const impl = e.impl;
  const base = e.type?.base;
  if (base !== 'STRING' && base !== 'BYTES' && base !== 'ARRAY' && base !== 'MAP') return impl;
  const name = e.name;
  return (args) => {
    const r = impl(args);
    checkResultSize(name, r);
    return r;
  };
}

/**
 * A link of a left-associative chain: it takes the value of its left operand (already computed)
 * and the row. Binary operators and implicit conversions are links, so that `a + b + c ...` of
 * thousands of terms compiles and evaluates in a loop instead of recursing per term.
 */
type Link = (left: unknown, row: Row) => unknown;
type LinkExpr = Extract<TExpr, { k: 'arith' | 'concat' | 'logical' | 'convert' }>;

function chainLeft(e: TExpr): TExpr | undefined {
  switch (e.k) {
    case 'arith':
    case 'concat':
    case 'logical':
      return e.left;
    case 'convert':
      // An explicit CAST catches errors of its operand: it stays a boundary.
      return e.explicit ? undefined : e.expr;
    default:
      return undefined;
  }
}

function compileChain(e: LinkExpr, frame: Frame): Evaluator {
  const spine: LinkExpr[] = [];
  let x: TExpr = e;
  for (let left = chainLeft(x); left !== undefined; left = chainLeft(x)) {
    spine.push(x as LinkExpr);
    x = left;
  }
  const first = compile(x, frame);
  const links = spine.reverse().map((n) => compileLink(n, frame));
  if (links.length === 1) {
    const link = links[0]!;
    return (row) => link(first(row), row);
  }
  return (row) => {
    let v = first(row);
    for (let i = 0; i < links.length; i++) v = links[i]!(v, row);
    return v;
  };
}

function compileLink(e: LinkExpr, frame: Frame): Link {
  switch (e.k) {
    case 'arith':
      return compileArithmetic(e, frame);
    case 'concat': {
      const r = compile(e.right, frame);
      // `a || b` is CONCAT(a, b), which skips NULLs; `a + b` on strings is Java's string `+`,
      // which spells a NULL as "null".
      const text = e.nulls === 'text';
      return (a, row) => {
        const b = r(row);
        const s = text ? String(a ?? 'null') + String(b ?? 'null') : ((a ?? '') as string) + ((b ?? '') as string);
        requireStringLength('||', s.length);
        chargeExpressionWork(s.length, '||');
        return s;
      };
    }
    case 'logical': {
      // Java's short-circuit && and || over boxed booleans, as ksqlDB generates them: the left
      // operand decides alone when it can; a NULL operand that has to be read is an error.
      const r = compile(e.right, frame);
      const ls = e.left.sql;
      const rs = e.right.sql;
      if (e.op === 'AND') return (a, row) => nonNull(a, ls) === true && nonNull(r(row), rs) === true;
      return (a, row) => nonNull(a, ls) === true || nonNull(r(row), rs) === true;
    }
    case 'convert': {
      const conv = e.conv;
      return (v) => (v === null ? null : conv(v));
    }
  }
}

function compileArithmetic(e: Extract<TExpr, { k: 'arith' }>, frame: Frame): Link {
  const r = compile(e.right, frame);
  const ls = e.left.sql;
  const rs = e.right.sql;
  // ksqlDB's generated Java unboxes both operands: a NULL one is an error (NULL result + log).
  const bin = (f: (a: never, b: never) => unknown): Link => (left, row) => {
    const a = nonNull(left, ls);
    return f(a as never, nonNull(r(row), rs) as never);
  };
  switch (e.mode) {
    case 'int':
      switch (e.op) {
        case '+':
          return bin((a: number, b: number) => (a + b) | 0);
        case '-':
          return bin((a: number, b: number) => (a - b) | 0);
        case '*':
          return bin((a: number, b: number) => Math.imul(a, b));
        case '/':
          return bin((a: number, b: number) => {
            if (b === 0) throw new ArithmeticError(INT_DIV_ZERO);
            return (a / b) | 0;
          });
        case '%':
          return bin((a: number, b: number) => {
            if (b === 0) throw new ArithmeticError(INT_DIV_ZERO);
            return a % b | 0;
          });
      }
      break;
    case 'bigint':
      switch (e.op) {
        case '+':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a + b));
        case '-':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a - b));
        case '*':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a * b));
        case '/':
          return bin((a: bigint, b: bigint) => {
            if (b === 0n) throw new ArithmeticError(INT_DIV_ZERO);
            return BigInt.asIntN(64, a / b);
          });
        case '%':
          return bin((a: bigint, b: bigint) => {
            if (b === 0n) throw new ArithmeticError(INT_DIV_ZERO);
            return a % b;
          });
      }
      break;
    case 'double':
      switch (e.op) {
        case '+':
          return bin((a: number, b: number) => a + b);
        case '-':
          return bin((a: number, b: number) => a - b);
        case '*':
          return bin((a: number, b: number) => a * b);
        case '/':
          return bin((a: number, b: number) => a / b);
        case '%':
          return bin((a: number, b: number) => a % b);
      }
      break;
    case 'decimal': {
      const t = e.type as Extract<SqlType, { base: 'DECIMAL' }>;
      const lt = e.left.type!;
      const rt = e.right.type!;
      const scale = t.scale;
      const precision = t.precision;
      const fit = (d: Decimal): Decimal => {
        const s = d.setScale(scale, 'UNNECESSARY');
        if (s.precision() > precision && s.unscaled !== 0n) throw new ArithmeticError('Rounding necessary');
        return s;
      };
      const op = e.op;
      return bin((a: unknown, b: unknown) => {
        const x = toDecimalValue(a, lt);
        const y = toDecimalValue(b, rt);
        switch (op) {
          case '+':
            return fit(x.add(y));
          case '-':
            return fit(x.subtract(y));
          case '*':
            return fit(x.multiply(y));
          case '/':
            return fit(x.divide(y, scale, 'UNNECESSARY'));
          case '%':
            return fit(x.remainder(y));
        }
      });
    }
  }
  throw new Error(`internal: arithmetic ${e.op} ${e.mode}`);
}

function equality(mode: string): (a: unknown, b: unknown) => boolean {
  switch (mode) {
    case 'number':
    case 'bigint':
    case 'string':
    case 'boolean':
      return (a, b) => a === b;
    case 'decimal':
      return (a, b) => (a as Decimal).compareTo(b as Decimal) === 0;
    case 'bytes':
      return (a, b) => (a as Buffer).equals(b as Buffer);
    default:
      return valuesEqual;
  }
}

function compileComparison(e: Extract<TExpr, { k: 'compare' }>, frame: Frame): Evaluator {
  const l = compile(e.left, frame);
  const r = compile(e.right, frame);
  const eq = equality(e.mode);
  const cmp: (a: unknown, b: unknown) => number =
    e.mode === 'number' || e.mode === 'bigint'
      ? (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0)
      : compareValues;
  switch (e.op) {
    case 'IS DISTINCT FROM':
    case 'IS NOT DISTINCT FROM': {
      const distinct = e.op === 'IS DISTINCT FROM';
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (a === null || b === null) return (a === null) !== (b === null) === distinct;
        return !eq(a, b) === distinct;
      };
    }
    case '=':
      return (row) => {
        const a = l(row);
        const b = r(row);
        return a === null || b === null ? false : eq(a, b);
      };
    case '<>':
      return (row) => {
        const a = l(row);
        const b = r(row);
        return a === null || b === null ? false : !eq(a, b) && !(e.mode === 'number' && Number.isNaN(a) && Number.isNaN(b));
      };
    default: {
      const test: (c: number) => boolean =
        e.op === '<' ? (c) => c < 0 : e.op === '<=' ? (c) => c <= 0 : e.op === '>' ? (c) => c > 0 : (c) => c >= 0;
      if (e.mode === 'number') {
        // Doubles: NaN compares false, as in Java.
        const op = e.op;
        return (row) => {
          const a = l(row) as number | null;
          const b = r(row) as number | null;
          if (a === null || b === null) return false;
          return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
        };
      }
      return (row) => {
        const a = l(row);
        const b = r(row);
        return a === null || b === null ? false : test(cmp(a, b));
      };
    }
  }
}

/** Renders a value as ksqlDB's string concatenation would (used by tooling). */
export function renderValue(v: unknown, t: SqlType): string {
  return valueToString(v, t);
}
