/**
 * Analysis of one SELECT of a persistent query: FROM/JOIN, WHERE, PARTITION BY, table functions,
 * GROUP BY/aggregation, HAVING, and the projection, including ksqlDB's column naming and its
 * rules for which projected columns become the key of the result.
 */
import { fail, type SourcePos } from '../errors.js';
import { compileExpression, compilePredicate, type QueryContext } from '../expr/compile.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Expr, ExprOf, Query, SelectItem } from '../parser/ast.js';
import type {
  FlatMapNode,
  OutputColumn,
  PlanNode,
  ProjectNode,
  ResultType,
  SourceInfo,
  TableFunctionCall,
  WindowSpec,
} from './logical-plan.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { analyzeAggregation, type Aggregation } from './aggregation.js';
import { canonicalText } from './canonical.js';
import { ExprAnalyzer } from './expr-analyzer.js';
import { formatExpr, walkExpr } from './expr-format.js';
import { joinRelation, resolveSource, sourceRelation, type Relation } from './joins.js';
import type { DataSource, MetaStore, WindowInfo } from './metastore.js';
import { ColumnAliasGenerator, joinColumnAlias } from './naming.js';
import { PSEUDO_COLUMNS, quoteName, RESERVED_COLUMN_NAMES, WINDOW_COLUMNS, type Column } from './schema.js';
import { RowScope } from './scope.js';
import { referencedColumns, type TExpr } from '../expr/typed-expr.js';

export interface QueryAnalysisOptions {
  readonly registry: FunctionRegistry;
  readonly metastore: MetaStore;
  readonly ctx: QueryContext;
  /** Name of the stream/table being built, for messages. */
  readonly sinkName: string;
  /** e.g. 'CREATE TABLE AS SELECT', for messages. */
  readonly statement: string;
  /**
   * A transient (pull or push) query, with ksqlDB's transient rules: pseudo columns (ROWTIME,
   * ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND) may be selected without an alias, the key
   * need not be selected, and `*` on a windowed source includes the window bounds after the key.
   */
  readonly pull?: boolean;
}

export interface AnalyzedQuery {
  readonly root: ProjectNode;
  readonly resultType: ResultType;
  readonly key: readonly OutputColumn[];
  readonly value: readonly OutputColumn[];
  readonly window?: WindowInfo;
  readonly sources: readonly SourceInfo[];
  /** The first (left-most) source: formats are inherited from it. */
  readonly leftSource: DataSource;
  /** The key differs from the source's (grouping, partitioning, join): key format may change. */
  readonly rekeyed: boolean;
  readonly partitionByNull: boolean;
  readonly emit: 'CHANGES' | 'FINAL';
  readonly isJoin: boolean;
}

interface ProjectedItem {
  readonly name: string;
  readonly expr: TExpr;
  /** AST of the item (synthesised for `*`), for matching against PARTITION BY expressions. */
  readonly ast: Expr;
  readonly pos: SourcePos;
}

