/**
 * Pull queries (`SELECT ... FROM <table> [WHERE ...] [LIMIT n]` without EMIT CHANGES): analyzed by
 * the SQL analyzer as a query over the table, answered from the table's pull store through the
 * interactive query API. A WHERE that pins the key (`K = v`, `K IN (...)`) reads those keys; any
 * other WHERE (ranges, WINDOWSTART bounds, value columns) scans and filters.
 */
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import { QueryableStoreTypes, StoreQueryParameters } from '../runtime/interactive-queries.js';
import type { Windowed } from '../common/windowed.js';
import type { ValueAndTimestamp } from '../state/store.js';
import { analyzeQuery } from '../sql/analyzer/query-analyzer.js';
import { QueryContext, type Row } from '../sql/expr/compile.js';
import type { Expr, Query } from '../sql/parser/ast.js';
import type { PlanNode, ProjectNode, SourceNode } from '../sql/analyzer/logical-plan.js';
import type { SqlSession } from '../sql/session.js';
import { formatType, type SqlType } from '../sql/types/sql-type.js';
import { statementError } from './errors.js';
import { toJsonValue } from './json-values.js';
import type { PullTable } from './sql-tables.js';

export interface ResultHeader {
  readonly columnNames: readonly string[];
  readonly columnTypes: readonly string[];
  /** ksqlDB's schema string for /query: `NAME` STRING, `COUNT` BIGINT. */
  readonly schema: string;
}

export interface PullPlan {
  readonly table: PullTable;
  readonly header: ResultHeader;
  /** Keys to read, or null to scan. */
  readonly keys: readonly Row[] | null;
  readonly limit: number | undefined;
  /** Source row → output row (JSON values), or null when the WHERE rejects it. */
  readonly evaluate: (row: Row) => unknown[] | null;
  readonly sourceWidth: number;
  readonly windowed: boolean;
  readonly keyCount: number;
}

function unwrapProject(root: ProjectNode): { filter: ((row: Row) => boolean) | null; source: SourceNode } {
  let node: PlanNode = root.input;
  let filter: ((row: Row) => boolean) | null = null;
  if (node.kind === 'filter') {
    filter = node.predicate;
    node = node.input;
  }
  if (node.kind !== 'source') throw new Error(`unexpected plan node ${node.kind} in a pull query`);
  return { filter, source: node };
}

/** The typed value of a literal for a key column of this type, or undefined when it is not one. */
function literalFor(e: Expr, type: SqlType): unknown {
  switch (e.kind) {
    case 'StringLiteral':
      return type.base === 'STRING' ? e.value : undefined;
    case 'IntegerLiteral':
      if (type.base === 'INTEGER' || type.base === 'DOUBLE') return Number(e.text);
      if (type.base === 'BIGINT') return BigInt(e.text);
      return undefined;
    case 'BooleanLiteral':
      return type.base === 'BOOLEAN' ? e.value : undefined;
    default:
      return undefined;
  }
}

function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === 'Logical' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/** Keys pinned by the WHERE clause (single key column only), or null. */
function keysOf(where: Expr | undefined, keyName: string, keyType: SqlType): Row[] | null {
  const isKey = (e: Expr) => e.kind === 'ColumnRef' && e.name === keyName;
  for (const c of conjuncts(where)) {
    if (c.kind === 'Comparison' && c.op === '=') {
      const lit = isKey(c.left) ? c.right : isKey(c.right) ? c.left : null;
      const v = lit === null ? undefined : literalFor(lit, keyType);
      if (v !== undefined) return [[v]];
    }
    if (c.kind === 'InList' && !c.negated && isKey(c.value)) {
      const values = c.list.map((x) => literalFor(x, keyType));
      if (values.every((v) => v !== undefined)) return values.map((v) => [v]);
    }
  }
  return null;
}

