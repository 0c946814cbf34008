/**
 * THE LOGICAL PLAN — the contract between the SQL analyzer and the planner that emits DSL calls.
 *
 * Every persistent query (CREATE STREAM/TABLE AS SELECT, INSERT INTO ... SELECT) is a tree of
 * PlanNodes rooted at a ProjectNode, plus a SinkInfo. Nodes are in data-flow order; each node's
 * `schema` is the layout of the rows it emits (row[i] is schema.columns[i]; see
 * analyzer/schema.ts for the row representation). Every expression is already compiled: call
 * `expr.evaluate(row)` with a row of the *input* node's schema. Nothing here parses or looks up
 * names at run time.
 *
 * How each node maps to Kafka Streams / the DSL (what ksqlDB does):
 *
 * - SourceNode: `builder.stream(topic)` or `builder.table(topic)` with the key/value serdes of
 *   the formats (src/sql/serde). Decode key → key column values, value → value column values,
 *   then build the source row [...key, ...value, ROWTIME, ROWPARTITION, ROWOFFSET,
 *   (WINDOWSTART, WINDOWEND)]. `timestampColumn` (WITH TIMESTAMP=...) replaces the record
 *   timestamp (timestamp extractor) and thus ROWTIME. Table sources are materialized: a null value
 *   is a tombstone (delete).
 * - JoinNode: evaluate `leftKey`/`rightKey` on the input rows; when `leftRekey`/`rightRekey` is
 *   true the side must be re-keyed through a repartition topic first (selectKey). Variants:
 *   STREAM_STREAM (JoinWindows before/after, grace; LEFT/RIGHT/FULL emit unmatched records when
 *   the window closes), STREAM_TABLE (lookup at the stream record; INNER or LEFT), TABLE_TABLE
 *   (INNER/LEFT/RIGHT/FULL on primary keys; `foreignKey` = left key is an arbitrary expression:
 *   KTable foreign-key join, INNER/LEFT only). The joined row is [...leftRow, ...rightRow] with
 *   the missing side's cells null, followed by the synthetic key cell when `syntheticKey` is set
 *   (value: the first non-null of leftKey/rightKey, i.e. the join key). Result key = join key.
 * - FilterNode: keep rows where `predicate(row)` is true (WHERE; HAVING after aggregation).
 *   On tables (KTable.filter with old values): a row that fails is forwarded as a tombstone only
 *   if the key's previous value passed; if it never passed, nothing is forwarded.
 * - FlatMapNode: table functions. For each input row, evaluate every function; emit
 *   max(length) rows, row j = [...inputRow, f1[j] ?? null, f2[j] ?? null, ...] (ksqlDB zips).
 * - RepartitionNode: PARTITION BY — new key = `keys` evaluated on the row (empty = PARTITION BY
 *   NULL: null key); the write to the sink topic is the repartition. Row unchanged.
 * - AggregateNode: GROUP BY — groupBy(keys) [repartition unless `groupByIsSourceKey`], optional
 *   window, then aggregate: for each aggregate call, `args` evaluated on the input row give the
 *   value passed to `create()`'s Aggregator (single argument: the value; several: an array;
 *   COUNT(*): null). Table sources aggregate with adder (`aggregate`) and subtractor (`undo`).
 *   Session windows merge with `merge`. Output row: [...key values, ...aggregate results,
 *   (WINDOWSTART, WINDOWEND)]. The result is a table (windowed if `window` is set).
 * - ProjectNode: the final SELECT. `key` expressions give the sink's key columns (in order),
 *   `value` expressions its value columns. For windowed results the window travels in the key.
 *
 * The sink (SinkInfo) says where and how to write: topic, formats, schema, partitions, and
 * whether the result is a STREAM or a TABLE (tables: a deleted/filtered key is written as a
 * tombstone). EMIT FINAL = suppress until the window closes.
 */
