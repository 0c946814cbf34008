/**
 * GROUP BY / aggregate analysis (ksqlDB's AggregateAnalyzer): finds the aggregate calls of the
 * SELECT and HAVING clauses, checks the grouping rules, resolves aggregate overloads, and builds
 * the AggregateNode plus a substitution that rewrites post-aggregation expressions in terms of the
 * aggregate row [...group keys, ...aggregate results, (WINDOWSTART, WINDOWEND)].
 */
import { fail } from '../errors.js';
import { canonicalText } from './canonical.js';
import { compileExpression, type QueryContext } from '../expr/compile.js';
import { FunctionResolutionError, type ArgInfo, type FunctionRegistry } from '../functions/registry.js';
import type { Expr, ExprOf, Query } from '../parser/ast.js';
import type { AggregateCall, AggregateNode, PlanNode, WindowSpec } from './logical-plan.js';
import { BIGINT, type SqlType } from '../types/sql-type.js';
import { ExprAnalyzer, evaluateConstant } from './expr-analyzer.js';
import { formatExpr, walkExpr } from './expr-format.js';
import { WINDOWEND, WINDOWSTART, type Column } from './schema.js';
import { RowScope } from './scope.js';
import { isConstant, type TExpr } from '../expr/typed-expr.js';

export interface AggregationInput {
  readonly registry: FunctionRegistry;
  readonly ctx: QueryContext;
  readonly node: PlanNode;
  readonly scope: RowScope;
  readonly keyIndexes: readonly number[];
  readonly query: Query;
  readonly window?: WindowSpec;
  readonly inputIsTable: boolean;
}

export interface Aggregation {
  readonly node: AggregateNode;
  readonly scope: RowScope;
  readonly groupBy: readonly TExpr[];
  /** Analyzer options for SELECT/HAVING expressions over the aggregate row. */
  analyzer(clause: 'SELECT' | 'HAVING'): ExprAnalyzer;
  /** Throws the ksqlDB error for non-aggregate columns met while analyzing `clause`. */
  checkNonAggregates(clause: 'SELECT' | 'HAVING', pos: Expr['pos']): void;
}

export function windowBoundsMessage(name: string): string {
  return `Window bounds column ${name} can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions.See https://github.com/confluentinc/ksql/issues/4397`;
}

const isWindowBound = (e: Expr) => e.kind === 'ColumnRef' && (e.name === WINDOWSTART || e.name === WINDOWEND);

