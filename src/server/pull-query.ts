/**
 * Pull queries (`SELECT ... FROM <table> [WHERE ...] [LIMIT n]` without EMIT CHANGES): analyzed by
 * the SQL analyzer as a query over the table, answered from the table's pull store through the
 * interactive query API. How the store is read (point reads of the keys, ranges, a scan) comes
 * from the WHERE clause (pull-access.ts); the rest of the WHERE filters what is read.
 */
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import { QueryableStoreTypes, StoreQueryParameters } from '../runtime/interactive-queries.js';
import { Windowed } from '../common/windowed.js';
import type { ValueAndTimestamp } from '../state/store.js';
import { analyzeQuery } from '../sql/analyzer/query-analyzer.js';
import { walkExpr } from '../sql/analyzer/expr-format.js';
import { ROWOFFSET, ROWPARTITION } from '../sql/analyzer/schema.js';
import { QueryContext, type Row } from '../sql/expr/compile.js';
import type { Expr, Query } from '../sql/parser/ast.js';
import type { PlanNode, ProjectNode, SourceNode } from '../sql/analyzer/logical-plan.js';
import type { SqlSession } from '../sql/session.js';
import { formatType } from '../sql/types/sql-type.js';
import { statementError } from './errors.js';
import { toJsonValue } from './json-values.js';
import { planAccess, type KeySlot, type PullAccess } from './pull-access.js';
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
  /** How the store is read. */
  readonly access: PullAccess;
  /** The key literals of the SQL text behind `access` (when it reads keys). */
  readonly slots: readonly KeySlot[];
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

/** ksqlDB's pull queries do not offer ROWPARTITION and ROWOFFSET (a table's row has no single offset). */
function rejectPseudoColumns(query: Query, sql: string): void {
  const find = (e: Expr | undefined): Expr | undefined => {
    let hit: Expr | undefined;
    if (e !== undefined) walkExpr(e, (x) => void (hit ??= x.kind === 'ColumnRef' && (x.name === ROWPARTITION || x.name === ROWOFFSET) ? x : undefined));
    return hit;
  };
  for (const item of query.select) {
    const hit = item.kind === 'AllColumns' ? undefined : find(item.expr);
    if (hit !== undefined) throw statementError('Pull queries don\'t support ROWPARTITION or ROWOFFSET in SELECT clauses.', sql, hit.pos);
  }
  const hit = find(query.where);
  if (hit !== undefined) throw statementError('Pull queries don\'t support ROWPARTITION or ROWOFFSET in WHERE clauses.', sql, hit.pos);
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
  rejectPseudoColumns(query, sql);
  const { access, slots, where } = planAccess(query.where, source);
  // LIMIT is the transient query's own business: the analyzer sees the query without it, and
  // without the key conjuncts the access guarantees (so the plan holds for other keys too).
  const { limit: _limit, where: _where, ...persistentForm } = query;
  const analyzed = where === undefined ? persistentForm : { ...persistentForm, where };
  const q = analyzeQuery(analyzed, { registry: session.registry, metastore: session.metastore, ctx: new QueryContext(undefined, new Map()), sinkName: 'PULL_QUERY', statement: 'SELECT', pull: true });
  const { filter, source: sourceNode } = unwrapProject(q.root);
  const outputs = [...q.root.key, ...q.root.value];
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
    access,
    slots,
    limit: query.limit,
    evaluate,
    sourceWidth: sourceNode.schema.columns.length,
    windowed: source.window !== undefined,
    keyCount: source.schema.key.length,
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

/** The store range of one key's windows, from the first window starting at `from` to the last starting at `to`. */
function windowRange(plan: PullPlan, key: Row, from: number, to: number): [Windowed<Row>, Windowed<Row>] {
  // Session keys are laid out key ‖ end ‖ start, and a session ends no earlier than it starts.
  if (plan.table.source.window?.type === 'SESSION') return [Windowed.of(key, from, from), Windowed.of(key, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)];
  return [Windowed.of(key, from, from), Windowed.of(key, to, to)];
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
  const scan = async (entries: AsyncIterable<readonly [unknown, ValueAndTimestamp<Row>]>) => {
    for await (const [k, vt] of entries) {
      if (rows.length >= limit) break;
      take(k, vt);
    }
  };
  const access = plan.access;
  switch (access.kind) {
    case 'keys': {
      const seen = access.keys.length > 1 ? new Set<string>() : null;
      for (const k of access.keys) {
        if (rows.length >= limit) break;
        if (seen !== null) {
          const id = keyId(k);
          if (seen.has(id)) continue;
          seen.add(id);
        }
        const vt = view.get(k);
        if (vt !== null) take(k, vt);
      }
      break;
    }
    case 'windowKeys': {
      const seen = new Set<string>();
      for (const k of access.keys) {
        const id = keyId(k);
        if (seen.has(id) || rows.length >= limit || access.startFrom > access.startTo) continue;
        seen.add(id);
        const [from, to] = windowRange(plan, k, access.startFrom, access.startTo);
        await scan(view.range(from, to));
      }
      break;
    }
    case 'range':
      await scan(view.range(access.from, access.to));
      break;
    case 'scan':
      await scan(view.all());
      break;
  }
  return rows;
}

/** Identity of a key row of SQL values (for de-duplicating IN lists). */
function keyId(key: Row): string {
  return key.map((v) => `${typeof v}:${String(v)}`).join('\u0000');
}
