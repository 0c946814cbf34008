/**
 * Semantic analysis of expressions: resolves names against a RowScope, types every node with
 * ksqlDB's rules (literal typing, implicit widening, decimal arithmetic, comparison coercion),
 * resolves function overloads, and produces TExpr trees ready to compile.
 */
import { fail, SqlError, type SourcePos } from '../errors.js';
import { FunctionResolutionError, type ArgInfo, type FactoryContext, type FunctionRegistry, type ScalarImpl } from '../functions/registry.js';
import { FunctionError } from '../functions/function-error.js';
import { stringToTemporal } from '../functions/signature.js';
import type { Expr, ExprOf } from '../parser/ast.js';
import { castConverter } from '../types/cast.js';
import { arithmeticResultType, canImplicitlyCast, commonType, toDecimalType } from '../types/coercion.js';
import { Decimal } from '../types/decimal.js';
import { BIGINT, BOOLEAN, DOUBLE, formatType, INTEGER, isNumeric, STRING, TIMESTAMP, array, decimal, map, struct, typeEquals, type SqlType } from '../types/sql-type.js';
import { implicitConverter, type Converter } from '../types/values.js';
import { DAY_MS, parseTimestampIso } from '../time/iso-time.js';
import { compileExpression, QueryContext } from '../expr/compile.js';
import { astLeft, formatExpr } from './expr-format.js';
import { spineSafe } from '../left-spine.js';
import { coerceUserList } from './user-list.js';
import type { RowScope } from './scope.js';
import { isConstant, type CompareMode, type NumericMode, type TExpr } from '../expr/typed-expr.js';
import { resolveType } from './type-resolver.js';
import { INTERVAL_FUNCTIONS, TIME_UNIT_NAMES } from '../functions/scalar/intervals.js';

export interface ExprAnalyzerOptions {
  readonly registry: FunctionRegistry;
  readonly scope: RowScope;
  /** Clause name used in messages, e.g. 'SELECT', 'WHERE'. */
  readonly clause: string;
  /** Consulted first for every node: a replacement (GROUP BY key, aggregate result...) or undefined. */
  readonly substitute?: (e: Expr) => TExpr | undefined;
  /** Called for column references not substituted; default resolves against the scope. */
  readonly onColumn?: (e: ExprOf<'ColumnRef'>) => TExpr | undefined;
  /** Called for aggregate calls not substituted; must throw or return a replacement. */
  readonly onAggregate?: (e: ExprOf<'FunctionCall'>) => TExpr;
  /** Called for table function calls not substituted. */
  readonly onTableFunction?: (e: ExprOf<'FunctionCall'>) => TExpr;
}

const OP_NAMES: Record<string, string> = {
  '=': 'EQUAL',
  '<>': 'NOT_EQUAL',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
  'IS DISTINCT FROM': 'IS_DISTINCT_FROM',
  'IS NOT DISTINCT FROM': 'IS_NOT_DISTINCT_FROM',
};

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function typeName(t: SqlType | null): string {
  return t === null ? 'NULL' : formatType(t);
}

/** Type of a DECIMAL literal as ksqlDB's DecimalUtil.fromValue. */
export function decimalLiteralType(d: Decimal): SqlType {
  const abs = d.abs();
  if (abs.compareTo(new Decimal(1n, 0)) < 0) return decimal(d.scale + 1, d.scale);
  return decimal(d.precision(), Math.max(d.scale, 0));
}

export class ExprAnalyzer {
  private readonly lambdaScopes: Map<string, { slot: number; type: SqlType }>[] = [];
  private nextSlot = 0;

  constructor(private readonly o: ExprAnalyzerOptions) {}

  /** The typed form of an expression (chains of thousands of terms included: see left-spine.ts). */
  readonly analyze: (e: Expr) => TExpr = spineSafe(
    astLeft,
    (e: Expr) => this.analyzeNode(e),
    { final: (e: Expr) => this.o.substitute?.(e) !== undefined },
  );

