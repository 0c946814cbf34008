/**
 * A SQL script as something to run: the persistent queries still active at its end (a DROP of a
 * query's sink terminates the query, as ksqlDB requires), the topics its statements declare or
 * create, the records of its INSERT ... VALUES, and its SET properties — in statement order.
 */
import type { DataSource } from '../analyzer/metastore.js';
import type { AnalyzedStatement } from '../analyzer/statement-analyzer.js';
import type { Statement } from '../parser/ast.js';
import type { PersistentQueryPlan } from '../analyzer/logical-plan.js';
import { type EncodedRecord, insertValuesRecords } from './insert-values.js';

export interface TopicDeclaration {
  readonly topic: string;
  /** PARTITIONS of the WITH clause, if any. */
  readonly partitions?: number;
  /** The statement declaring it (a CREATE without AS: the topic must exist or be creatable). */
  readonly statement: Statement;
  readonly source: DataSource;
  /** Created by a CREATE ... AS SELECT (its partitions default to the query's first source's). */
  readonly sinkOf?: PersistentQueryPlan;
}

export interface ScriptInsert {
  readonly statement: Statement;
  readonly record: EncodedRecord;
  /** ROWTIME given in the statement; otherwise the record gets the time it is written. */
  readonly timestamp?: number;
}

export interface ScriptPlan {
  readonly statements: readonly AnalyzedStatement[];
  /** Persistent queries to run, in statement order. */
  readonly queries: readonly PersistentQueryPlan[];
  readonly topics: readonly TopicDeclaration[];
  readonly inserts: readonly ScriptInsert[];
  /** Topics to delete (DROP ... DELETE TOPIC). */
  readonly deletedTopics: readonly string[];
  readonly properties: ReadonlyMap<string, string>;
}

export function planScript(statements: readonly AnalyzedStatement[]): ScriptPlan {
  const queries: PersistentQueryPlan[] = [];
  const topics: TopicDeclaration[] = [];
  const inserts: ScriptInsert[] = [];
  const deleted: string[] = [];
  const properties = new Map<string, string>();
  for (const s of statements) {
    switch (s.kind) {
      case 'createSource':
        topics.push({ topic: s.source.topic, ...(s.source.partitions !== undefined ? { partitions: s.source.partitions } : {}), statement: s.statement, source: s.source });
        break;
      case 'query':
        queries.push(s.plan);
        if (!s.plan.sink.existing) {
          topics.push({
            topic: s.plan.sink.topic,
            ...(s.plan.sink.partitions !== undefined ? { partitions: s.plan.sink.partitions } : {}),
            statement: s.statement,
            source: s.sink,
            sinkOf: s.plan,
          });
        }
        break;
      case 'insertValues':
        for (const record of insertValuesRecords([s])) inserts.push({ statement: s.statement, record, ...(s.timestamp !== undefined ? { timestamp: s.timestamp } : {}) });
        break;
      case 'drop': {
        if (s.source === undefined) break;
        const name = s.source.name;
        for (let i = queries.length - 1; i >= 0; i--) if (queries[i]!.sink.name === name) queries.splice(i, 1);
        if (s.deleteTopic) deleted.push(s.source.topic);
        break;
      }
      case 'set':
        properties.set(s.name, s.value);
        break;
      case 'unset':
        properties.delete(s.name);
        break;
      case 'noop':
        break;
    }
  }
  return { statements, queries, topics, inserts, deletedTopics: deleted, properties };
}