import type { FormatInfo, WindowInfo, WindowType } from './metastore.js';
import type { LogicalSchema, RowSchema } from './schema.js';
import type { CompiledExpression, QueryContext, Row } from '../expr/compile.js';
import type { Aggregator } from '../functions/registry.js';
import type { SqlType } from '../types/sql-type.js';

export type ResultType = 'STREAM' | 'TABLE';

export interface SourceInfo {
  readonly name: string;
  readonly type: ResultType;
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  readonly window?: WindowInfo;
  /** Column (name and index in the source row) that provides the record timestamp. */
  readonly timestampColumn?: { readonly name: string; readonly index: number; readonly format?: string };
}

interface NodeBase {
  /** Unique within the query, e.g. "KsqlTopic", "Join", "Aggregate" — used to name stores and topics. */
  readonly id: string;
  readonly schema: RowSchema;
  readonly resultType: ResultType;
  /** True when this node's keys carry a window (windowed aggregation or windowed source). */
  readonly windowed: boolean;
}

export interface SourceNode extends NodeBase {
  readonly kind: 'source';
  readonly source: SourceInfo;
  readonly alias: string;
}

export type JoinVariant = 'STREAM_STREAM' | 'STREAM_TABLE' | 'TABLE_TABLE';

export interface JoinNode extends NodeBase {
  readonly kind: 'join';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly variant: JoinVariant;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKey: CompiledExpression;
  readonly rightKey: CompiledExpression;
  /** The side must be re-keyed (repartitioned) by its key expression before joining. */
  readonly leftRekey: boolean;
  readonly rightRekey: boolean;
  /** Table-table join on a foreign key of the left table. */
  readonly foreignKey: boolean;
  /** STREAM_STREAM only: WITHIN (before, after) and GRACE PERIOD, in milliseconds. */
  readonly within?: { readonly beforeMs: number; readonly afterMs: number; readonly graceMs?: number };
  /** Name of the result's key column (e.g. L_ID, or ROWKEY when synthetic). */
  readonly keyColumnName: string;
  readonly syntheticKey: boolean;
}

export interface FilterNode extends NodeBase {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: (row: Row) => boolean;
  readonly sql: string;
}

export interface TableFunctionCall {
  readonly name: string;
  readonly sql: string;
  readonly args: readonly CompiledExpression[];
  /** Produces the elements for one row from the evaluated arguments (null args → no rows). */
  readonly apply: (args: unknown[]) => readonly unknown[] | null;
  readonly elementType: SqlType;
}

export interface FlatMapNode extends NodeBase {
  readonly kind: 'flatMap';
  readonly input: PlanNode;
  readonly functions: readonly TableFunctionCall[];
}

export interface RepartitionNode extends NodeBase {
  readonly kind: 'repartition';
  readonly input: PlanNode;
  /** New key columns' expressions; empty for PARTITION BY NULL. */
  readonly keys: readonly CompiledExpression[];
  /**
   * Per key expression: it reads key columns only. ksqlDB computes such a key from the record key
   * even when the record has no value; other expressions give a null key then.
   */
  readonly keyColumnsOnly: readonly boolean[];
}

export interface AggregateCall {
  readonly name: string;
  readonly sql: string;
  /** Column arguments, evaluated on the aggregate node's input row. */
  readonly args: readonly CompiledExpression[];
  readonly returnType: SqlType;
  /** A fresh Aggregator (stateless object; the state lives in the store). */
  readonly create: () => Aggregator;
  readonly undoable: boolean;
}

export interface WindowSpec {
  readonly type: WindowType;
  /** TUMBLING/HOPPING size, or SESSION inactivity gap. */
  readonly sizeMs: number;
  /** HOPPING only. */
  readonly advanceMs?: number;
  readonly retentionMs?: number;
  readonly graceMs?: number;
}

export interface AggregateNode extends NodeBase {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly groupBy: readonly CompiledExpression[];
  /** The grouping expressions are exactly the input's key columns: no repartition needed. */
  readonly groupByIsSourceKey: boolean;
  readonly aggregates: readonly AggregateCall[];
  readonly window?: WindowSpec;
  /** Aggregating a table (adder + subtractor) rather than a stream. */
  readonly inputIsTable: boolean;
}

