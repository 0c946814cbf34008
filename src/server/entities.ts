/**
 * The entities of ksqlDB's `/ksql` responses, built from the server's catalog and queries:
 * `streams`, `tables`, `queries`, `kafka_topics`, `properties`, `sourceDescription`,
 * `queryDescription` and `currentStatus` (their `@type` and field names are ksqlDB's).
 */
import type { DataSource, FormatInfo } from '../sql/analyzer/metastore.js';
import { formatSchema, type Column } from '../sql/analyzer/schema.js';
import { describePlan } from '../sql/analyzer/logical-plan.js';
import { formatType, type SqlType } from '../sql/types/sql-type.js';
import type { PersistentQuery } from './persistent-query.js';

export type Entity = Record<string, unknown>;

export interface SchemaInfo {
  readonly type: string;
  readonly fields: { name: string; schema: SchemaInfo }[] | null;
  readonly memberSchema: SchemaInfo | null;
}

export function schemaInfo(t: SqlType): SchemaInfo {
  switch (t.base) {
    case 'ARRAY':
      return { type: 'ARRAY', fields: null, memberSchema: schemaInfo(t.element) };
    case 'MAP':
      return { type: 'MAP', fields: null, memberSchema: schemaInfo(t.value) };
    case 'STRUCT':
      return { type: 'STRUCT', fields: t.fields.map((f) => ({ name: f.name, schema: schemaInfo(f.type) })), memberSchema: null };
    default:
      return { type: t.base, fields: null, memberSchema: null };
  }
}

function fieldInfo(c: Column, key: boolean): Entity {
  return { name: c.name, schema: schemaInfo(c.type), ...(key ? { type: 'KEY' } : {}) };
}

function formatName(f: FormatInfo): string {
  return f.format;
}

export function sourceSummary(s: DataSource): Entity {
  return { type: s.type, name: s.name, topic: s.topic, keyFormat: formatName(s.keyFormat), valueFormat: formatName(s.valueFormat), isWindowed: s.window !== undefined };
}

function queryRef(q: PersistentQuery): Entity {
  return { queryString: q.plan.sql, sinks: [q.plan.sink.name], sinkKafkaTopics: [q.plan.sink.topic], id: q.id, statusCount: { [q.state()]: 1 }, queryType: 'PERSISTENT', state: q.state() };
}

export function queriesEntity(statementText: string, queries: Iterable<PersistentQuery>): Entity {
  return { '@type': 'queries', statementText, queries: [...queries].map(queryRef), warnings: [] };
}

export function sourceDescription(s: DataSource, queries: Iterable<PersistentQuery>, extended: boolean, partitions: number | undefined): Entity {
  const all = [...queries];
  const readQueries = all.filter((q) => q.plan.sources.some((src) => src.name === s.name)).map(queryRef);
  const writeQueries = all.filter((q) => q.plan.sink.name === s.name).map(queryRef);
  return {
    name: s.name,
    windowType: s.window?.type ?? null,
    readQueries,
    writeQueries,
    fields: [...s.schema.key.map((c) => fieldInfo(c, true)), ...s.schema.value.map((c) => fieldInfo(c, false))],
    type: s.type,
    timestamp: s.timestampColumn?.column ?? '',
    statistics: '',
    errorStats: '',
    extended,
    keyFormat: formatName(s.keyFormat),
    valueFormat: formatName(s.valueFormat),
    topic: s.topic,
    partitions: extended ? (partitions ?? 0) : 0,
    replication: extended ? (s.replicas ?? 1) : 0,
    statement: s.sqlText,
    queryOffsetSummaries: [],
    sourceConstraints: [],
  };
}

export function queryDescription(q: PersistentQuery): Entity {
  const sink = q.plan.sink;
  return {
    id: q.id,
    statementText: q.plan.sql,
    windowType: sink.window?.type ?? null,
    fields: [...sink.schema.key.map((c) => fieldInfo(c, true)), ...sink.schema.value.map((c) => fieldInfo(c, false))],
    sources: q.plan.sources.map((s) => s.name),
    sinks: [sink.name],
    topology: q.topology.describe().toString(),
    executionPlan: describePlan(q.plan.root),
    overriddenProperties: {},
    ksqlHostQueryStatus: {},
    queryType: 'PERSISTENT',
    queryErrors: q.error() === null ? [] : [{ errorMessage: q.error(), type: 'UNKNOWN' }],
    tasksMetadata: [],
    state: q.state(),
  };
}

export function currentStatus(statementText: string, commandId: string, message: string, seq: number, queryId: string | null = null): Entity {
  return { '@type': 'currentStatus', statementText, commandId, commandStatus: { status: 'SUCCESS', message, queryId }, commandSequenceNumber: seq, warnings: [] };
}

/** `CREATE ...` without AS: what ksqlDB answers. */
export function describeSchema(s: DataSource): string {
  return `${s.type} ${s.name} (${formatSchema(s.schema)})`;
}

export { formatType };