export function planPullQuery(session: SqlSession, tables: ReadonlyMap<string, PullTable>, query: Query, sql: string): PullPlan {
  const name = query.from.name;
  const source = session.metastore.get(name);
  if (source === undefined) throw statementError(`${name} does not exist.`, sql, query.from.pos);
  if (source.type !== 'TABLE') {
    throw statementError(`Pull queries are not supported on streams. Did you mean to issue a push query by adding EMIT CHANGES to the end of your query?`, sql, query.from.pos);
  }
  if (query.joins.length > 0) throw statementError('Pull queries don\'t support JOIN clauses.', sql, query.joins[0]!.pos);
  if (query.groupBy !== undefined) throw statementError('Pull queries don\'t support GROUP BY clauses.', sql, query.pos);
  if (query.partitionBy !== undefined) throw statementError('Pull queries don\'t support PARTITION BY clauses.', sql, query.pos);
  if (query.window !== undefined) throw statementError('Pull queries don\'t support WINDOW clauses.', sql, query.pos);
  const table = tables.get(name);
  if (table === undefined) {
    throw statementError(`The ${name} table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_${name} AS SELECT * FROM ${name};'`, sql, query.from.pos);
  }
  // LIMIT is the transient query's own business: the analyzer sees the query without it.
  const { limit: _limit, ...persistentForm } = query;
  const q = analyzeQuery(persistentForm, { registry: session.registry, metastore: session.metastore, ctx: new QueryContext(undefined, new Map()), sinkName: 'PULL_QUERY', statement: 'SELECT' });
  const { filter, source: sourceNode } = unwrapProject(q.root);
  const outputs = [...q.root.key, ...q.root.value];
  const key = source.schema.key;
  const keys = key.length === 1 && source.window === undefined ? keysOf(query.where, key[0]!.name, key[0]!.type) : null;
  const evaluate = (row: Row): unknown[] | null => {
    if (filter !== null && !filter(row)) return null;
    const out = new Array<unknown>(outputs.length);
    for (let i = 0; i < outputs.length; i++) out[i] = toJsonValue(outputs[i]!.expr.evaluate(row), outputs[i]!.type);
    return out;
  };
  return {
    table,
    header: {
      columnNames: outputs.map((c) => c.name),
      columnTypes: outputs.map((c) => formatType(c.type)),
      schema: outputs.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', '),
    },
    keys,
    limit: query.limit,
    evaluate,
    sourceWidth: sourceNode.schema.columns.length,
    windowed: source.window !== undefined,
    keyCount: key.length,
  };
}

/** The source row of a stored entry: keys, values, ROWTIME, ROWPARTITION, ROWOFFSET, window bounds. */
function sourceRow(plan: PullPlan, key: unknown, vt: ValueAndTimestamp<Row>): Row {
  const row = new Array<unknown>(plan.sourceWidth);
  const windowed = plan.windowed ? (key as Windowed<Row>) : null;
  const k = (windowed !== null ? windowed.key : key) as Row;
  let at = 0;
  for (let i = 0; i < plan.keyCount; i++) row[at++] = k[i] ?? null;
  for (const v of vt.value) row[at++] = v ?? null;
  row[at++] = BigInt(vt.timestamp);
  row[at++] = null;
  row[at++] = null;
  if (windowed !== null) {
    row[at++] = BigInt(windowed.window.start);
    row[at++] = BigInt(windowed.window.end);
  }
  return row;
}

/** Runs a pull query against this instance's stores; rows in store order, up to the LIMIT. */
export async function runPullQueryLocally(streams: KafkaStreams, plan: PullPlan): Promise<unknown[][]> {
  const view = streams.store(StoreQueryParameters.fromNameAndType(plan.table.storeName, QueryableStoreTypes.timestampedKeyValueStore<unknown, Row>()));
  const limit = plan.limit ?? Number.MAX_SAFE_INTEGER;
  const rows: unknown[][] = [];
  const take = (key: unknown, vt: ValueAndTimestamp<Row>) => {
    const out = plan.evaluate(sourceRow(plan, key, vt));
    if (out !== null) rows.push(out);
  };
  if (plan.keys !== null) {
    for (const k of plan.keys) {
      if (rows.length >= limit) break;
      const vt = view.get(k);
      if (vt !== null) take(k, vt);
    }
    return rows;
  }
  for await (const [k, vt] of view.all()) {
    if (rows.length >= limit) break;
    take(k, vt);
  }
  return rows;
}
