/**
 * The FROM clause: sources and (N-way) joins. Checks the joins ksqlDB accepts (WITHIN for
 * stream-stream only, stream-table order, join on the table's primary key, matching key types),
 * names the result key (left/right key column or synthetic ROWKEY) and builds Source/Join nodes.
 */
import { fail } from '../errors.js';
import { formatExpr } from './expr-format.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { AliasedSource, Expr, JoinClause } from '../parser/ast.js';
import type { QueryContext } from '../expr/compile.js';
import { compileExpression } from '../expr/compile.js';
import type { JoinVariant, PlanNode, ResultType, SourceNode } from './logical-plan.js';
import { formatType, typeEquals } from '../types/sql-type.js';
import { ExprAnalyzer } from './expr-analyzer.js';
import type { DataSource, MetaStore } from './metastore.js';
import { syntheticKeyName } from './naming.js';
import { sourceRowSchema, type Column } from './schema.js';
import { RowScope } from './scope.js';
import { referencedColumns, type TExpr } from '../expr/typed-expr.js';
import { canonicalText } from './canonical.js';

export interface RelationSource {
  readonly alias: string;
  readonly source: DataSource;
  /** Index of this source's first column in the relation's rows. */
  readonly offset: number;
  readonly width: number;
}

export interface Relation {
  readonly node: PlanNode;
  readonly scope: RowScope;
  readonly sources: readonly RelationSource[];
  /** Row indexes holding the current key (every index holds the same value for joins). */
  readonly keyIndexes: readonly number[];
  /** For joins: the columns a projection may select as the result key (ksqlDB's viable keys). */
  readonly viableKeys: readonly { index: number; display: string }[];
  readonly syntheticKey?: { readonly index: number; readonly name: string };
  /** Canonical texts of expressions known to equal the key (the join criteria so far). */
  readonly keyEquivalents: ReadonlySet<string>;
  readonly resultType: ResultType;
  readonly windowed: boolean;
}

export function resolveSource(metastore: MetaStore, s: AliasedSource): DataSource {
  const ds = metastore.get(s.name);
  if (!ds) fail(`${s.name} does not exist.`, s.pos);
  return ds;
}

export function sourceRelation(ds: DataSource, alias: string, id = 'KsqlTopic'): Relation {
  const windowed = ds.window !== undefined;
  const schema = sourceRowSchema(ds.schema, alias, windowed);
  const timestampIndex = ds.timestampColumn ? schema.columns.findIndex((c) => c.name === ds.timestampColumn!.column && (c.role === 'KEY' || c.role === 'VALUE')) : -1;
  const node: SourceNode = {
    kind: 'source',
    id,
    schema,
    resultType: ds.type,
    windowed,
    alias,
    source: {
      name: ds.name,
      type: ds.type,
      topic: ds.topic,
      schema: ds.schema,
      keyFormat: ds.keyFormat,
      valueFormat: ds.valueFormat,
      ...(ds.window ? { window: ds.window } : {}),
      ...(ds.timestampColumn
        ? { timestampColumn: { name: ds.timestampColumn.column, index: timestampIndex, ...(ds.timestampColumn.format ? { format: ds.timestampColumn.format } : {}) } }
        : {}),
    },
  };
  return {
    node,
    scope: new RowScope(schema, [alias]),
    sources: [{ alias, source: ds, offset: 0, width: schema.columns.length }],
    keyIndexes: ds.schema.key.map((_, i) => i),
    viableKeys: [],
    keyEquivalents: new Set(),
    resultType: ds.type,
    windowed,
  };
}

function joinTypeText(type: JoinClause['type']): string {
  return type === 'INNER' ? '[INNER] JOIN' : type === 'FULL' ? '[FULL] OUTER JOIN' : `${type} [OUTER] JOIN`;
}

export interface JoinContext {
  readonly registry: FunctionRegistry;
  readonly ctx: QueryContext;
  readonly joinIndex: number;
  /** Number of JOIN clauses of the query. */
  readonly joinCount: number;
}