  private analyzeNode(e: Expr): TExpr {
    const sub = this.o.substitute?.(e);
    if (sub) return sub;
    const sql = formatExpr(e);
    const pos = e.pos;
    switch (e.kind) {
      case 'NullLiteral':
        return { k: 'literal', value: null, type: null, pos, sql };
      case 'BooleanLiteral':
        return { k: 'literal', value: e.value, type: BOOLEAN, pos, sql };
      case 'StringLiteral':
        return { k: 'literal', value: e.value, type: STRING, pos, sql };
      case 'IntegerLiteral': {
        const v = BigInt(e.text);
        if (v >= INT_MIN && v <= INT_MAX) return { k: 'literal', value: Number(v), type: INTEGER, pos, sql };
        if (v >= LONG_MIN && v <= LONG_MAX) return { k: 'literal', value: v, type: BIGINT, pos, sql };
        const d = Decimal.parse(e.text);
        return { k: 'literal', value: d, type: decimalLiteralType(d), pos, sql };
      }
      case 'DecimalLiteral': {
        const d = Decimal.parse(e.text);
        return { k: 'literal', value: d, type: decimalLiteralType(d), pos, sql };
      }
      case 'DoubleLiteral':
        return { k: 'literal', value: Number(e.text), type: DOUBLE, pos, sql };
      case 'ColumnRef':
        return this.column(e, sql);
      case 'Dereference':
        return this.dereference(e, sql);
      case 'Subscript':
        return this.subscript(e, sql);
      case 'FunctionCall':
        return this.functionCall(e, sql);
      case 'Lambda':
        return fail('Lambda expressions are only allowed as function arguments.', pos);
      case 'Arithmetic':
        return this.arithmetic(e, sql);
      case 'Concat': {
        const l = this.analyze(e.left);
        const r = this.analyze(e.right);
        for (const x of [l, r]) {
          if (x.type !== null && x.type.base !== 'STRING') fail(`Unsupported arithmetic types. ${typeName(l.type)} ${typeName(r.type)}`, pos);
        }
        return { k: 'concat', left: l, right: r, nulls: 'skip', type: STRING, pos, sql };
      }
      case 'Negate': {
        const o = this.analyze(e.operand);
        if (o.type !== null && !isNumeric(o.type)) fail(`Unsupported arithmetic type for unary minus: ${typeName(o.type)}`, pos);
        const t = o.type ?? INTEGER;
        return { k: 'negate', mode: numericMode(t), operand: o, type: t, pos, sql };
      }
      case 'Not': {
        const o = this.analyze(e.operand);
        this.requireBoolean(o, 'NOT');
        return { k: 'not', operand: o, type: BOOLEAN, pos, sql };
      }
      case 'Logical': {
        const l = this.analyze(e.left);
        const r = this.analyze(e.right);
        this.requireBoolean(l, e.op);
        this.requireBoolean(r, e.op);
        return { k: 'logical', op: e.op, left: l, right: r, type: BOOLEAN, pos, sql };
      }
      case 'Comparison':
        return this.comparison(e.op, this.analyze(e.left), this.analyze(e.right), pos, sql);
      case 'Between': {
        const v = this.analyze(e.value);
        const low = this.comparison('>=', v, this.analyze(e.low), pos, sql);
        const high = this.comparison('<=', v, this.analyze(e.high), pos, sql);
        const both: TExpr = { k: 'logical', op: 'AND', left: low, right: high, type: BOOLEAN, pos, sql };
        return e.negated ? { k: 'not', operand: both, type: BOOLEAN, pos, sql } : both;
      }
      case 'InList':
        return this.inList(e, sql);
      case 'Like': {
        const v = this.analyze(e.value);
        const p = this.analyze(e.pattern);
        for (const x of [v, p]) {
          if (x.type !== null && x.type.base !== 'STRING') fail(`LIKE can only be used with STRING values, got ${typeName(x.type)}`, x.pos);
        }
        const like: TExpr = { k: 'like', value: v, pattern: p, ...(e.escape !== undefined ? { escape: e.escape } : {}), type: BOOLEAN, pos, sql };
        return e.negated ? { k: 'not', operand: like, type: BOOLEAN, pos, sql } : like;
      }
      case 'IsNull':
        return { k: 'isNull', value: this.analyze(e.value), negated: e.negated, type: BOOLEAN, pos, sql };
      case 'SearchedCase':
        return this.searchedCase(
          e.whens.map((w) => ({ condition: this.analyze(w.condition), result: w.result })),
          e.otherwise,
          pos,
          sql,
        );
      case 'SimpleCase': {
        const operand = this.analyze(e.operand);
        return this.searchedCase(
          e.whens.map((w) => ({ condition: this.comparison('=', operand, this.analyze(w.value), w.value.pos, sql), result: w.result })),
          e.otherwise,
          pos,
          sql,
        );
      }
      case 'Cast': {
        const inner = this.analyze(e.expr);
        const to = resolveType(e.type);
        if (inner.type === null) return { k: 'literal', value: null, type: to, pos, sql };
        const conv = castConverter(inner.type, to);
        if (!conv) fail(`Cast of ${typeName(inner.type)} to ${formatType(to)} is not supported`, pos);
        return { k: 'convert', expr: inner, conv, explicit: true, type: to, pos, sql };
      }
      case 'CreateArray': {
        const { type: t, exprs: els } = coerceUserList(e.elements.map((x) => this.analyze(x)));
        if (t === undefined) fail('Cannot construct an array with all NULL elements (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value to the desired type.', pos);
        return { k: 'array', elements: els, type: array(t), pos, sql };
      }
      case 'CreateMap': {
        const { type: kt, exprs: keys } = coerceUserList(e.entries.map((x) => this.analyze(x.key)));
        const { type: vt, exprs: values } = coerceUserList(e.entries.map((x) => this.analyze(x.value)));
        if (kt === undefined || vt === undefined) fail('Cannot construct a map with all NULL keys or values. As a workaround, you may cast a NULL value to the desired type.', pos);
        return {
          k: 'map',
          entries: keys.map((k, i) => ({ key: k, value: values[i]! })),
          type: map(kt, vt),
          pos,
          sql,
        };
      }
      case 'CreateStruct': {
        const seen = new Set<string>();
        const fields = e.fields.map((f) => {
          if (seen.has(f.name)) fail(`Duplicate field names found in STRUCT: '${f.name}'`, pos);
          seen.add(f.name);
          const v = this.analyze(f.value);
          return { name: f.name, value: v.type === null ? { ...v, type: STRING } : v };
        });
        return { k: 'struct', fields, type: struct(fields.map((f) => ({ name: f.name, type: f.value.type! }))), pos, sql };
      }
    }
  }