export function analyzeQuery(q: Query, o: QueryAnalysisOptions): AnalyzedQuery {
  const { registry, ctx } = o;
  const isAggregateCall = (e: Expr): e is ExprOf<'FunctionCall'> => e.kind === 'FunctionCall' && registry.kindOf(e.name) === 'aggregate';
  const isTableCall = (e: Expr): e is ExprOf<'FunctionCall'> => e.kind === 'FunctionCall' && registry.kindOf(e.name) === 'table';

  // ---- FROM and JOINs
  const leftSource = resolveSource(o.metastore, q.from);
  let rel: Relation = sourceRelation(leftSource, q.from.alias ?? q.from.name);
  q.joins.forEach((join, i) => {
    rel = joinRelation(rel, join, resolveSource(o.metastore, join.source), { registry, ctx, joinIndex: i, joinCount: q.joins.length });
  });
  const isJoin = q.joins.length > 0;
  let node: PlanNode = rel.node;
  let scope = rel.scope;

  // ---- WHERE
  if (q.where) {
    const where = new ExprAnalyzer({ registry, scope, clause: 'WHERE' }).analyze(q.where);
    if (where.type !== null && where.type.base !== 'BOOLEAN') {
      fail(`Type error in WHERE expression: Should evaluate to boolean but is ${where.sql} (${formatType(where.type)}) instead.`, q.where.pos);
    }
    node = { kind: 'filter', id: 'WhereFilter', schema: node.schema, resultType: node.resultType, windowed: node.windowed, input: node, predicate: compilePredicate(where, ctx), sql: where.sql };
  }

  // ---- aggregation facts
  let hasAggregates = false;
  for (const item of q.select) if (item.kind !== 'AllColumns') walkExpr(item.expr, (e) => (isAggregateCall(e) ? ((hasAggregates = true), false) : undefined));
  if (q.having) walkExpr(q.having, (e) => (isAggregateCall(e) ? ((hasAggregates = true), false) : undefined));
  const grouped = q.groupBy !== undefined;
  if (hasAggregates && !grouped) {
    const names = new Set<string>();
    for (const item of q.select) if (item.kind !== 'AllColumns') walkExpr(item.expr, (e) => (isAggregateCall(e) ? (names.add(e.name), false) : undefined));
    fail(`${o.statement} statement does not support aggregate function${names.size > 1 ? 's' : ''} ${[...names].join(', ')} without a GROUP BY clause.`, q.pos);
  }
  if (q.window && !grouped) fail('WINDOW clause requires a GROUP BY clause.', q.window.pos);
  if (q.having && !grouped) fail('HAVING clause requires a GROUP BY clause.', q.having.pos);
  if (q.emit === 'FINAL' && !q.window) fail('EMIT FINAL is only supported for windowed aggregations.', q.pos);
  if (q.window && rel.resultType === 'TABLE') fail('Windowing not supported for table aggregations.', q.window.pos);
  if (q.partitionBy && grouped) fail('PARTITION BY and GROUP BY cannot be used in the same query.', q.partitionBy[0]!.pos);
  if (q.limit !== undefined) fail('LIMIT is only supported for transient queries.', q.pos);

  // ---- PARTITION BY
  let partitionBy: TExpr[] | undefined;
  let partitionByNull = false;
  if (q.partitionBy) {
    if (rel.resultType === 'TABLE') fail(`PARTITION BY is not supported on tables: ${leftSource.name} is a TABLE.`, q.partitionBy[0]!.pos);
    partitionByNull = q.partitionBy.length === 1 && q.partitionBy[0]!.kind === 'NullLiteral';
    const analyzer = new ExprAnalyzer({ registry, scope, clause: 'PARTITION BY' });
    partitionBy = partitionByNull
      ? []
      : q.partitionBy.map((p) => {
          walkExpr(p, (e) => {
            if (isAggregateCall(e)) fail(`PARTITION BY does not support aggregate functions: ${e.name} is an aggregate function.`, e.pos);
          });
          return analyzer.analyze(p);
        });
    node = {
      kind: 'repartition',
      id: 'PartitionBy',
      schema: node.schema,
      resultType: node.resultType,
      windowed: node.windowed,
      input: node,
      keys: partitionBy.map((p) => compileExpression(p, ctx)),
      keyColumnsOnly: partitionBy.map((p) => [...referencedColumns(p)].every((i) => rel.keyIndexes.includes(i))),
    };
  }

  // ---- table functions
  const tableCalls: { call: ExprOf<'FunctionCall'>; key: string; index: number }[] = [];
  for (const item of q.select) {
    if (item.kind === 'AllColumns') continue;
    walkExpr(item.expr, (e) => {
      if (isAggregateCall(e)) {
        walkExpr(e, (inner) => {
          if (isTableCall(inner)) fail('Table functions cannot be used with aggregations.', inner.pos);
        });
        return false;
      }
      if (!isTableCall(e as Expr)) return undefined;
      const call = e as unknown as ExprOf<'FunctionCall'>;
      if (grouped) fail('Table functions cannot be used with aggregations.', call.pos);
      for (const a of call.args) walkExpr(a, (inner) => {
        if (isTableCall(inner)) fail(`Table functions cannot be nested: ${call.name}(${inner.name}())`, inner.pos);
      });
      const key = canonicalText(call, scope) ?? formatExpr(call);
      if (!tableCalls.some((t) => t.key === key)) tableCalls.push({ call, key, index: node.schema.columns.length + tableCalls.length });
      return false;
    });
  }
  if (tableCalls.length) {
    if (rel.resultType === 'TABLE') fail('Table source is not supported with table functions', tableCalls[0]!.call.pos);
    const analyzer = new ExprAnalyzer({ registry, scope, clause: 'SELECT' });
    const functions: TableFunctionCall[] = [];
    const synthColumns: Column[] = [];
    tableCalls.forEach((t, i) => {
      const args = t.call.args.map((a) => analyzer.analyze(a));
      let resolved;
      try {
        resolved = registry.resolveTable(t.call.name, args.map((a) => ({ kind: 'value', type: a.type })));
      } catch (err) {
        fail((err as Error).message, t.call.pos);
      }
      const converted = args.map((a, j) => analyzer.convert(a, resolved.paramTypes[j]!));
      functions.push({
        name: resolved.def.name,
        sql: formatExpr(t.call),
        args: converted.map((a) => compileExpression(a, ctx)),
        apply: resolved.overload.impl,
        elementType: resolved.returnType,
      });
      synthColumns.push({ name: `KSQL_SYNTH_${i}`, type: resolved.returnType, role: 'VALUE' });
    });
    const schema = { columns: [...node.schema.columns, ...synthColumns] };
    const flat: FlatMapNode = { kind: 'flatMap', id: 'FlatMap', schema, resultType: node.resultType, windowed: node.windowed, input: node, functions };
    node = flat;
    scope = new RowScope(schema, scope.qualifiers);
  }

  // ---- GROUP BY
  let window: WindowSpec | undefined;
  let aggregation: Aggregation | undefined;
  if (grouped) {
    if (q.window) {
      const w = q.window;
      if (w.size.millis <= 0) fail(`Window size must be greater than zero.`, w.size.pos);
      if (w.advance && (w.advance.millis <= 0 || w.advance.millis > w.size.millis)) {
        fail(`Window advance must be greater than zero and not larger than the window size.`, w.advance.pos);
      }
      window = {
        type: w.type,
        sizeMs: w.size.millis,
        ...(w.advance ? { advanceMs: w.advance.millis } : {}),
        ...(w.retention ? { retentionMs: w.retention.millis } : {}),
        ...(w.grace ? { graceMs: w.grace.millis } : {}),
      };
      if (w.retention && w.retention.millis < w.size.millis + (w.grace?.millis ?? 0)) {
        fail(`Retention must be at least as large as the window size plus grace period.`, w.retention.pos);
      }
    }
    aggregation = analyzeAggregation({
      registry,
      ctx,
      node,
      scope,
      keyIndexes: rel.keyIndexes,
      query: q,
      ...(window ? { window } : {}),
      inputIsTable: rel.resultType === 'TABLE',
    });
    node = aggregation.node;
    scope = aggregation.scope;
  }

  // ---- SELECT: analyze items and name them as ksqlDB does
  const sourceColumnNames = rel.sources.flatMap((s) => [...s.source.schema.key, ...s.source.schema.value].map((c) => c.name));
  const aliasGen = new ColumnAliasGenerator(sourceColumnNames);
  // Pseudo columns (ROWTIME, ...) exist in every source, so a qualified one always clashes in a join.
  const clashing = (name: string) =>
    PSEUDO_COLUMNS.some((c) => c.name === name) ||
    rel.sources.filter((s) => [...s.source.schema.key, ...s.source.schema.value].some((c) => c.name === name)).length > 1;
  const tableSubstitute = (e: Expr): TExpr | undefined => {
    if (!isTableCall(e)) return undefined;
    const key = canonicalText(e, rel.scope) ?? formatExpr(e);
    const t = tableCalls.find((x) => x.key === key);
    if (!t) return undefined;
    const col = scope.schema.columns[t.index]!;
    return { k: 'column', index: t.index, name: col.name, type: col.type, pos: e.pos, sql: formatExpr(e) };
  };
  const selectAnalyzer = aggregation ? aggregation.analyzer('SELECT') : new ExprAnalyzer({ registry, scope, clause: 'SELECT', substitute: tableSubstitute });

  const items: ProjectedItem[] = [];
  for (const item of q.select) {
    if (item.kind === 'AllColumns') {
      if (q.partitionBy && !isJoin && item.qualifier === undefined) {
        // ksqlDB: after PARTITION BY, `*` is the new key columns, then the source's value and key
        // columns other than the partitioning columns.
        const partitionColumns = new Set((partitionBy ?? []).flatMap((p) => (p.k === 'column' ? [p.index] : [])));
        if (!partitionByNull) {
          q.partitionBy.forEach((p) => {
            const name = p.kind === 'ColumnRef' ? p.name : p.kind === 'Dereference' ? aliasGen.forStructField(p.field) : aliasGen.nextGenerated();
            items.push({ name, expr: selectAnalyzer.analyze(p), ast: p, pos: item.pos });
          });
        }
        const src = rel.sources[0]!;
        const cols = [...src.source.schema.value.map((c, i) => ({ c, index: src.source.schema.key.length + i })), ...src.source.schema.key.map((c, i) => ({ c, index: i }))];
        for (const { c, index } of cols) {
          if (partitionColumns.has(index)) continue;
          const ast: Expr = { kind: 'ColumnRef', pos: item.pos, qualifier: src.alias, name: c.name };
          items.push({ name: c.name, expr: selectAnalyzer.analyze(ast), ast, pos: item.pos });
        }
        continue;
      }
      for (const star of expandStar(item, rel, isJoin, o.pull === true)) {
        items.push({ name: star.name, expr: selectAnalyzer.analyze(star.ast), ast: star.ast, pos: item.pos });
      }
      continue;
    }
    if (item.kind === 'StructAll') {
      const base = selectAnalyzer.analyze(item.expr);
      if (base.type === null || base.type.base !== 'STRUCT') {
        fail(`Expected STRUCT type, got: ${base.type === null ? 'NULL' : formatType(base.type)}`, item.expr.pos);
      }
      for (const f of base.type.fields) {
        const ast: Expr = { kind: 'Dereference', pos: item.pos, base: item.expr, field: f.name };
        items.push({ name: f.name, expr: selectAnalyzer.analyze(ast), ast, pos: item.pos });
      }
      continue;
    }
    const expr = selectAnalyzer.analyze(item.expr);
    items.push({ name: itemName(item, aliasGen, clashing, isJoin), expr, ast: item.expr, pos: item.pos });
  }
  aggregation?.checkNonAggregates('SELECT', q.select[0]!.pos);
  if (o.pull !== true) for (const item of q.select) if (item.kind === 'SingleColumn') checkReserved(item, items);

  // ---- HAVING
  if (q.having && aggregation) {
    const having = aggregation.analyzer('HAVING').analyze(q.having);
    aggregation.checkNonAggregates('HAVING', q.having.pos);
    if (having.type !== null && having.type.base !== 'BOOLEAN') {
      fail(`Type error in HAVING expression: Should evaluate to boolean but is ${having.sql} (${formatType(having.type)}) instead.`, q.having.pos);
    }
    node = { kind: 'filter', id: 'HavingFilter', schema: node.schema, resultType: 'TABLE', windowed: node.windowed, input: node, predicate: compilePredicate(having, ctx), sql: having.sql };
  }

  // ---- key columns of the result
  const sinkRef = `\`${o.sinkName}\``;
  const keyItems: ProjectedItem[] = [];
  const taken = new Set<ProjectedItem>();
  const findColumnItem = (index: number) => items.find((it) => !taken.has(it) && it.expr.k === 'column' && it.expr.index === index);
  if (aggregation) {
    const missing: string[] = [];
    aggregation.groupBy.forEach((g, i) => {
      const it = findColumnItem(i);
      if (it) {
        keyItems.push(it);
        taken.add(it);
      } else missing.push(g.sql);
    });
    if (missing.length) keysNotIncluded(sinkRef, 'grouping expression', missing, true, false, q.pos);
  } else if (partitionBy) {
    const missing: string[] = [];
    (q.partitionBy ?? []).forEach((p, j) => {
      if (partitionByNull) return;
      const key = canonicalText(p, rel.scope);
      const it = items.find((x) => !taken.has(x) && key !== undefined && canonicalText(x.ast, rel.scope) === key);
      if (it) {
        keyItems.push(it);
        taken.add(it);
      } else missing.push(partitionBy![j]!.sql);
    });
    if (missing.length) keysNotIncluded(sinkRef, 'partitioning expression', missing, true, false, q.pos);
  } else if (isJoin && !(rel.node.kind === 'join' && rel.node.foreignKey)) {
    // ksqlDB takes the first viable key (left to right) that the projection selects.
    // (A foreign-key join keeps the left table's primary key: all its columns, below.)
    let it: ProjectedItem | undefined;
    for (const v of rel.viableKeys) {
      it = items.find((x) => x.expr.k === 'column' && x.expr.index === v.index);
      if (it) break;
    }
    if (it) {
      keyItems.push(it);
      taken.add(it);
    } else {
      keysNotIncluded(sinkRef, 'join expression', rel.viableKeys.map((v) => v.display), false, rel.syntheticKey !== undefined, q.pos);
    }
  } else {
    const missing: string[] = [];
    for (const index of rel.keyIndexes) {
      const it = findColumnItem(index);
      if (it) {
        keyItems.push(it);
        taken.add(it);
      } else missing.push(quoteName(rel.scope.schema.columns[index]!.name));
    }
    if (missing.length && rel.node.kind === 'join' && rel.node.foreignKey) {
      const plural = missing.length > 1 ? 's' : '';
      fail(
        `Primary key column${plural} missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (\`${rel.sources[0]!.source.name}\`). Missing column${plural}: ${missing.map((m) => `\`${m.replace(/^`|`$/g, '')}\``).join(', ')}.`,
        q.pos,
      );
    }
    // A pull query's rows are not keyed: it selects any columns (ksqlDB's transient queries).
    if (missing.length && o.pull !== true) {
      keysNotIncluded(sinkRef, 'key column', rel.keyIndexes.map((i) => quoteName(rel.scope.schema.columns[i]!.name)), true, false, q.pos);
    }
  }
  const valueItems = items.filter((it) => !taken.has(it));

  // ---- a key column may be in the projection once (AS_VALUE copies it into the value)
  const copyHint = '\nEach key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.';
  const sameKey = (key: ProjectedItem, it: ProjectedItem) =>
    key.expr.k === 'column' ? it.expr.k === 'column' && it.expr.index === key.expr.index : canonicalText(it.ast, rel.scope) === canonicalText(key.ast, rel.scope);
  for (const key of keyItems) {
    const copies = valueItems.filter((it) => sameKey(key, it));
    if (copies.length === 0) continue;
    if (aggregation) {
      fail(`The projection contains a key column more than once: ${grammaticalAnd([key, ...copies].map((it) => quoteAlways(it.name)))}.${copyHint}`, copies[0]!.pos);
    }
    const keyColumn = key.expr.k === 'column' ? rel.scope.schema.columns[key.expr.index]! : undefined;
    const keyName =
      isJoin && rel.node.kind === 'join' && rel.node.foreignKey && keyColumn
        ? `${keyColumn.qualifier}_${keyColumn.name}`
        : isJoin
          ? (rel.syntheticKey?.name ?? (rel.node.kind === 'join' ? rel.node.keyColumnName : key.name))
          : (keyColumn?.name ?? key.name);
    fail(`The projection contains a key column (${quoteAlways(keyName)}) more than once, aliased as: ${grammaticalAnd([key, ...copies].map((it) => it.name).sort())}.${copyHint}`, copies[0]!.pos);
  }
  if (valueItems.length === 0 && o.pull !== true) fail('The projection contains no value columns.', q.select[0]?.pos ?? q.pos);

  // ---- DELIMITED cannot hold the ARRAY/MAP/STRUCT intermediate state of some aggregations
  if (aggregation && leftSource.valueFormat.format === 'DELIMITED' && aggregation.node.aggregates.some((a) => COMPLEX_INTERMEDIATE.has(a.name))) {
    fail('One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.', q.pos);
  }

  // ---- the KAFKA value format cannot be joined or grouped (it has no repartition/changelog format)
  const kafkaSources = rel.sources.filter((s) => s.source.valueFormat.format === 'KAFKA').map((s) => s.alias);
  if (kafkaSources.length > 0 && (isJoin || aggregation)) {
    fail(
      `Source(s) ${kafkaSources.join(', ')} are using the 'KAFKA' value format. This format does not yet support ${isJoin ? 'JOIN' : 'GROUP BY'}.\n${KAFKA_VALUE_FORMAT_LIMITATION}`,
      q.pos,
    );
  }

  // ---- duplicate names
  const seen = new Map<string, ProjectedItem>();
  for (const it of [...keyItems, ...valueItems]) {
    if (seen.has(it.name)) fail(`Duplicate column names: ${quoteName(it.name)}`, it.pos);
    seen.set(it.name, it);
  }

  const toOutput = (it: ProjectedItem): OutputColumn => {
    if (it.expr.type === null) fail(`Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).`, it.pos);
    return { name: it.name, type: it.expr.type as SqlType, expr: compileExpression(it.expr, ctx) };
  };
  const key = keyItems.map(toOutput);
  const value = valueItems.map(toOutput);

  const resultType: ResultType = aggregation ? 'TABLE' : rel.resultType;
  const windowInfo: WindowInfo | undefined = window
    ? { type: window.type, ...(window.type !== 'SESSION' ? { sizeMs: window.sizeMs } : {}) }
    : !partitionBy && !isJoin && leftSource.window
      ? leftSource.window
      : undefined;
  const root: ProjectNode = {
    kind: 'project',
    id: 'Project',
    schema: { columns: [...key, ...value].map((c, i) => ({ name: c.name, type: c.type, role: i < key.length ? ('KEY' as const) : ('VALUE' as const) })) },
    resultType,
    windowed: windowInfo !== undefined,
    input: node,
    key,
    value,
  };
  const sources = collectSources(rel.node);
  return {
    root,
    resultType,
    key,
    value,
    ...(windowInfo ? { window: windowInfo } : {}),
    sources,
    leftSource,
    rekeyed: (aggregation !== undefined && !aggregation.node.groupByIsSourceKey) || partitionBy !== undefined || isJoin,
    partitionByNull,
    emit: q.emit ?? 'CHANGES',
    isJoin,
  };
}

function collectSources(n: PlanNode): SourceInfo[] {
  if (n.kind === 'source') return [n.source];
  if (n.kind === 'join') return [...collectSources(n.left), ...collectSources(n.right)];
  return collectSources(n.input);
}

/** `*` / `S.*`: key then value columns of each source; prefixed with the alias in joins. */
function expandStar(item: Extract<SelectItem, { kind: 'AllColumns' }>, rel: Relation, isJoin: boolean, pull: boolean): { name: string; ast: Expr }[] {
  const sources = item.qualifier === undefined ? rel.sources : rel.sources.filter((s) => s.alias === item.qualifier);
  if (item.qualifier !== undefined && sources.length === 0) fail(`'${item.qualifier}' is not a valid stream/table name or alias.`, item.pos);
  const out: { name: string; ast: Expr }[] = [];
  if (isJoin && item.qualifier === undefined && rel.syntheticKey) {
    out.push({ name: rel.syntheticKey.name, ast: { kind: 'ColumnRef', pos: item.pos, name: rel.syntheticKey.name } });
  }
  for (const s of sources) {
    const windowColumns = pull && s.source.window !== undefined ? WINDOW_COLUMNS : [];
    for (const c of [...s.source.schema.key, ...windowColumns, ...s.source.schema.value]) {
      out.push({
        name: isJoin ? joinColumnAlias(s.alias, c.name) : c.name,
        ast: { kind: 'ColumnRef', pos: item.pos, qualifier: s.alias, name: c.name },
      });
    }
  }
  return out;
}

function itemName(item: Extract<SelectItem, { kind: 'SingleColumn' }>, gen: ColumnAliasGenerator, clashing: (n: string) => boolean, isJoin: boolean): string {
  if (item.alias !== undefined) return item.alias;
  const e = item.expr;
  if (e.kind === 'ColumnRef') {
    if (e.qualifier !== undefined && isJoin && clashing(e.name)) return joinColumnAlias(e.qualifier, e.name);
    return e.name;
  }
  if (e.kind === 'Dereference') return gen.forStructField(e.field);
  return gen.nextGenerated();
}

function checkReserved(item: Extract<SelectItem, { kind: 'SingleColumn' }>, items: readonly ProjectedItem[]): void {
  const name = item.alias ?? (item.expr.kind === 'ColumnRef' ? item.expr.name : undefined);
  if (name === undefined || !RESERVED_COLUMN_NAMES.has(name.toUpperCase())) return;
  const matches = item.expr.kind === 'ColumnRef' && item.expr.name.toUpperCase() === name.toUpperCase();
  if (item.alias !== undefined && !matches) fail(`\`${name.toUpperCase()}\` is a reserved column name. You cannot use it as an alias for a column.`, item.pos);
  if (!items.some((x) => x.name === name)) return;
  fail(`Reserved column name in select: \`${name.toUpperCase()}\`. Please remove or alias the column.`, item.pos);
}