/** Adds one JOIN clause to the relation built so far. */
export function joinRelation(left: Relation, join: JoinClause, rightSource: DataSource, jc: JoinContext): Relation {
  const rightAlias = join.source.alias ?? join.source.name;
  if (left.sources.some((s) => s.alias === rightAlias || s.source.name === rightSource.name)) {
    const name = left.sources.some((s) => s.source.name === rightSource.name) ? rightSource.name : rightAlias;
    fail(`Can not join '${name}' to '${name}': self joins are not yet supported.`, join.source.pos);
  }
  const right = sourceRelation(rightSource, rightAlias, `KafkaTopic_${jc.joinIndex === 0 ? 'Right' : `${jc.joinIndex}_Right`}`);
  const variant = joinVariant(left.resultType, right.resultType, join, left, rightAlias);

  // The ON clause: an equality with one side per input.
  const on = join.on;
  if (on.kind === 'Logical') fail(`Invalid join condition: joins on multiple conditions are not yet supported. Got ${formatExpr(on)}.`, on.pos);
  if (on.kind !== 'Comparison' || on.op !== '=') {
    fail(`Unsupported join expression: ${formatExpr(on)}`, on.pos);
  }
  const combinedColumns: Column[] = [...left.node.schema.columns, ...right.node.schema.columns];
  const combined = new RowScope({ columns: combinedColumns }, [...left.scope.qualifiers, rightAlias]);
  const probe = new ExprAnalyzer({ registry: jc.registry, scope: combined, clause: 'JOIN' });
  const a = probe.analyze(on.left);
  const b = probe.analyze(on.right);
  const leftWidth = left.node.schema.columns.length;
  const side = (e: TExpr): 'L' | 'R' | undefined => {
    const cols = [...referencedColumns(e)];
    if (cols.length === 0) return undefined;
    if (cols.every((i) => i < leftWidth)) return 'L';
    if (cols.every((i) => i >= leftWidth)) return 'R';
    return undefined;
  };
  const sa = side(a);
  const sb = side(b);
  if (sa === undefined || sb === undefined || sa === sb) {
    const bad = sa === undefined || sa === sb ? on.left : on.right;
    fail(
      `Invalid comparison expression '${formatExpr(bad)}' in join '${formatExpr(on)}'. Each side of the join comparision must contain references from exactly one source.`,
      bad.pos,
    );
  }
  const [leftAst, rightAst] = sa === 'L' ? [on.left, on.right] : [on.right, on.left];
  const leftExpr = new ExprAnalyzer({ registry: jc.registry, scope: left.scope, clause: 'JOIN' }).analyze(leftAst);
  // The right side's columns sit after the left's in the joined row.
  const combinedRight = new RowScope({ columns: [...left.node.schema.columns.map((c) => ({ ...c, qualifier: '$' })), ...right.node.schema.columns] }, [rightAlias]);
  const rightExpr = new ExprAnalyzer({ registry: jc.registry, scope: right.scope, clause: 'JOIN' }).analyze(rightAst);
  // Messages show the join expressions with every column qualified by its source, as ksqlDB does.
  const qualified = (e: Expr, scope: RowScope): string =>
    formatExpr(e, (c) => {
      try {
        return `${scope.schema.columns[scope.resolve(c.name, c.qualifier, c.pos).index]!.qualifier ?? c.qualifier}.${c.name}`;
      } catch {
        return c.qualifier ? `${c.qualifier}.${c.name}` : c.name;
      }
    });
  const leftText = qualified(leftAst, left.scope);
  const rightText = qualified(rightAst, right.scope);
  if (!leftExpr.type || !rightExpr.type || !typeEquals(leftExpr.type, rightExpr.type)) {
    fail(
      `Invalid join condition: types don't match. Got ${leftText}{${leftExpr.type ? formatType(leftExpr.type) : 'NULL'}} = ${rightText}{${rightExpr.type ? formatType(rightExpr.type) : 'NULL'}}.`,
      on.pos,
    );
  }

  // A join result's key indexes all hold the same value; a source's several key columns do not.
  const isKeyRef = (e: TExpr, r: Relation) =>
    e.k === 'column' && r.keyIndexes.includes(e.index) && (r.node.kind === 'join' || r.keyIndexes.length === 1);
  const leftIsKey = isKeyRef(leftExpr, left) || (left.node.kind === 'join' && left.keyEquivalents.has(canonicalText(leftAst, left.scope) ?? '\u0000'));
  const rightIsKey = isKeyRef(rightExpr, right);
  let foreignKey = false;
  if (variant !== 'STREAM_STREAM' && !rightIsKey) {
    const kind = variant === 'STREAM_TABLE' ? 'stream-table' : 'table-table';
    fail(
      variant === 'STREAM_TABLE'
        ? `Invalid join condition: stream-table joins require to join on the table's primary key. Got ${leftText} = ${rightText}.`
        : `Invalid join condition: ${kind} joins require to join on the primary key of the right input table. Got ${leftText} = ${rightText}.`,
      on.pos,
    );
  }
  if (variant === 'TABLE_TABLE' && !leftIsKey) {
    foreignKey = true;
    // Only as the first join of an N-way join (both inputs are sources), as in ksqlDB.
    if (jc.joinIndex > 0) {
      fail(`Invalid join condition: foreign-key table-table joins are not supported as part of n-way joins. Got ${leftText} = ${rightText}.`, on.pos);
    }
    if (join.type === 'RIGHT') fail('RIGHT OUTER JOIN on a foreign key is not supported', join.pos);
    if (join.type !== 'INNER' && join.type !== 'LEFT') {
      fail(`Invalid join type: foreign-key table-table joins only support INNER and LEFT joins. Got ${joinTypeText(join.type)}.`, join.pos);
    }
  }

  // WITHIN: required for stream-stream joins, rejected for the others.
  let within: { beforeMs: number; afterMs: number; graceMs?: number } | undefined;
  if (variant === 'STREAM_STREAM') {
    if (!join.within) {
      fail(
        'Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select',
        join.pos,
      );
    }
    within = {
      beforeMs: join.within.before.millis,
      afterMs: join.within.after.millis,
      ...(join.within.grace ? { graceMs: join.within.grace.millis } : {}),
    };
  } else if (join.within) {
    const kind = variant === 'STREAM_TABLE' ? 'Stream-Table' : 'Table-Table';
    fail(
      `A window definition was provided for a ${kind} join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your ${kind} join again.`,
      join.within.pos,
    );
  }

  // Result key: a source column when possible, else a synthetic ROWKEY column.
  const rightOffset = leftWidth;
  const leftCol = leftExpr.k === 'column' ? leftExpr.index : undefined;
  const rightCol = rightExpr.k === 'column' ? rightExpr.index + rightOffset : undefined;
  const columns: Column[] = [...left.node.schema.columns, ...right.node.schema.columns];
  // The left side's own viable key columns stay viable when it joins on (an equivalent of) its key.
  const inheritsLeftKeys = leftIsKey && left.syntheticKey === undefined && left.viableKeys.length > 0;
  const synthetic = join.type === 'FULL' || (leftCol === undefined && rightCol === undefined && !inheritsLeftKeys);
  let syntheticKey: Relation['syntheticKey'];
  let viableKeys: { index: number; display: string }[] = [];
  let keyColumnName: string;
  const display = (index: number) => {
    const c = columns[index]!;
    return `${c.qualifier}.${c.name}`;
  };
  if (synthetic) {
    const allNames = [...left.sources, { source: rightSource }].flatMap((s) => [...s.source.schema.key, ...s.source.schema.value].map((c) => c.name));
    const name = syntheticKeyName(allNames);
    // One synthetic key per N-way join: an earlier one is no longer a column the query can name.
    if (left.syntheticKey) columns[left.syntheticKey.index] = { ...columns[left.syntheticKey.index]!, name: `${left.syntheticKey.name}$${left.syntheticKey.index}` };
    columns.push({ name, type: leftExpr.type, role: 'SYNTHETIC_KEY' });
    syntheticKey = { index: columns.length - 1, name };
    viableKeys = [{ index: columns.length - 1, display: name }];
    keyColumnName = name;
  } else {
    viableKeys = [
      // A re-keyed left side's keys are no longer the key.
      ...(leftIsKey ? left.viableKeys : []),
      ...(leftCol !== undefined ? [{ index: leftCol, display: display(leftCol) }] : []),
      ...(rightCol !== undefined ? [{ index: rightCol, display: display(rightCol) }] : []),
    ].filter((v, i, all) => all.findIndex((w) => w.index === v.index) === i);
    const first = viableKeys[0]!;
    const c = columns[first.index]!;
    keyColumnName = `${c.qualifier}_${c.name}`;
  }

  const schema = { columns };
  const resultType: ResultType = variant === 'TABLE_TABLE' ? 'TABLE' : 'STREAM';
  const node: PlanNode = {
    kind: 'join',
    id: jc.joinIndex === 0 ? 'Join' : `Join_${jc.joinIndex}`,
    schema,
    resultType,
    windowed: false,
    joinType: join.type,
    variant,
    left: left.node,
    right: right.node,
    leftKey: compileExpression(leftExpr, jc.ctx),
    rightKey: compileExpression(rightExpr, jc.ctx),
    leftRekey: !leftIsKey && !foreignKey,
    rightRekey: !rightIsKey,
    foreignKey,
    ...(within ? { within } : {}),
    keyColumnName,
    syntheticKey: synthetic,
  };
  const keyIndexes = synthetic
    ? [syntheticKey!.index]
    : foreignKey
      ? left.keyIndexes
      : [...(leftCol !== undefined ? [leftCol] : []), ...(rightCol !== undefined ? [rightCol] : [])];
  return {
    node,
    scope: new RowScope(schema, [...left.scope.qualifiers, rightAlias]),
    sources: [...left.sources, { alias: rightAlias, source: rightSource, offset: rightOffset, width: right.node.schema.columns.length }],
    keyIndexes,
    viableKeys: foreignKey ? left.sources[0]!.source.schema.key.map((k, i) => ({ index: i, display: `${left.sources[0]!.alias}.${k.name}` })) : viableKeys,
    ...(syntheticKey ? { syntheticKey } : {}),
    // A FULL OUTER join's key equals neither join expression (either may be NULL).
    keyEquivalents:
      join.type === 'FULL'
        ? new Set<string>()
        : foreignKey
          ? new Set(left.keyIndexes.map((i) => `#${i}`)) // the result keeps the left table's key
          : new Set([
            ...(leftIsKey ? left.keyEquivalents : []),
            ...[canonicalText(leftAst, left.scope), canonicalText(rightAst, combinedRight)].filter((x): x is string => x !== undefined),
          ]),
    resultType,
    windowed: false,
  };
}

function joinVariant(leftType: ResultType, rightType: ResultType, join: JoinClause, left: Relation, rightAlias: string): JoinVariant {
  const leftName = left.sources[0]!.alias;
  if (leftType === 'STREAM' && rightType === 'STREAM') return 'STREAM_STREAM';
  if (leftType === 'TABLE' && rightType === 'TABLE') return 'TABLE_TABLE';
  if (leftType === 'TABLE' && rightType === 'STREAM') {
    fail(`Invalid join order: table-stream joins are not supported; only stream-table joins. Got ${leftName} ${joinTypeText(join.type)} ${rightAlias}.`, join.pos);
  }
  if (join.type === 'FULL' || join.type === 'RIGHT') {
    const what = join.type === 'FULL' ? 'full-outer' : 'right-outer';
    fail(`Invalid join type: ${what} join not supported for Stream-Table join. Got ${leftName} ${joinTypeText(join.type)} ${rightAlias}.`, join.pos);
  }
  return 'STREAM_TABLE';
}