  // ------------------------------------------------------------ pieces

  private column(e: ExprOf<'ColumnRef'>, sql: string): TExpr {
    if (e.qualifier === undefined) {
      for (let i = this.lambdaScopes.length - 1; i >= 0; i--) {
        const v = this.lambdaScopes[i]!.get(e.name);
        if (v) return { k: 'lambdaVar', slot: v.slot, type: v.type, pos: e.pos, sql };
      }
    }
    const custom = this.o.onColumn?.(e);
    if (custom) return custom;
    const r = this.o.scope.resolve(e.name, e.qualifier, e.pos, this.o.clause === 'SELECT' ? 'SELECT' : '');
    return { k: 'column', index: r.index, name: r.column.name, type: r.column.type, pos: e.pos, sql };
  }

  private dereference(e: ExprOf<'Dereference'>, sql: string): TExpr {
    const base = this.analyze(e.base);
    if (base.type === null || base.type.base !== 'STRUCT') {
      fail(`Expected STRUCT type, got: ${typeName(base.type)}`, e.pos);
    }
    const field = base.type.fields.find((f) => f.name === e.field);
    if (!field) fail(`Could not find field '${e.field}' in '${formatExpr(e.base)}'.`, e.pos);
    return { k: 'deref', base, field: field.name, type: field.type, pos: e.pos, sql };
  }

  private subscript(e: ExprOf<'Subscript'>, sql: string): TExpr {
    const base = this.analyze(e.base);
    const index = this.analyze(e.index);
    if (base.type?.base === 'ARRAY') {
      if (index.type !== null && index.type.base !== 'INTEGER') fail(`Array index must be an INTEGER, got ${typeName(index.type)}`, e.index.pos);
      return { k: 'arrayIndex', base, index, type: base.type.element, pos: e.pos, sql };
    }
    if (base.type?.base === 'MAP') {
      const key = this.convert(index, base.type.key, e.index.pos);
      return { k: 'mapLookup', base, key, type: base.type.value, pos: e.pos, sql };
    }
    return fail(`Subscript expression must be an ARRAY or MAP, got ${typeName(base.type)}`, e.pos);
  }