/** ksqlDB's "Key missing from projection" error (PlanNode.throwKeysNotIncludedError). */
function keysNotIncluded(sink: string, type: string, keys: readonly string[], requireAll: boolean, synthetic: boolean, pos: SourcePos): never {
  const keyPostfix = requireAll && keys.length > 1 ? 's' : '';
  const types = type + (keys.length === 1 ? '' : 's');
  const joinWith = (last: string) => (keys.length <= 1 ? keys.join('') : `${keys.slice(0, -1).join(', ')} ${last} ${keys[keys.length - 1]}`);
  const joined = joinWith(requireAll ? 'and' : 'or');
  const additional1 = synthetic ? 'See https://cnfl.io/2LV7ouS.' : '';
  const additional2 = synthetic
    ? `\n${keys[0]} was added as a synthetic key column because the join criteria did not match any source column. This expression must be included in the projection and may be aliased. `
    : '';
  fail(
    `Key${keyPostfix} missing from projection (ie, SELECT). ${additional1}\nThe query used to build ${sink} must include the ${types} ${joined} in its projection (eg, SELECT ${requireAll ? keys.join(', ') : keys[0]}...).${additional2}`,
    pos,
  );
}


const KAFKA_VALUE_FORMAT_LIMITATION =
  'The KAFKA format is primarily intended for use as a key format. It can be used as a value format, but can not be used in any operation that requires a repartition or changelog topic.\n' +
  'Removing this limitation requires enhancements to the core of KSQL. This will come in a future release. Until then, avoid using the KAFKA format for values.\n' +
  "If you have an existing topic with KAFKA formatted values you can duplicate the data and serialize using Avro or JSON with a statement such as: \n\n'CREATE STREAM <new-stream-name> WITH(VALUE_FORMAT='Avro') AS SELECT * FROM <existing-kafka-formated-stream-name>;'";

function quoteAlways(name: string): string {
  return `\`${name}\``;
}

/** "a", "a and b", "a, b and c" (ksqlDB's GrammaticalJoiner.and()). */
function grammaticalAnd(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Aggregate functions whose intermediate state is an ARRAY, MAP or STRUCT (DELIMITED cannot hold it). */
const COMPLEX_INTERMEDIATE = new Set([
  'AVG',
  'CORRELATION',
  'STDDEV_SAMP',
  'STDDEV_SAMPLE',
  'TOPK',
  'TOPKDISTINCT',
  'COLLECT_LIST',
  'COLLECT_SET',
  'HISTOGRAM',
  'COUNT_DISTINCT',
  'EARLIEST_BY_OFFSET',
  'LATEST_BY_OFFSET',
]);