export interface OutputColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly expr: CompiledExpression;
}

export interface ProjectNode extends NodeBase {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly key: readonly OutputColumn[];
  readonly value: readonly OutputColumn[];
}

export type PlanNode = SourceNode | JoinNode | FilterNode | FlatMapNode | RepartitionNode | AggregateNode | ProjectNode;

export interface SinkInfo {
  readonly name: string;
  readonly type: ResultType;
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  /** Set when the sink's keys are windowed. */
  readonly window?: WindowInfo;
  readonly partitions?: number;
  readonly replicas?: number;
  /** WITH (TIMESTAMP='col'): the output record timestamp comes from this sink column. */
  readonly timestampColumn?: { readonly name: string; readonly format?: string };
  /** INSERT INTO an existing stream rather than a new one. */
  readonly existing: boolean;
}

export interface PersistentQueryPlan {
  /** ksqlDB-style id: CSAS_<SINK>_<n>, CTAS_<SINK>_<n>, INSERTQUERY_<n>. */
  readonly queryId: string;
  readonly kind: 'CSAS' | 'CTAS' | 'INSERT';
  readonly sql: string;
  readonly sources: readonly SourceInfo[];
  readonly root: ProjectNode;
  readonly sink: SinkInfo;
  readonly emit: 'CHANGES' | 'FINAL';
  /** Processing log of this query's expressions; the runtime may replace its logger. */
  readonly context: QueryContext;
}

/** Depth-first list of a plan's nodes, inputs before the nodes that read them. */
export function planNodes(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (n: PlanNode) => {
    switch (n.kind) {
      case 'source':
        break;
      case 'join':
        visit(n.left);
        visit(n.right);
        break;
      default:
        visit(n.input);
    }
    out.push(n);
  };
  visit(root);
  return out;
}

/** A human-readable outline of a plan (for EXPLAIN and tests). */
export function describePlan(root: PlanNode, indent = ''): string {
  const line = (text: string) => `${indent}${text}\n`;
  const cols = root.schema.columns.map((c) => c.name).join(', ');
  switch (root.kind) {
    case 'source':
      return line(`Source ${root.source.name} AS ${root.alias} [${root.resultType}${root.windowed ? ', windowed' : ''}] (${cols})`);
    case 'join':
      return (
        line(`Join ${root.joinType} ${root.variant} ON ${root.leftKey.sql} = ${root.rightKey.sql} key=${root.keyColumnName}${root.within ? ` within=${root.within.beforeMs}/${root.within.afterMs}` : ''}`) +
        describePlan(root.left, indent + '  ') +
        describePlan(root.right, indent + '  ')
      );
    case 'filter':
      return line(`Filter ${root.sql}`) + describePlan(root.input, indent + '  ');
    case 'flatMap':
      return line(`FlatMap ${root.functions.map((f) => f.sql).join(', ')}`) + describePlan(root.input, indent + '  ');
    case 'repartition':
      return line(`PartitionBy ${root.keys.map((k) => k.sql).join(', ') || 'NULL'}`) + describePlan(root.input, indent + '  ');
    case 'aggregate':
      return (
        line(
          `Aggregate GROUP BY ${root.groupBy.map((g) => g.sql).join(', ')} [${root.aggregates.map((a) => a.sql).join(', ')}]${root.window ? ` WINDOW ${root.window.type} ${root.window.sizeMs}` : ''}`,
        ) + describePlan(root.input, indent + '  ')
      );
    case 'project':
      return (
        line(`Project key(${root.key.map((k) => `${k.name}=${k.expr.sql}`).join(', ')}) value(${root.value.map((v) => `${v.name}=${v.expr.sql}`).join(', ')})`) +
        describePlan(root.input, indent + '  ')
      );
  }
}