export function analyzeAggregation(input: AggregationInput): Aggregation {
  const { registry, query, scope } = input;
  const isAggregate = (e: Expr): e is ExprOf<'FunctionCall'> => e.kind === 'FunctionCall' && registry.kindOf(e.name) === 'aggregate';

  /** Structural identity of an expression over the input row: columns by index. */
  const canonical = (e: Expr): string | undefined => canonicalText(e, scope);

  // 1. GROUP BY expressions.
  const groupByAst = query.groupBy ?? [];
  for (const g of groupByAst) {
    walkExpr(g, (e) => {
      if (isAggregate(e)) fail(`GROUP BY does not support aggregate functions: ${e.name} is an aggregate function.`, e.pos);
      if (isWindowBound(e) && input.window) fail(windowBoundsMessage((e as ExprOf<'ColumnRef'>).name), e.pos);
    });
  }
  const preAnalyzer = new ExprAnalyzer({ registry, scope, clause: 'GROUP BY' });
  const groupBy = groupByAst.map((g) => preAnalyzer.analyze(g));
  const groupKeys = new Map<string, number>();
  groupByAst.forEach((g, i) => {
    const key = canonical(g);
    if (key !== undefined && !groupKeys.has(key)) groupKeys.set(key, i);
  });

  // 2. Aggregate calls of SELECT and HAVING (deduplicated, in order of appearance).
  const calls: ExprOf<'FunctionCall'>[] = [];
  const callIndex = new Map<string, number>();
  const collect = (root: Expr) =>
    walkExpr(root, (e) => {
      if (!isAggregate(e)) return;
      for (const arg of e.args) {
        walkExpr(arg, (inner) => {
          if (isAggregate(inner)) fail(`Aggregate functions can not be nested: ${e.name}(${inner.name}())`, inner.pos);
          if (isWindowBound(inner) && input.window) {
            const name = (inner as ExprOf<'ColumnRef'>).name;
            fail(windowBoundsMessage(name), inner.pos);
          }
        });
      }
      const key = canonical(e) ?? formatExpr(e);
      if (!callIndex.has(key)) {
        callIndex.set(key, calls.length);
        calls.push(e);
      }
      return false;
    });
  for (const item of query.select) if (item.kind !== 'AllColumns') collect(item.expr);
  if (query.having) collect(query.having);
  if (calls.length === 0) fail('GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', query.pos);

  // 3. Resolve each aggregate.
  const aggregates: AggregateCall[] = calls.map((call) => resolveAggregate(call, registry, preAnalyzer, input.ctx));
  if (input.inputIsTable) {
    const notUndoable = aggregates.filter((a) => !a.undoable).map((a) => a.name);
    if (notUndoable.length) {
      const unique = [...new Set(notUndoable)];
      const joined = unique.length === 1 ? unique[0] : `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
      fail(`The aggregation function${unique.length > 1 ? 's' : ''} ${joined} cannot be applied to a table source, only to a stream source.`, query.pos);
    }
  }

  // 4. The aggregate row.
  const columns: Column[] = [
    ...groupBy.map((g, i) => ({
      name: groupByAst[i]!.kind === 'ColumnRef' ? (groupByAst[i] as ExprOf<'ColumnRef'>).name : `KSQL_COL_${i}`,
      type: g.type ?? BIGINT,
      role: 'KEY' as const,
    })),
    ...aggregates.map((a, j) => ({ name: `KSQL_AGG_VARIABLE_${j}`, type: a.returnType, role: 'AGGREGATE' as const })),
    ...(input.window
      ? [
          { name: WINDOWSTART, type: BIGINT, role: 'WINDOW' as const },
          { name: WINDOWEND, type: BIGINT, role: 'WINDOW' as const },
        ]
      : []),
  ];
  const aggScope = new RowScope({ columns }, []);
  const aggOffset = groupBy.length;
  const windowOffset = aggOffset + aggregates.length;

  const groupByIsSourceKey =
    input.keyIndexes.length === groupBy.length &&
    groupBy.every((g, i) => g.k === 'column' && g.index === input.keyIndexes[i]);

  const node: AggregateNode = {
    kind: 'aggregate',
    id: 'Aggregate',
    schema: { columns },
    resultType: 'TABLE',
    windowed: input.window !== undefined,
    input: input.node,
    groupBy: groupBy.map((g) => compileExpression(g, input.ctx)),
    groupByIsSourceKey,
    aggregates,
    ...(input.window ? { window: input.window } : {}),
    inputIsTable: input.inputIsTable,
  };

  const violations: { clause: string; text: string }[] = [];
  let currentClause = 'SELECT';
  const column = (index: number, e: Expr): TExpr => ({ k: 'column', index, name: columns[index]!.name, type: columns[index]!.type, pos: e.pos, sql: formatExpr(e) });
  const substitute = (e: Expr): TExpr | undefined => {
    if (isAggregate(e)) {
      const j = callIndex.get(canonical(e) ?? formatExpr(e));
      return j === undefined ? undefined : column(aggOffset + j, e);
    }
    if (e.kind === 'ColumnRef' && input.window && (e.name === WINDOWSTART || e.name === WINDOWEND) && scope.find(e.name, e.qualifier).length === 0) {
      return column(windowOffset + (e.name === WINDOWSTART ? 0 : 1), e);
    }
    if (e.kind === 'NullLiteral' || e.kind === 'BooleanLiteral' || e.kind === 'StringLiteral' || e.kind === 'IntegerLiteral' || e.kind === 'DecimalLiteral' || e.kind === 'DoubleLiteral') {
      // A literal that is a grouping expression (GROUP BY 1) is that key column.
      const i = groupKeys.get(canonical(e) ?? '');
      return i === undefined ? undefined : column(i, e);
    }
    const key = canonical(e);
    if (key !== undefined) {
      const i = groupKeys.get(key);
      if (i !== undefined) return column(i, e);
    }
    if (e.kind === 'ColumnRef') {
      const resolved = scope.resolve(e.name, e.qualifier, e.pos);
      violations.push({ clause: currentClause, text: formatExpr(e) });
      return { k: 'literal', value: null, type: resolved.column.type, pos: e.pos, sql: formatExpr(e) };
    }
    return undefined;
  };

  return {
    node,
    scope: aggScope,
    groupBy,
    analyzer(clause) {
      currentClause = clause;
      return new ExprAnalyzer({ registry, scope: aggScope, clause, substitute });
    },
    checkNonAggregates(clause, pos) {
      const found = [...new Set(violations.filter((v) => v.clause === clause).map((v) => v.text))];
      if (found.length === 0) return;
      if (clause === 'SELECT') {
        fail(`Non-aggregate SELECT expression(s) not part of GROUP BY: ${found.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`, pos);
      }
      fail(`Non-aggregate HAVING expression not part of GROUP BY: ${found.join(', ')}\nConsider switching the HAVING clause to a WHERE clause before the GROUP BY.`, pos);
    },
  };
}

function resolveAggregate(call: ExprOf<'FunctionCall'>, registry: FunctionRegistry, analyzer: ExprAnalyzer, ctx: QueryContext): AggregateCall {
  const sql = formatExpr(call);
  if (call.star && call.name !== 'COUNT') fail(`Function '${call.name}' does not accept '*' as an argument`, call.pos);
  const args = call.args.map((a) => {
    if (a.kind === 'Lambda') fail(`Aggregate functions do not accept lambda arguments: ${sql}`, a.pos);
    return analyzer.analyze(a);
  });
  const infos: ArgInfo[] = args.map((a) => ({ kind: 'value', type: a.type }));
  let resolved;
  try {
    resolved = registry.resolveAggregate(call.name, infos);
  } catch (err) {
    if (err instanceof FunctionResolutionError) fail(err.message, call.pos);
    throw err;
  }
  const overload = resolved.overload;
  const columnCount = overload.params.length;
  const constants: unknown[] = args.map(() => undefined);
  args.forEach((a, i) => {
    if (i < columnCount) return;
    if (!isConstant(a)) fail(`Parameter ${i + 1} of ${call.name} must be a literal, got: ${a.sql}`, a.pos);
    constants[i] = evaluateConstant(analyzer.convert(a, resolved.paramTypes[i]!));
  });
  const columnArgs = args.slice(0, columnCount).map((a, i) => compileExpression(analyzer.convert(a, resolved.paramTypes[i]!), ctx));
  const argTypes = resolved.paramTypes.map((t) => t as SqlType);
  const returnType = resolved.returnType;
  const properties = ctx.properties;
  const create = () => overload.create({ argTypes, returnType, constants, properties });
  let undoable: boolean;
  try {
    undoable = typeof create().undo === 'function';
  } catch (err) {
    fail(`Failed to create aggregate function ${sql}: ${(err as Error).message}`, call.pos);
  }
  return { name: resolved.def.name.toUpperCase(), sql, args: columnArgs, returnType, create, undoable };
}