  private functionCall(e: ExprOf<'FunctionCall'>, sql: string): TExpr {
    const registry = this.o.registry;
    // DATEADD(DAYS, ...), TIMESTAMPSUB(SECONDS, ...): the bare time unit is a name, not a column.
    const unit = e.args[0];
    if (INTERVAL_FUNCTIONS.has(e.name) && unit?.kind === 'ColumnRef' && unit.qualifier === undefined && TIME_UNIT_NAMES.has(unit.name.toUpperCase())) {
      e = { ...e, args: [{ kind: 'StringLiteral', pos: unit.pos, value: unit.name.toUpperCase() }, ...e.args.slice(1)] };
    }
    const kind = registry.kindOf(e.name);
    if (kind === 'aggregate') {
      if (this.o.onAggregate) return this.o.onAggregate(e);
      return fail(`Aggregate functions can not be used in ${this.o.clause === 'SELECT' ? 'this context' : `the ${this.o.clause} clause`}: ${sql}`, e.pos);
    }
    if (kind === 'table') {
      if (this.o.onTableFunction) return this.o.onTableFunction(e);
      return fail(`Table functions can not be used in ${this.o.clause === 'SELECT' ? 'this context' : `the ${this.o.clause} clause`}: ${sql}`, e.pos);
    }
    if (kind === undefined) fail(`Can't find any functions with the name '${e.name}'`, e.pos);
    if (e.star) fail(`Function '${e.name}' does not accept '*' as an argument`, e.pos);
    // Non-lambda arguments are analyzed first; lambdas are typed once the overload binds their parameters.
    const valueArgs: (TExpr | undefined)[] = e.args.map((a) => (a.kind === 'Lambda' ? undefined : this.analyze(a)));
    const infos: ArgInfo[] = e.args.map((a, i) =>
      a.kind === 'Lambda' ? { kind: 'lambda', arity: a.params.length } : { kind: 'value', type: valueArgs[i]!.type },
    );
    const lambdaBodies = new Map<number, { slots: number[]; body: TExpr }>();
    let resolved;
    try {
      resolved = registry.resolveScalar(e.name, infos, (i, paramTypes) => {
        const lambda = e.args[i] as ExprOf<'Lambda'>;
        const typed = this.lambda(lambda, paramTypes);
        lambdaBodies.set(i, typed);
        return typed.body.type;
      });
    } catch (err) {
      if (err instanceof FunctionResolutionError) fail(err.message, e.pos);
      throw err;
    }
    const args: TExpr[] = e.args.map((a, i) => {
      if (a.kind === 'Lambda') {
        const l = lambdaBodies.get(i)!;
        return { k: 'lambda', slots: l.slots, body: l.body, type: null, pos: a.pos, sql: formatExpr(a) };
      }
      const arg = valueArgs[i]!;
      const param = resolved.paramTypes[i]!;
      if (arg.type !== null && arg.k !== 'literal' && stringToTemporal(arg.type, param)) {
        return { k: 'convert', expr: arg, conv: castConverter(arg.type, param)!, explicit: true, type: param, pos: arg.pos, sql: arg.sql };
      }
      return this.convert(arg, param, a.pos);
    });
    const overload = resolved.overload;
    const constants = args.map((a) => (a.k !== 'lambda' && isConstant(a) ? evaluateConstant(a) : undefined));
    const argTypes = resolved.paramTypes.map((t) => t ?? STRING);
    const impl = overload.factory ? buildImpl(overload.factory, { argTypes, returnType: resolved.returnType, constants }) : overload.impl!;
    return {
      k: 'call',
      name: resolved.def.name,
      impl,
      args,
      nullTolerant: overload.nullTolerant ?? false,
      deterministic: resolved.def.deterministic ?? true,
      type: resolved.returnType,
      pos: e.pos,
      sql,
    };
  }

  private lambda(e: ExprOf<'Lambda'>, paramTypes: SqlType[]): { slots: number[]; body: TExpr } {
    const scope = new Map<string, { slot: number; type: SqlType }>();
    const slots: number[] = [];
    e.params.forEach((p, i) => {
      if (scope.has(p)) fail(`Lambda parameter names must be unique: ${p}`, e.pos);
      const slot = this.nextSlot++;
      slots.push(slot);
      scope.set(p, { slot, type: paramTypes[i]! });
    });
    this.lambdaScopes.push(scope);
    try {
      return { slots, body: this.analyze(e.body) };
    } finally {
      this.lambdaScopes.pop();
    }
  }

  private arithmetic(e: ExprOf<'Arithmetic'>, sql: string): TExpr {
    const l = this.analyze(e.left);
    const r = this.analyze(e.right);
    const lt = l.type ?? r.type;
    const rt = r.type ?? l.type;
    if (lt === null || rt === null) fail(`Unsupported arithmetic types. NULL NULL`, e.pos);
    if (e.op === '+' && lt.base === 'STRING' && rt.base === 'STRING') {
      return { k: 'concat', left: l, right: r, nulls: 'text', type: STRING, pos: e.pos, sql };
    }
    if (!isNumeric(lt) || !isNumeric(rt)) fail(`Unsupported arithmetic types. ${lt.base} ${rt.base}`, e.pos);
    const type = arithmeticResultType(e.op, lt, rt);
    const mode = numericMode(type);
    if (mode === 'decimal') {
      // Operands stay as they are; the compiler widens them to Decimal per ksqlDB's rules.
      return { k: 'arith', op: e.op, mode, left: withType(l, lt), right: withType(r, rt), type, pos: e.pos, sql };
    }
    return { k: 'arith', op: e.op, mode, left: this.convert(l, type), right: this.convert(r, type), type, pos: e.pos, sql };
  }

  private comparison(op: keyof typeof OP_NAMES & string, l: TExpr, r: TExpr, pos: SourcePos, sql: string): TExpr {
    // ksqlDB's "magic" timestamps: ROWTIME / WINDOWSTART / WINDOWEND compared with a string literal
    // compare with that (partial) timestamp, e.g. ROWTIME > '2018-01-01T00:00:00.001'.
    r = magicTimestamp(l, r);
    l = magicTimestamp(r, l);
    const opName = OP_NAMES[op]!;
    const lt = l.type ?? r.type;
    const rt = r.type ?? l.type;
    const mismatch = (): never =>
      fail(`Cannot compare ${formatExprOf(l)} (${typeName(l.type)}) to ${formatExprOf(r)} (${typeName(r.type)}) with ${opName}.`, pos);
    if (lt === null || rt === null) {
      // NULL compared with NULL: always false (true for IS NOT DISTINCT FROM).
      return { k: 'compare', op: op as never, mode: 'structural', left: l, right: r, type: BOOLEAN, pos, sql };
    }
    const plan = compareTypes(lt, rt);
    if (!plan) return mismatch();
    const equalityOnly = plan.mode === 'boolean' || plan.mode === 'structural';
    if (equalityOnly && !['=', '<>', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM'].includes(op)) return mismatch();
    return {
      k: 'compare',
      op: op as never,
      mode: plan.mode,
      left: applyConverter(l, plan.left, plan.type),
      right: applyConverter(r, plan.right, plan.type),
      type: BOOLEAN,
      pos,
      sql,
    };
  }

  private inList(e: ExprOf<'InList'>, sql: string): TExpr {
    // NULL literals never match: they are dropped before the list is coerced (as ksqlDB does).
    const members = [this.analyze(e.value), ...e.list.map((x) => this.analyze(x)).filter((x) => !(x.k === 'literal' && x.value === null && x.type === null))];
    const { type: t, exprs } = coerceUserList(members);
    let out: TExpr;
    if (t === undefined || exprs.length === 1) out = { k: 'literal', value: false, type: BOOLEAN, pos: e.pos, sql };
    else {
      const plan = compareTypes(t, t)!;
      out = {
        k: 'in',
        value: exprs[0]!,
        list: exprs.slice(1),
        mode: plan.mode,
        type: BOOLEAN,
        pos: e.pos,
        sql,
      };
    }
    return e.negated ? { k: 'not', operand: out, type: BOOLEAN, pos: e.pos, sql } : out;
  }

  private searchedCase(whens: { condition: TExpr; result: Expr }[], otherwiseAst: Expr | undefined, pos: SourcePos, sql: string): TExpr {
    for (const w of whens) this.requireBoolean(w.condition, 'WHEN');
    const results = whens.map((w) => this.analyze(w.result));
    const otherwise = otherwiseAst ? this.analyze(otherwiseAst) : undefined;
    const t = commonType([...results, ...(otherwise ? [otherwise] : [])].map((x) => x.type));
    if (t === 'none') fail(`Invalid Case expression. Type for all 'THEN' clauses should be the same.`, pos);
    if (t === undefined) fail(`Invalid Case expression. All 'THEN' and 'ELSE' results are NULL.`, pos);
    return {
      k: 'case',
      whens: whens.map((w, i) => ({ condition: w.condition, result: this.convert(results[i]!, t) })),
      ...(otherwise ? { otherwise: this.convert(otherwise, t) } : {}),
      type: t,
      pos,
      sql,
    };
  }

  // ------------------------------------------------------------ helpers

  private requireBoolean(e: TExpr, op: string): void {
    if (e.type !== null && e.type.base !== 'BOOLEAN') fail(`Type error in ${op}: expected BOOLEAN but got ${typeName(e.type)}: ${e.sql}`, e.pos);
  }

  private common(exprs: TExpr[], pos: SourcePos, what: string): SqlType | undefined {
    const t = commonType(exprs.map((x) => x.type));
    if (t === 'none') fail(`invalid input syntax for ${what}: types ${exprs.map((x) => typeName(x.type)).join(', ')} have no common type.`, pos);
    return t;
  }

  /** Converts to `target` by implicit coercion; errors when ksqlDB would not coerce. */
  convert(e: TExpr, target: SqlType, pos: SourcePos = e.pos): TExpr {
    if (e.type === null) return { ...e, type: target };
    if (typeEquals(e.type, target)) return e;
    if (!canImplicitlyCast(e.type, target)) {
      // String literals coerce to any type they parse as (ksqlDB's literal coercion rules).
      if (e.k === 'literal' && typeof e.value === 'string') {
        const conv = castConverter(STRING, target);
        if (conv) {
          try {
            return { ...e, value: conv(e.value), type: target };
          } catch {
            /* fall through to the error */
          }
        }
      }
      fail(`Cannot convert ${e.sql} of type ${typeName(e.type)} to ${formatType(target)}`, pos);
    }
    const conv = implicitConverter(e.type, target);
    if (e.k === 'literal') return { ...e, value: conv(e.value), type: target };
    return { k: 'convert', expr: e, conv, explicit: false, type: target, pos: e.pos, sql: e.sql };
  }
}

function withType(e: TExpr, t: SqlType): TExpr {
  return e.type === null ? { ...e, type: t } : e;
}

function formatExprOf(e: TExpr): string {
  return e.sql;
}

export function numericMode(t: SqlType): NumericMode {
  switch (t.base) {
    case 'INTEGER':
      return 'int';
    case 'BIGINT':
      return 'bigint';
    case 'DECIMAL':
      return 'decimal';
    default:
      return 'double';
  }
}

interface ComparePlan {
  mode: CompareMode;
  type: SqlType;
  left: Converter | undefined;
  right: Converter | undefined;
}

const toDecimalConv = (from: SqlType): Converter | undefined => {
  switch (from.base) {
    case 'DECIMAL':
      return undefined;
    case 'DOUBLE':
      return (v) => Decimal.fromNumber(v as number);
    default:
      return (v) => new Decimal(BigInt(v as number | bigint), 0);
  }
};

/** How two types are compared (common type + converters), or undefined if they cannot be. */
export function compareTypes(lt: SqlType, rt: SqlType): ComparePlan | undefined {
  if (isNumeric(lt) && isNumeric(rt)) {
    if (lt.base === 'DECIMAL' || rt.base === 'DECIMAL') {
      return { mode: 'decimal', type: lt.base === 'DECIMAL' ? lt : toDecimalType(rt.base === 'DECIMAL' ? rt : lt), left: toDecimalConv(lt), right: toDecimalConv(rt) };
    }
    if (lt.base === 'DOUBLE' || rt.base === 'DOUBLE') {
      const toNum = (t: SqlType): Converter | undefined => (t.base === 'BIGINT' ? (v) => Number(v as bigint) : undefined);
      return { mode: 'number', type: DOUBLE, left: toNum(lt), right: toNum(rt) };
    }
    if (lt.base === 'BIGINT' || rt.base === 'BIGINT') {
      const toBig = (t: SqlType): Converter | undefined => (t.base === 'INTEGER' ? (v) => BigInt(v as number) : undefined);
      return { mode: 'bigint', type: BIGINT, left: toBig(lt), right: toBig(rt) };
    }
    return { mode: 'number', type: INTEGER, left: undefined, right: undefined };
  }
  const temporal = (t: SqlType) => t.base === 'TIMESTAMP' || t.base === 'DATE' || t.base === 'TIME';
  if (temporal(lt) || temporal(rt)) {
    const target: SqlType =
      lt.base === 'TIME' || rt.base === 'TIME' ? { base: 'TIME' } : lt.base === 'TIMESTAMP' || rt.base === 'TIMESTAMP' ? TIMESTAMP : { base: 'DATE' };
    const conv = (t: SqlType): Converter | undefined | null => {
      if (t.base === target.base) return undefined;
      if (t.base === 'STRING') return castConverter(STRING, target) ?? null;
      if (t.base === 'DATE' && target.base === 'TIMESTAMP') return (v) => (v as number) * DAY_MS;
      return null;
    };
    const l = conv(lt);
    const r = conv(rt);
    if (l === null || r === null) return undefined;
    return { mode: 'number', type: target, left: l, right: r };
  }
  if (lt.base !== rt.base) return undefined;
  switch (lt.base) {
    case 'STRING':
      return { mode: 'string', type: STRING, left: undefined, right: undefined };
    case 'BOOLEAN':
      return { mode: 'boolean', type: BOOLEAN, left: undefined, right: undefined };
    case 'BYTES':
      return { mode: 'bytes', type: lt, left: undefined, right: undefined };
    default: {
      const c = commonType([lt, rt]);
      if (c === 'none' || c === undefined) return undefined;
      return { mode: 'structural', type: c, left: implicitConverter(lt, c), right: implicitConverter(rt, c) };
    }
  }
}

function applyConverter(e: TExpr, conv: Converter | undefined, type: SqlType): TExpr {
  if (e.type === null) return { ...e, type };
  if (!conv) return e;
  if (e.k === 'literal') {
    try {
      return { ...e, value: e.value === null ? null : conv(e.value), type };
    } catch (err) {
      throw new SqlError(`Invalid literal for ${formatType(type)}: ${e.sql}. ${(err as Error).message}`, e.pos);
    }
  }
  return { k: 'convert', expr: e, conv, explicit: false, type, pos: e.pos, sql: e.sql };
}

/** Evaluates a constant expression at analysis time (null if it fails, as it would per record). */
export function evaluateConstant(e: TExpr): unknown {
  return compileExpression(e, new QueryContext({ error: () => undefined })).evaluate([]);
}

const TIME_PSEUDO_COLUMNS = new Set(['ROWTIME', 'WINDOWSTART', 'WINDOWEND']);

/** A string literal compared with a time pseudo column becomes the BIGINT timestamp it names. */
function magicTimestamp(other: TExpr, e: TExpr): TExpr {
  if (other.k !== 'column' || !TIME_PSEUDO_COLUMNS.has(other.name) || other.type?.base !== 'BIGINT') return e;
  if (e.k !== 'literal' || typeof e.value !== 'string') return e;
  let millis: number;
  try {
    millis = parseTimestampIso(e.value);
  } catch (err) {
    fail(`Failed to parse timestamp '${e.value}': ${(err as Error).message}`, e.pos);
  }
  return { k: 'literal', value: BigInt(millis), type: BIGINT, pos: e.pos, sql: e.sql };
}

/**
 * Runs a function's factory once per call site. A constant argument the function rejects (an
 * invalid JSONPath, pattern, ...) is a per-record processing error in ksqlDB — NULL and a
 * processing-log entry — not a rejected statement, so the error is deferred to evaluation.
 */
function buildImpl(factory: (ctx: FactoryContext) => ScalarImpl, ctx: FactoryContext): ScalarImpl {
  try {
    return factory(ctx);
  } catch (err) {
    if (!(err instanceof FunctionError)) throw err;
    return () => {
      throw err;
    };
  }
}
